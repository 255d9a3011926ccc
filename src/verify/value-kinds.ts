/**
 * How a column's values are compared as text by the leak check, decided from
 * the column's base type (domains resolved) rather than from its printed name,
 * so a `CREATE DOMAIN email AS text` column counts as text.
 */
import type { Client } from '../pg/connect.js';

/**
 * - `text`: string types (text, varchar, char, name, citext...);
 * - `text-array`: arrays of those;
 * - `json`: json and jsonb;
 * - `array`: arrays of anything else;
 * - `other`: numbers, dates, enums, bytea...
 */
export type ValueKind = 'text' | 'text-array' | 'json' | 'array' | 'other';

/** table oid -> column name -> kind. */
export type ValueKinds = ReadonlyMap<number, ReadonlyMap<string, ValueKind>>;

// typcategory 'S' is PostgreSQL's "string" category; citext declares it too.
const KINDS_SQL = `
WITH RECURSIVE chain (relid, name, typid) AS (
  SELECT a.attrelid, a.attname, a.atttypid
  FROM pg_catalog.pg_attribute a
  WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT c.relid, c.name, t.typbasetype
  FROM chain c JOIN pg_catalog.pg_type t ON t.oid = c.typid
  WHERE t.typtype = 'd'
)
SELECT c.relid::int8 AS oid, c.name,
       t.oid IN ('pg_catalog.json'::pg_catalog.regtype, 'pg_catalog.jsonb'::pg_catalog.regtype) AS is_json,
       t.typcategory::text AS category,
       coalesce(eb.typcategory, e.typcategory)::text AS element_category
FROM chain c
JOIN pg_catalog.pg_type t ON t.oid = c.typid AND t.typtype <> 'd'
LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
LEFT JOIN pg_catalog.pg_type eb ON e.typtype = 'd' AND eb.oid = e.typbasetype`;

interface KindRow {
  oid: string;
  name: string;
  is_json: boolean;
  category: string;
  element_category: string | null;
}

export async function readValueKinds(client: Client, tableOids: readonly number[]): Promise<ValueKinds> {
  const result = await client.query<KindRow>(KINDS_SQL, [tableOids]);
  const kinds = new Map<number, Map<string, ValueKind>>();
  for (const row of result.rows) {
    const oid = Number(row.oid);
    let columns = kinds.get(oid);
    if (columns === undefined) kinds.set(oid, (columns = new Map()));
    columns.set(row.name, kindOf(row));
  }
  return kinds;
}

function kindOf(row: KindRow): ValueKind {
  if (row.is_json) return 'json';
  if (row.category === 'S') return 'text';
  if (row.category === 'A') return row.element_category === 'S' ? 'text-array' : 'array';
  return 'other';
}
