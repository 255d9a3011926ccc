/**
 * The catalog's table facts: what the copy needs to know about each table it
 * may copy (columns, keys, foreign keys, the sequences columns draw from,
 * sizes), keyed by `schema.table`. Read with the rest of the catalog by
 * read-catalog.ts; types are rendered with search_path = pg_catalog so user
 * types come out schema-qualified and compare equal across servers.
 */
import { displayName, type QualifiedName } from '../pg/ident.js';
import { USER_RELATION } from './sql-filters.js';

export interface ColumnInfo {
  readonly name: string;
  readonly attnum: number;
  /** format_type() output, e.g. `integer`, `character varying(20)`, `public.mood[]`. */
  readonly type: string;
  readonly notNull: boolean;
  /** Stored generated column: computed by the target, never copied. */
  readonly generated: boolean;
  /** '' none, 'a' GENERATED ALWAYS, 'd' BY DEFAULT. */
  readonly identity: '' | 'a' | 'd';
}

export interface TableInfo extends QualifiedName {
  readonly oid: number;
  readonly kind: 'table' | 'partitioned';
  /** For a partition: the root of its partition tree. */
  readonly partitionRoot: QualifiedName | undefined;
  readonly columns: readonly ColumnInfo[];
  readonly primaryKey: readonly string[];
  /** Sets of columns with a unique index or constraint (primary key included). */
  readonly uniqueKeys: readonly (readonly string[])[];
  /** Planner estimate; -1 when never analyzed. */
  readonly estimatedRows: number;
  /** On-disk size of the heap (all partitions for a partitioned table). */
  readonly bytes: number;
}

export interface ForeignKeyInfo {
  readonly name: string;
  readonly table: QualifiedName;
  readonly columns: readonly string[];
  readonly referencedTable: QualifiedName;
  readonly referencedColumns: readonly string[];
  /** pg_get_constraintdef(): `FOREIGN KEY (...) REFERENCES ...`. */
  readonly definition: string;
  /** Cloned onto a partition from its parent's constraint (dropped and restored with it). */
  readonly inherited: boolean;
}

export interface SequenceLink {
  readonly table: QualifiedName;
  readonly column: string;
  readonly sequence: QualifiedName;
}

/** The table facts of one database (plan, copy, follow, scan, verify). */
export interface TableCatalog {
  readonly serverVersionNum: number;
  /** Keyed by `schema.table`. */
  readonly tables: ReadonlyMap<string, TableInfo>;
  readonly foreignKeys: readonly ForeignKeyInfo[];
  readonly sequences: readonly SequenceLink[];
}

/** Tables that may be copied: ordinary and partitioned ones (not foreign tables, views or sequences). */
const USER_RELATIONS = `c.relkind IN ('r', 'p') AND ${USER_RELATION}`;

export const TABLE_FACTS_SQL = `
SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind,
       rn.nspname AS root_schema, r.relname AS root_name,
       c.reltuples::float8 AS estimated_rows,
       CASE WHEN c.relkind = 'p'
            THEN (SELECT coalesce(sum(pg_relation_size(t.relid)), 0) FROM pg_partition_tree(c.oid) t)
            ELSE pg_relation_size(c.oid) END::int8 AS bytes
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class r ON c.relispartition AND r.oid = pg_partition_root(c.oid)
LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
WHERE ${USER_RELATIONS}
ORDER BY n.nspname, c.relname`;

export const COLUMN_FACTS_SQL = `
SELECT a.attrelid::int8 AS oid, a.attname AS name, a.attnum AS attnum,
       format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
       a.attgenerated <> '' AS generated, a.attidentity AS identity
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE a.attnum > 0 AND NOT a.attisdropped AND ${USER_RELATIONS}
ORDER BY a.attrelid, a.attnum`;

export const UNIQUE_KEYS_SQL = `
SELECT i.indrelid::int8 AS oid, i.indisprimary AS is_primary,
       array(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE i.indisunique AND i.indpred IS NULL AND NOT (0 = ANY (i.indkey::int2[])) AND ${USER_RELATIONS}`;

export const FOREIGN_KEYS_SQL = `
SELECT con.conname AS name, n.nspname AS schema, c.relname AS table_name,
       fn.nspname AS ref_schema, f.relname AS ref_table,
       array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
       array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS ref_columns,
       pg_get_constraintdef(con.oid) AS definition, con.conparentid <> 0 AS inherited
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class f ON f.oid = con.confrelid
JOIN pg_namespace fn ON fn.oid = f.relnamespace
WHERE con.contype = 'f' AND ${USER_RELATIONS}
ORDER BY n.nspname, c.relname, con.conname`;

