/**
 * How the target differs from the source: tables, columns (type, NOT NULL,
 * default, generated, identity, collation), partitioning, indexes and
 * constraints, and every other object kind the twin gets (object-inventory.ts). Indexes and constraints are compared by definition, not by
 * name: an index that does the same thing under another name is no difference.
 * `pgtwin diff` prints these; `sync` uses `blocking` for its pre-flight check.
 */
import { displayName, type QualifiedName } from '../pg/ident.js';
import { normalizeIndexDefinition } from './definitions.js';
import type { ColumnDef, ConstraintDef, CatalogObjects, TableDef } from '../catalog/index.js';
import { collationName } from './render-types.js';
import { groups } from '../catalog/index.js';
import { objectInventory } from './object-inventory.js';
import { dependentsOf, objectCandidates } from './schema-objects.js';
import { buildScope } from './schema-scope.js';

export type DifferenceKind =
  | 'missing-table'
  | 'extra-table'
  | 'missing-column'
  | 'extra-column'
  | 'column-type'
  | 'column-nullability'
  | 'column-default'
  | 'column-generated'
  | 'column-identity'
  | 'column-collation'
  | 'partitioning'
  | 'missing-index'
  | 'extra-index'
  | 'missing-constraint'
  | 'extra-constraint'
  | 'missing-object'
  | 'extra-object'
  | 'object-differs';

export interface SchemaDifference {
  /** `schema.table`, or for an object that is not on a table, the object (`view public.v`). */
  readonly table: string;
  readonly kind: DifferenceKind;
  /** The column, index or constraint concerned. */
  readonly object: string | undefined;
  readonly source: string | undefined;
  readonly target: string | undefined;
  /** A data copy into the target would fail (or could not place rows) because of it. */
  readonly blocking: boolean;
  readonly message: string;
}

export interface DiffSelection {
  /** Source tables to compare (partitions below them are compared too). */
  readonly tables: readonly QualifiedName[];
  /** Target tables the same selection picks; those the source lacks are reported as extra. */
  readonly targetTables?: readonly QualifiedName[];
  /** No include pattern: every object of both databases is compared, not only what the tables carry. */
  readonly wholeDatabase?: boolean;
}

export function diffSchemas(source: CatalogObjects, target: CatalogObjects, selection: DiffSelection): SchemaDifference[] {
  const targetByName = new Map([...target.tables.values()].map((t) => [displayName(t), t]));
  const sourceByName = new Map([...source.tables.values()].map((t) => [displayName(t), t]));
  const differences: SchemaDifference[] = [];
  for (const table of withPartitions(source, selection.tables)) {
    const key = displayName(table);
    const other = targetByName.get(key);
    if (other === undefined) {
      differences.push(diff(key, 'missing-table', undefined, describeTable(table), undefined, true, 'missing on the target'));
      continue;
    }
    differences.push(...diffTable(key, source, table, target, other));
  }
  for (const table of withPartitions(target, selection.targetTables ?? [])) {
    const key = displayName(table);
    if (!sourceByName.has(key))
      differences.push(diff(key, 'extra-table', undefined, undefined, describeTable(table), false, 'exists only on the target'));
  }
  differences.push(...diffObjects(source, target, selection));
  return differences;
}

/** Views, functions, types, triggers, policies, grants, comments and the rest, by name and definition. */
function diffObjects(source: CatalogObjects, target: CatalogObjects, selection: DiffSelection): SchemaDifference[] {
  const whole = selection.wholeDatabase === true;
  const inventoryOf = (catalog: CatalogObjects, tables: readonly QualifiedName[]) => {
    const byName = new Set([...catalog.tables.values()].map(displayName));
    const scope = buildScope(catalog, catalog, { tables: tables.filter((t) => byName.has(displayName(t))), recreate: false });
    const candidates = objectCandidates(catalog, scope, whole);
    // What needs a table the selection leaves out cannot be in the twin: no difference.
    const outside = [...catalog.tables.values()].filter((t) => !scope.inScope.has(t.oid)).map((t) => `rel:${t.oid}`);
    const leftOut = dependentsOf(catalog, outside);
    const keys = candidates.keys.filter((k) => !leftOut.has(k));
    return objectInventory(catalog, { ...candidates, keys, tables: scope.tables.map((t) => t.oid) });
  };
  const ours = inventoryOf(source, selection.tables);
  const theirs = inventoryOf(target, selection.targetTables ?? selection.tables);
  const out: SchemaDifference[] = [];
  for (const [name, entry] of ours) {
    const other = theirs.get(name);
    if (other === undefined)
      out.push(diff(entry.container, 'missing-object', name, entry.definition, undefined, false, `${name}: missing on the target`));
    else if (other.definition !== entry.definition)
      out.push(
        diff(
          entry.container,
          'object-differs',
          name,
          entry.definition,
          other.definition,
          false,
          `${name}: differs (source: ${entry.definition}; target: ${other.definition})`,
        ),
      );
  }
  for (const [name, entry] of theirs) {
    if (!ours.has(name))
      out.push(diff(entry.container, 'extra-object', name, undefined, entry.definition, false, `${name}: exists only on the target`));
  }
  return out;
}

