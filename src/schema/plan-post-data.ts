/**
 * The post-data part of a table: primary keys, unique and exclusion
 * constraints, other indexes, CHECKs that were NOT VALID (or that an existing
 * target table lacks), foreign keys, and triggers. Built after the rows are in
 * (an index built once is faster than one maintained row by row; a trigger
 * must not fire on copied rows). What the target already has, by name or by
 * identical definition, is left alone.
 */
import { displayName, type QualifiedName } from '../pg/ident.js';
import type { DdlStatement, Skipped } from './ddl.js';
import type { ConstraintType, CatalogObjects, TableDef } from '../catalog/index.js';
import { renderConstraint, renderIndex, renderIndexComment, renderTrigger } from './render-post.js';
import type { Resolver } from './resolver.js';
import type { TargetIndex } from './target-index.js';
import { definitionNeeds, unmetNeeds } from './versions.js';
import { groups } from '../catalog/index.js';

export interface PostDataScope {
  readonly creates: ReadonlySet<number>;
  /** In-scope tables in creation order (parents before partitions). */
  readonly tables: readonly TableDef[];
  readonly target: TargetIndex;
}

export interface TablePostData {
  readonly keys: DdlStatement[];
  readonly foreignKeys: DdlStatement[];
}

const CONSTRAINT_ORDER: Readonly<Record<ConstraintType, number>> = {
  'primary key': 0,
  unique: 1,
  exclusion: 2,
  check: 3,
  'foreign key': 4,
};

export function planTablePostData(source: CatalogObjects, scope: PostDataScope, resolver: Resolver, skipped: Skipped[]): TablePostData {
  const result: TablePostData = { keys: [], foreignKeys: [] };

  for (const table of scope.tables) {
    const created = scope.creates.has(table.oid);
    const partitioned = table.kind === 'partitioned';
    const drift = created ? undefined : scope.target.columnDrift(table);
    const constraints = (groups(source).constraints.get(table.oid) ?? [])
      .filter((c) => !c.cloned)
      .sort((a, b) => CONSTRAINT_ORDER[a.type] - CONSTRAINT_ORDER[b.type]);
    for (const constraint of constraints) {
      // Validated CHECKs of a new table are in its CREATE TABLE; inherited ones come from the parent.
      if (constraint.type === 'check' && (!constraint.local || (created && constraint.validated))) continue;
      if (!created && scope.target.hasEquivalentConstraint(table.schema, table.name, constraint)) continue;
      const object = `${constraint.type === 'foreign key' ? 'foreign key' : 'constraint'} ${constraint.name} on ${displayName(table)}`;
      if (drift !== undefined) {
        skipped.push({ object, reason: drift, selection: true });
        continue;
      }
      const existingKey = constraint.type === 'primary key' && !created ? scope.target.primaryKeyOf(table.schema, table.name) : undefined;
      if (existingKey !== undefined) {
        skipped.push({
          object,
          reason: `the target table already has a different primary key (${existingKey.name}: ${existingKey.definition})`,
        });
        continue;
      }
      const reason = blocked(resolver, `con:${constraint.oid}`, constraint.definition, scope.target.versionNum, `rel:${table.oid}`);
      if (reason !== undefined) {
        skipped.push({ object, ...reason });
        continue;
      }
      const statement: DdlStatement = {
        kind: constraint.type === 'foreign key' ? 'foreign-key' : 'constraint',
        object,
        sql: renderConstraint(table, partitioned, constraint),
      };
      (constraint.type === 'foreign key' ? result.foreignKeys : result.keys).push(statement);
    }
    result.keys.push(...planIndexes(source, table, partitioned, created, scope.target, resolver, skipped, drift));
  }
  return result;
}

/** Indexes that are not a constraint's and not attached to a partitioned table's index (those come with it). */
export function planIndexes(
  source: CatalogObjects,
  relation: QualifiedName & { readonly oid: number },
  partitioned: boolean,
  created: boolean,
  target: TargetIndex,
  resolver: Resolver,
  skipped: Skipped[],
  drift: string | undefined = undefined,
): DdlStatement[] {
  const statements: DdlStatement[] = [];
  for (const index of groups(source).indexes.get(relation.oid) ?? []) {
    if (index.ofConstraint || index.attached) continue;
    if (!created && target.hasEquivalentIndex(relation.schema, relation.name, index)) continue;
    const object = `index ${index.schema}.${index.name}`;
    if (drift !== undefined) {
      skipped.push({ object, reason: drift, selection: true });
      continue;
    }
    if (target.hasIndexName(index.schema, index.name)) {
      skipped.push({ object, reason: `another index of schema ${index.schema} on the target already has this name` });
      continue;
    }
    const reason = blocked(resolver, `idx:${index.oid}`, index.definition, target.versionNum, `rel:${relation.oid}`);
    if (reason !== undefined) {
      skipped.push({ object, ...reason });
      continue;
    }
    statements.push({ kind: 'index', object, sql: renderIndex(index, partitioned) });
    for (const sql of renderIndexComment(index)) statements.push({ kind: 'comment', object, sql });
  }
  return statements;
}

/** Triggers of the given relations that the target lacks, once their function can exist. */
export function planTriggers(
  source: CatalogObjects,
  relations: readonly (QualifiedName & { readonly oid: number; readonly created: boolean })[],
  target: TargetIndex,
  resolver: Resolver,
  skipped: Skipped[],
): DdlStatement[] {
  const statements: DdlStatement[] = [];
  for (const relation of relations) {
    for (const trigger of groups(source).triggers.get(relation.oid) ?? []) {
      if (!relation.created && target.hasTrigger(relation.schema, relation.name, trigger.name)) continue;
      const object = `trigger ${trigger.name} on ${displayName(relation)}`;
      const table = relation.created ? undefined : source.tables.get(relation.oid);
      const drift = table === undefined ? undefined : target.columnDrift(table);
      if (drift !== undefined) {
        skipped.push({ object, reason: drift, selection: true });
        continue;
      }
      const decision = resolver.resolveAll(
        [`fn:${trigger.functionOid}`, ...resolver.dependenciesOf(`trg:${trigger.oid}`)],
        `rel:${relation.oid}`,
      );
      if (!decision.ok) {
        skipped.push({ object, reason: decision.reason, ...(decision.selection ? { selection: true as const } : {}) });
        continue;
      }
      for (const sql of renderTrigger(trigger, relation)) statements.push({ kind: 'trigger', object, sql });
    }
  }
  return statements;
}

/** Why an index or constraint cannot be created, or undefined when it can. */
function blocked(
  resolver: Resolver,
  key: string,
  definition: string,
  targetVersion: number,
  own: string,
): { reason: string; selection?: true } | undefined {
  const unmet = unmetNeeds(definitionNeeds(definition), targetVersion);
  if (unmet !== undefined) return { reason: unmet };
  const decision = resolver.resolveAll(resolver.dependenciesOf(key), own);
  if (decision.ok) return undefined;
  return decision.selection ? { reason: decision.reason, selection: true } : { reason: decision.reason };
}
