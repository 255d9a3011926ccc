/**
 * The values to look for: every distinct non-null value of every masked source
 * column, streamed with COPY from the source into a temporary table on the
 * target session, so neither pgtwin's memory nor a round trip per value limits
 * how many there are. Values shorter than `minLength` are dropped afterwards:
 * 'FR' or '1' found elsewhere proves nothing.
 */
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import type { Client } from '../pg/connect.js';
import { quoteQualified } from '../pg/ident.js';
import { valueSelects, type Extraction } from './cell-values.js';
import { onlyFor, type CopiedTable } from './copied-table.js';
import { throwIfInterrupted } from './interrupt.js';
import { CANDIDATES, LOOKUP } from './temp-tables.js';

/** A masked source column whose values are candidates; its index in the list is its id in the temp tables. */
export interface Origin {
  readonly table: CopiedTable;
  readonly column: string;
  readonly extraction: Extraction;
}

export interface OriginStats {
  /** `schema.table` */
  readonly table: string;
  readonly column: string;
  /** Distinct values looked for. */
  readonly values: number;
  /** Distinct values left out for being shorter than minLength. */
  readonly skippedShort: number;
}

/** Runs in a target transaction of its own: the index is built after the load, which is faster than maintaining it. */
export async function loadCandidates(
  source: Client,
  target: Client,
  origins: readonly Origin[],
  minLength: number,
  signal: AbortSignal | undefined,
): Promise<OriginStats[]> {
  const stats: OriginStats[] = [];
  for (const [id, origin] of origins.entries()) {
    throwIfInterrupted(signal);
    const values = valueSelects('s', origin.column, origin.extraction).join(' UNION ALL ');
    const extract = `COPY (SELECT DISTINCT x.v COLLATE "C", ${id} FROM ${onlyFor(origin.table.source)}${quoteQualified(origin.table.source)} s CROSS JOIN LATERAL (${values}) x(v) WHERE x.v IS NOT NULL) TO STDOUT`;
    const ingest = target.query(copyStreams.from(`COPY ${CANDIDATES} (value, origin) FROM STDIN`));
    await pipeline(source.query(copyStreams.to(extract)), ingest, { signal });
    const short = await target.query(`DELETE FROM ${CANDIDATES} WHERE origin = $1 AND length(value) < $2`, [id, minLength]);
    const skippedShort = short.rowCount ?? 0;
    stats.push({ table: origin.table.key, column: origin.column, values: ingest.rowCount - skippedShort, skippedShort });
  }
  await target.query(`INSERT INTO ${LOOKUP} (value, origin) SELECT value, min(origin) FROM ${CANDIDATES} GROUP BY value`);
  // Hash: equality is all we ask, and no size limit for long values, unlike a btree.
  await target.query(`CREATE INDEX ON ${CANDIDATES} USING hash (value)`);
  // Temporary tables are never analyzed by autovacuum; the joins need the statistics.
  await target.query(`ANALYZE ${CANDIDATES}, ${LOOKUP}`);
  return stats;
}
