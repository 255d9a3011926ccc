/**
 * Which source tables a schema plan covers, and which of them it creates:
 * the selection, every partition below a selected table (all levels), and the
 * parents a selected partition or child needs when the target lacks them.
 * With `recreate`, selected tables already on the target are dropped first
 * (with whatever depends on them there) and created again.
 */
import { displayName, type QualifiedName } from '../pg/ident.js';
import { UsageError } from '../errors.js';
import { dropClosure, type DropClosure } from './drop-closure.js';
import type { CatalogObjects, TableDef } from '../catalog/index.js';
import { TargetIndex } from './target-index.js';

export interface SchemaSelection {
  /** Source tables, as `selectTables` returns them (partitions folded into their root). */
  readonly tables: readonly QualifiedName[];
  /** Drop the selected tables that exist on the target and create them again. */
  readonly recreate: boolean;
  /**
   * No table pattern was given: the twin is the whole database (every schema,
   * function, view, type, sequence and extension), not only what the tables need.
   */
  readonly wholeDatabase?: boolean;
}

export interface SchemaScope {
  /** In-scope source tables in creation order (source catalog order, parents before their partitions). */
  readonly tables: readonly TableDef[];
  readonly inScope: ReadonlySet<number>;
  /** Source OIDs of the tables the plan creates. */
  readonly creates: ReadonlySet<number>;
  /** Target tables to drop first (recreate). */
  readonly drops: readonly TableDef[];
  readonly closure: DropClosure;
  readonly target: TargetIndex;
}

export function buildScope(source: CatalogObjects, target: CatalogObjects, selection: SchemaSelection): SchemaScope {
  const byName = new Map([...source.tables.values()].map((t) => [displayName(t), t]));
  const missing = selection.tables.filter((t) => !byName.has(displayName(t)));
  if (missing.length > 0) {
    throw new UsageError('TABLE_NOT_FOUND', 'Tables selected for schema creation do not exist on the source.', {
      details: missing.map(displayName),
      nextStep: 'Check the table names (schema-qualified, as stored).',
    });
  }
  const selected = selection.tables.map((t) => byName.get(displayName(t))).filter((t): t is TableDef => t !== undefined);
  const children = new Map<number, TableDef[]>();
  for (const t of source.tables.values())
    if (t.partitionOf !== undefined) children.set(t.partitionOf, [...(children.get(t.partitionOf) ?? []), t]);

  const inScope = new Set<number>();
  const addTree = (table: TableDef): void => {
    inScope.add(table.oid);
    for (const child of children.get(table.oid) ?? []) addTree(child);
  };
  for (const table of selected) addTree(table);

  const drops: TableDef[] = [];
  if (selection.recreate) {
    for (const table of selected) {
      const existing = [...target.tables.values()].find((t) => t.schema === table.schema && t.name === table.name);
      if (existing !== undefined) drops.push(existing);
    }
  }
  const closure = dropClosure(
    target,
    drops.map((t) => t.oid),
  );
  const targetIndex = new TargetIndex(target, closure.keys);

  // Parents (partitioned or inherited) the target lacks are created too; their other children are not.
  const pending = [...inScope];
  while (pending.length > 0) {
    const table = source.tables.get(pending.pop() ?? -1);
    if (table === undefined) continue;
    for (const parentOid of [...table.inherits, ...(table.partitionOf === undefined ? [] : [table.partitionOf])]) {
      const parent = source.tables.get(parentOid);
      if (parent === undefined || inScope.has(parentOid) || targetIndex.relation(parent.schema, parent.name) !== undefined) continue;
      inScope.add(parentOid);
      pending.push(parentOid);
    }
  }
  const creates = new Set(
    [...inScope].filter((oid) => {
      const t = source.tables.get(oid);
      return t !== undefined && targetIndex.relation(t.schema, t.name) === undefined;
    }),
  );
  const tables = [...source.tables.values()].filter((t) => inScope.has(t.oid));
  return { tables: parentsFirst(source, tables), inScope, creates, drops, closure, target: targetIndex };
}

function parentsFirst(source: CatalogObjects, tables: readonly TableDef[]): TableDef[] {
  const depth = (t: TableDef): number => {
    let d = 0;
    for (let p = t.partitionOf; p !== undefined; p = source.tables.get(p)?.partitionOf) d++;
    return d + (t.inherits.length > 0 ? 1 : 0);
  };
  return [...tables].sort((a, b) => depth(a) - depth(b));
}