function withPartitions(catalog: CatalogObjects, roots: readonly QualifiedName[]): TableDef[] {
  const wanted = new Set(roots.map(displayName));
  const result: TableDef[] = [];
  for (const table of catalog.tables.values()) {
    for (
      let t: TableDef | undefined = table;
      t !== undefined;
      t = t.partitionOf === undefined ? undefined : catalog.tables.get(t.partitionOf)
    ) {
      if (wanted.has(displayName(t))) {
        result.push(table);
        break;
      }
    }
  }
  return result;
}

function describeTable(table: TableDef): string {
  return table.kind === 'partitioned'
    ? `partitioned table (${table.partitionKey ?? ''})`
    : table.partitionOf !== undefined
      ? `partition ${table.partitionBound ?? ''}`
      : 'table';
}

function diffTable(key: string, source: CatalogObjects, a: TableDef, target: CatalogObjects, b: TableDef): SchemaDifference[] {
  const out: SchemaDifference[] = [];
  if (a.kind !== b.kind || a.partitionKey !== b.partitionKey || a.partitionBound !== b.partitionBound) {
    out.push(
      diff(
        key,
        'partitioning',
        undefined,
        describeTable(a),
        describeTable(b),
        a.kind !== b.kind,
        `${describeTable(a)} on the source, ${describeTable(b)} on the target`,
      ),
    );
  }
  const targetColumns = new Map(b.columns.map((c) => [c.name, c]));
  const sourceNames = new Set(a.columns.map((c) => c.name));
  for (const column of a.columns) {
    const other = targetColumns.get(column.name);
    if (other === undefined) {
      out.push(
        diff(
          key,
          'missing-column',
          column.name,
          column.type,
          undefined,
          false,
          `column ${column.name} (${column.type}): missing on the target`,
        ),
      );
      continue;
    }
    out.push(...diffColumn(key, source, column, target, other));
  }
  for (const column of b.columns) {
    if (sourceNames.has(column.name)) continue;
    const unfillable = column.notNull && column.defaultExpr === undefined && column.generated === '' && column.identity === '';
    out.push(
      diff(
        key,
        'extra-column',
        column.name,
        undefined,
        column.type,
        unfillable,
        `column ${column.name} (${column.type}): exists only on the target${unfillable ? ' (NOT NULL without a default: rows from the source cannot fill it)' : ''}`,
      ),
    );
  }
  out.push(...diffIndexes(key, source, a, target, b), ...diffConstraints(key, source, a, target, b));
  return out;
}

function diffColumn(key: string, source: CatalogObjects, a: ColumnDef, target: CatalogObjects, b: ColumnDef): SchemaDifference[] {
  const out: SchemaDifference[] = [];
  const name = a.name;
  if (a.type !== b.type)
    out.push(diff(key, 'column-type', name, a.type, b.type, true, `column ${name}: ${a.type} on the source, ${b.type} on the target`));
  if (a.notNull !== b.notNull) {
    const [sa, sb] = [a.notNull ? 'NOT NULL' : 'nullable', b.notNull ? 'NOT NULL' : 'nullable'];
    out.push(diff(key, 'column-nullability', name, sa, sb, b.notNull, `column ${name}: ${sa} on the source, ${sb} on the target`));
  }
  if (a.generated !== b.generated || (a.generated !== '' && a.defaultExpr !== b.defaultExpr)) {
    const [ga, gb] = [generatedText(a), generatedText(b)];
    out.push(diff(key, 'column-generated', name, ga, gb, false, `column ${name}: ${ga} on the source, ${gb} on the target`));
  } else if (a.generated === '' && a.defaultExpr !== b.defaultExpr) {
    const [da, db] = [a.defaultExpr ?? 'no default', b.defaultExpr ?? 'no default'];
    out.push(
      diff(
        key,
        'column-default',
        name,
        a.defaultExpr,
        b.defaultExpr,
        false,
        `column ${name}: default ${da} on the source, ${db} on the target`,
      ),
    );
  }
  if (a.identity !== b.identity) {
    const [ia, ib] = [
      a.identity === '' ? 'no identity' : `identity ${a.identity}`,
      b.identity === '' ? 'no identity' : `identity ${b.identity}`,
    ];
    out.push(diff(key, 'column-identity', name, ia, ib, false, `column ${name}: ${ia} on the source, ${ib} on the target`));
  }
  const [ca, cb] = [
    a.collation === undefined ? 'default' : collationName(source, a.collation),
    b.collation === undefined ? 'default' : collationName(target, b.collation),
  ];
  if (ca !== cb)
    out.push(diff(key, 'column-collation', name, ca, cb, false, `column ${name}: collation ${ca} on the source, ${cb} on the target`));
  return out;
}

