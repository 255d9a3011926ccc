/**
 * A table with no column to copy (none at all, or only columns the target
 * generates) still has rows, and their number is data. COPY cannot name an
 * empty column list, so the rows are counted on the source and as many are
 * inserted on the target, which fills defaults and generated columns.
 */
import type { Client } from '../pg/connect.js';
import { quoteQualified } from '../pg/ident.js';
import type { TablePlan } from '../plan/plan.js';

/** `rowsQuery` selects the chunk's rows on the source; inside the caller's target transaction; returns the rows inserted. */
export async function copyRowCount(plan: TablePlan, rowsQuery: string, source: Client, target: Client): Promise<number> {
  const counted = await source.query<{ n: string }>(`SELECT count(*)::text AS n FROM (${rowsQuery}) AS copied`);
  const rows = Number(counted.rows[0]?.n ?? 0);
  if (rows > 0) await target.query(`INSERT INTO ${quoteQualified(plan.target)} SELECT FROM generate_series(1, $1::bigint)`, [rows]);
  return rows;
}
