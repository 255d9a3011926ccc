/**
 * CREATE TABLE text for a source table: columns with their types, collations,
 * defaults, identity and generated expressions, NOT NULL, the CHECK
 * constraints that held on the source, and partitioning. Keys and indexes are
 * not here: they are post-data (built once the rows are in).
 */
import { quoteIdent, quoteQualified } from '../pg/ident.js';
import type { ColumnDef, ConstraintDef, CatalogObjects, SequenceDef, TableDef } from '../catalog/index.js';
import { collationName, identityOptions, renderComment } from './render-types.js';
import { groups } from '../catalog/index.js';

export interface TableSql {
  readonly create: string;
  readonly comments: readonly string[];
}

export function renderTable(catalog: CatalogObjects, table: TableDef): TableSql {
  const name = quoteQualified(table);
  const checks = (groups(catalog).constraints.get(table.oid) ?? []).filter((c) => c.type === 'check' && c.local && c.validated);
  const parent = table.partitionOf === undefined ? undefined : catalog.tables.get(table.partitionOf);
  let sql: string;
  if (parent !== undefined) {
    const elements = [...partitionColumnOptions(table, parent), ...checks.map(renderInlineCheck)];
    sql = `CREATE ${table.unlogged ? 'UNLOGGED ' : ''}TABLE ${name} PARTITION OF ${quoteQualified(parent)}`;
    if (elements.length > 0) sql += ` (\n    ${elements.join(',\n    ')}\n)`;
    sql += ` ${table.partitionBound ?? 'DEFAULT'}`;
  } else {
    const identities = identitySequences(catalog, table);
    const elements = [
      ...table.columns.filter((c) => c.local).map((c) => renderColumn(catalog, c, identities.get(c.name))),
      ...checks.map(renderInlineCheck),
    ];
    sql = `CREATE ${table.unlogged ? 'UNLOGGED ' : ''}TABLE ${name} (${elements.length > 0 ? `\n    ${elements.join(',\n    ')}\n` : ''})`;
    const parents = table.inherits.map((oid) => catalog.tables.get(oid)).filter((p): p is TableDef => p !== undefined);
    if (parents.length > 0) sql += ` INHERITS (${parents.map(quoteQualified).join(', ')})`;
  }
  if (table.partitionKey !== undefined) sql += ` PARTITION BY ${table.partitionKey}`;
  if (table.accessMethod !== undefined) sql += ` USING ${quoteIdent(table.accessMethod)}`;
  if (table.options.length > 0) sql += ` WITH (${table.options.join(', ')})`;

  const comments: string[] = [];
  if (table.comment !== undefined) comments.push(renderComment(`TABLE ${name}`, table.comment));
  for (const c of table.columns)
    if (c.comment !== undefined) comments.push(renderComment(`COLUMN ${name}.${quoteIdent(c.name)}`, c.comment));
  return { create: sql, comments };
}

export function renderColumn(catalog: CatalogObjects, column: ColumnDef, identity: SequenceDef | undefined): string {
  let sql = `${quoteIdent(column.name)} ${column.type}`;
  if (column.collation !== undefined) sql += ` COLLATE ${collationName(catalog, column.collation)}`;
  if (column.generated !== '' && column.defaultExpr !== undefined) {
    // Always explicit: PostgreSQL 18 made VIRTUAL the default.
    sql += ` GENERATED ALWAYS AS (${column.defaultExpr}) ${column.generated === 'stored' ? 'STORED' : 'VIRTUAL'}`;
  } else if (column.identity !== '') {
    sql += ` GENERATED ${column.identity === 'always' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`;
    if (identity !== undefined) sql += ` (${identityOptions(identity)})`;
  } else if (column.defaultExpr !== undefined) {
    sql += ` DEFAULT ${column.defaultExpr}`;
  }
  if (column.notNull) sql += ' NOT NULL';
  return sql;
}

/** A partition takes its columns from the parent; only a default or NOT NULL of its own is spelled out. */
function partitionColumnOptions(table: TableDef, parent: TableDef): string[] {
  const parentColumns = new Map(parent.columns.map((c) => [c.name, c]));
  const options: string[] = [];
  for (const column of table.columns) {
    const inherited = parentColumns.get(column.name);
    if (inherited === undefined || column.generated !== '' || column.identity !== '') continue;
    const parts: string[] = [];
    if (column.defaultExpr !== undefined && column.defaultExpr !== inherited.defaultExpr) parts.push(`DEFAULT ${column.defaultExpr}`);
    if (column.notNull && !inherited.notNull) parts.push('NOT NULL');
    if (parts.length > 0) options.push(`${quoteIdent(column.name)} WITH OPTIONS ${parts.join(' ')}`);
  }
  return options;
}

function renderInlineCheck(check: ConstraintDef): string {
  return `CONSTRAINT ${quoteIdent(check.name)} ${check.definition}`;
}

/** Identity sequences of a table's columns, by column name. */
export function identitySequences(catalog: CatalogObjects, table: TableDef): Map<string, SequenceDef> {
  const result = new Map<string, SequenceDef>();
  for (const s of groups(catalog).ownedSequences.get(table.oid) ?? []) {
    if (s.identity && s.ownedBy !== undefined) result.set(s.ownedBy.column, s);
  }
  return result;
}

export function renderOwnedBy(sequence: SequenceDef, table: TableDef, column: string): string {
  return `ALTER SEQUENCE ${quoteQualified(sequence)} OWNED BY ${quoteQualified(table)}.${quoteIdent(column)}`;
}
