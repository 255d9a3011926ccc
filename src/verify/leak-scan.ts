/**
 * One pass over a target table that finds, for each searched column, the
 * values equal to a candidate (a masked source column's value). The counting
 * and the choice of examples happen in the database, so a table full of hits
 * returns a handful of rows, not the hits. Each value found counts once, under
 * the first masked column that holds it.
 */
import type { Client } from '../pg/connect.js';
import { quoteQualified } from '../pg/ident.js';
import { valueSelects, type Extraction } from './cell-values.js';
import { onlyFor, type CopiedTable } from './copied-table.js';
import { LOOKUP } from './temp-tables.js';
import { MAX_EXAMPLES } from './leak-types.js';
import { keyArraySql } from './row-key.js';

export interface SearchedColumn {
  readonly column: string;
  readonly extraction: Extraction;
}

export interface ColumnHits {
  readonly column: string;
  /** Index of the origin (masked source column) the values belong to. */
  readonly origin: number;
  readonly count: number;
  readonly examples: ReadonlyArray<{ readonly key: readonly (string | null)[] | null; readonly value: string | null }>;
}

interface HitRow {
  i: number;
  origin: number;
  n: string;
  k: (string | null)[] | null;
  v: string | null;
}

export async function scanTable(
  target: Client,
  table: CopiedTable,
  columns: readonly SearchedColumn[],
  key: readonly string[] | undefined,
  includeValues: boolean,
): Promise<ColumnHits[]> {
  if (columns.length === 0) return [];
  const branches = columns.flatMap((c, i) => valueSelects('t', c.column, c.extraction, i)).join(' UNION ALL ');
  const result = await target.query<HitRow>(
    `SELECT z.i, z.origin, z.n::text AS n, z.k, z.v FROM (
       SELECT h.i, c.origin, h.k, ${includeValues ? 'h.v' : 'NULL::text'} AS v,
              count(*) OVER w AS n, row_number() OVER w AS rn
       FROM (SELECT x.i, x.v, ${keyArraySql('t', key)} AS k
             FROM ${onlyFor(table.target)}${quoteQualified(table.target)} t CROSS JOIN LATERAL (${branches}) x(i, v)) h
       JOIN ${LOOKUP} c ON c.value = h.v COLLATE "C"
       WINDOW w AS (PARTITION BY h.i, c.origin)
     ) z
     WHERE z.rn <= ${MAX_EXAMPLES}
     ORDER BY z.i, z.origin, z.rn`,
  );
  const hits = new Map<
    string,
    { column: string; origin: number; count: number; examples: Array<{ key: (string | null)[] | null; value: string | null }> }
  >();
  for (const row of result.rows) {
    const id = `${row.i}/${row.origin}`;
    let entry = hits.get(id);
    if (entry === undefined) {
      entry = { column: columns[row.i]?.column ?? '?', origin: row.origin, count: Number(row.n), examples: [] };
      hits.set(id, entry);
    }
    entry.examples.push({ key: row.k, value: row.v });
  }
  return [...hits.values()];
}