// Sequences a column owns (serial: 'a', identity: 'i') or calls in its default.
export const SEQUENCE_LINKS_SQL = `
SELECT DISTINCT n.nspname AS schema, c.relname AS table_name, a.attname AS column_name,
       sn.nspname AS seq_schema, s.relname AS seq_name
FROM (
  SELECT d.refobjid AS relid, d.refobjsubid AS attnum, d.objid AS seqid
  FROM pg_depend d
  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
  UNION
  SELECT ad.adrelid, ad.adnum, d.refobjid
  FROM pg_attrdef ad
  JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_class'::regclass
) link
JOIN pg_class s ON s.oid = link.seqid AND s.relkind = 'S'
JOIN pg_namespace sn ON sn.oid = s.relnamespace
JOIN pg_class c ON c.oid = link.relid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = link.relid AND a.attnum = link.attnum
WHERE ${USER_RELATIONS}`;

export interface TableRow {
  oid: string;
  schema: string;
  name: string;
  kind: string;
  root_schema: string | null;
  root_name: string | null;
  estimated_rows: number;
  bytes: string;
}
export interface ColumnRow {
  oid: string;
  name: string;
  attnum: number;
  type: string;
  not_null: boolean;
  generated: boolean;
  identity: string;
}
export interface UniqueRow {
  oid: string;
  is_primary: boolean;
  columns: string[];
}
export interface ForeignKeyRow {
  name: string;
  schema: string;
  table_name: string;
  ref_schema: string;
  ref_table: string;
  columns: string[];
  ref_columns: string[];
  definition: string;
  inherited: boolean;
}
export interface SequenceRow {
  schema: string;
  table_name: string;
  column_name: string;
  seq_schema: string;
  seq_name: string;
}

/** The rows of the table-fact queries, by query. */
export interface TableFactRows {
  readonly tables: readonly TableRow[];
  readonly columns: readonly ColumnRow[];
  readonly uniques: readonly UniqueRow[];
  readonly foreignKeys: readonly ForeignKeyRow[];
  readonly sequences: readonly SequenceRow[];
}

export function assembleTables(serverVersionNum: number, rows: TableFactRows): TableCatalog {
  const { tables: tableRows, columns: columnRows, uniques: uniqueRows, foreignKeys: fkRows, sequences: seqRows } = rows;
  const columnsByOid = groupBy(columnRows, (r) => r.oid);
  const uniquesByOid = groupBy(uniqueRows, (r) => r.oid);
  const tables = new Map<string, TableInfo>();
  for (const row of tableRows) {
    const uniques = uniquesByOid.get(row.oid) ?? [];
    const table: TableInfo = {
      oid: Number(row.oid),
      schema: row.schema,
      name: row.name,
      kind: row.kind === 'p' ? 'partitioned' : 'table',
      partitionRoot: row.root_schema !== null && row.root_name !== null ? { schema: row.root_schema, name: row.root_name } : undefined,
      columns: (columnsByOid.get(row.oid) ?? []).map((c) => ({
        name: c.name,
        attnum: c.attnum,
        type: c.type,
        notNull: c.not_null,
        generated: c.generated,
        identity: c.identity === 'a' || c.identity === 'd' ? c.identity : '',
      })),
      primaryKey: uniques.find((u) => u.is_primary)?.columns ?? [],
      uniqueKeys: uniques.map((u) => u.columns),
      estimatedRows: row.estimated_rows,
      bytes: Number(row.bytes),
    };
    tables.set(displayName(table), table);
  }
  const foreignKeys = fkRows.map((r) => ({
    name: r.name,
    table: { schema: r.schema, name: r.table_name },
    columns: r.columns,
    referencedTable: { schema: r.ref_schema, name: r.ref_table },
    referencedColumns: r.ref_columns,
    definition: r.definition,
    inherited: r.inherited,
  }));
  const sequences = seqRows.map((r) => ({
    table: { schema: r.schema, name: r.table_name },
    column: r.column_name,
    sequence: { schema: r.seq_schema, name: r.seq_name },
  }));
  return { serverVersionNum, tables, foreignKeys, sequences };
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [row]);
    else list.push(row);
  }
  return groups;
}