function generatedText(c: ColumnDef): string {
  return c.generated === '' ? 'not generated' : `generated ${c.generated} as (${c.defaultExpr ?? ''})`;
}

/** Indexes created on their own (not a constraint's, not attached to a parent's), by normalized definition. */
function diffIndexes(key: string, source: CatalogObjects, a: TableDef, target: CatalogObjects, b: TableDef): SchemaDifference[] {
  const own = (catalog: CatalogObjects, t: TableDef) =>
    (groups(catalog).indexes.get(t.oid) ?? []).filter((i) => !i.ofConstraint && !i.attached);
  const sourceIndexes = own(source, a);
  const targetIndexes = own(target, b);
  const targetDefs = new Set(targetIndexes.map((i) => normalizeIndexDefinition(i.definition)));
  const sourceDefs = new Set(sourceIndexes.map((i) => normalizeIndexDefinition(i.definition)));
  const out: SchemaDifference[] = [];
  for (const i of sourceIndexes) {
    if (!targetDefs.has(normalizeIndexDefinition(i.definition)))
      out.push(
        diff(key, 'missing-index', i.name, i.definition, undefined, false, `index ${i.name}: missing on the target (${i.definition})`),
      );
  }
  for (const i of targetIndexes) {
    if (!sourceDefs.has(normalizeIndexDefinition(i.definition)))
      out.push(
        diff(key, 'extra-index', i.name, undefined, i.definition, false, `index ${i.name}: exists only on the target (${i.definition})`),
      );
  }
  return out;
}

/** Constraints declared on the table itself, by type and definition. */
function diffConstraints(key: string, source: CatalogObjects, a: TableDef, target: CatalogObjects, b: TableDef): SchemaDifference[] {
  const own = (catalog: CatalogObjects, t: TableDef) => (groups(catalog).constraints.get(t.oid) ?? []).filter((c) => !c.cloned && c.local);
  const signature = (c: ConstraintDef): string => `${c.type}\u0000${c.definition}`;
  const sourceConstraints = own(source, a);
  const targetConstraints = own(target, b);
  const targetSigs = new Set(targetConstraints.map(signature));
  const sourceSigs = new Set(sourceConstraints.map(signature));
  const out: SchemaDifference[] = [];
  for (const c of sourceConstraints) {
    if (!targetSigs.has(signature(c)))
      out.push(
        diff(
          key,
          'missing-constraint',
          c.name,
          c.definition,
          undefined,
          false,
          `${c.type} ${c.name}: missing on the target (${c.definition})`,
        ),
      );
  }
  for (const c of targetConstraints) {
    if (!sourceSigs.has(signature(c)))
      out.push(
        diff(
          key,
          'extra-constraint',
          c.name,
          undefined,
          c.definition,
          false,
          `${c.type} ${c.name}: exists only on the target (${c.definition})`,
        ),
      );
  }
  return out;
}

function diff(
  table: string,
  kind: DifferenceKind,
  object: string | undefined,
  source: string | undefined,
  target: string | undefined,
  blocking: boolean,
  message: string,
): SchemaDifference {
  return { table, kind, object, source, target, blocking, message };
}

/** The differences as lines grouped by table, for people. */
export function differencesToText(differences: readonly SchemaDifference[]): string {
  if (differences.length === 0) return 'The target matches the source: no differences.\n';
  const byTable = new Map<string, SchemaDifference[]>();
  for (const d of differences) byTable.set(d.table, [...(byTable.get(d.table) ?? []), d]);
  const lines: string[] = [];
  for (const [table, list] of byTable) {
    lines.push(table);
    for (const d of list) lines.push(`  - ${d.message}${d.blocking ? '  [blocks sync]' : ''}`);
  }
  lines.push(
    '',
    `${differences.length} difference${differences.length === 1 ? '' : 's'} in ${byTable.size} table${byTable.size === 1 ? '' : 's'} or object${byTable.size === 1 ? '' : 's'}.`,
  );
  return lines.join('\n') + '\n';
}
