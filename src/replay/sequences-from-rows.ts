/**
 * The twin's sequences brought up to the rows apply wrote. The archive holds
 * no sequence value after the base's, so a row inserted on the source since
 * then carries an id the twin's sequence has not reached, and the twin's own
 * next insert would collide with it. Each sequence that a column of the twin's
 * tables owns (serial, identity) or takes its default from is raised to the
 * column's largest value, never lowered. (The source's own value is not
 * known here; it may be further, for ids taken and not kept.)
 */
import type { Client } from '../pg/connect.js';
import { quoteIdent, quoteQualified } from '../pg/ident.js';

interface ColumnSequence {
  readonly sequence: string;
  readonly table: string;
  readonly column: string;
}

/**
 * Ascending sequences that an integer column (a domain over one included) of
 * the given tables owns or takes its default from: many dumps (pagila's)
 * link a serial column to its sequence only through `DEFAULT nextval(...)`.
 */
const COLUMN_SEQUENCES = `
WITH links AS (
  SELECT d.objid AS seq, d.refobjid AS rel, d.refobjsubid AS attnum
  FROM pg_depend d
  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
  UNION
  SELECT d.refobjid, ad.adrelid, ad.adnum
  FROM pg_attrdef ad
  JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_class'::regclass
)
SELECT s.oid::regclass::text AS sequence, t.oid::regclass::text AS table, a.attname AS column
FROM links l
JOIN pg_class s ON s.oid = l.seq AND s.relkind = 'S'
JOIN pg_sequence q ON q.seqrelid = s.oid AND q.seqincrement > 0
JOIN pg_class t ON t.oid = l.rel
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = l.attnum
JOIN pg_type ty ON ty.oid = a.atttypid
WHERE coalesce(nullif(ty.typbasetype, 0), ty.oid) IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
  AND t.oid = ANY($1::regclass[])
ORDER BY 1, 2, 3`;

export async function raiseSequencesToRows(client: Client, tables: readonly { schema: string; name: string }[]): Promise<void> {
  if (tables.length === 0) return;
  const owned = await client.query<ColumnSequence>(COLUMN_SEQUENCES, [tables.map(quoteQualified)]);
  for (const { sequence, table, column } of owned.rows) {
    // A sequence not yet called stands before its start: the next value is the start itself.
    await client.query(
      `SELECT setval($1::regclass, r.top)
       FROM (SELECT max(${quoteIdent(column)})::bigint AS top FROM ${table}) r
       WHERE r.top > coalesce(pg_sequence_last_value($1::regclass), (SELECT seqstart - 1 FROM pg_sequence WHERE seqrelid = $1::regclass))`,
      [sequence],
    );
  }
}
