/**
 * Did a masked column keep its source value? Dictionary strategies (names,
 * cities) legitimately output values that other source rows have, so a match
 * with *some* source value proves nothing; a match with the same row's own
 * source value is a leak. Only target rows whose value is among the column's
 * source values are checked, and values are compared as md5 digests so large
 * documents stay small in transit.
 *
 * Two ways, both with memory bounded whatever the table size: a few matches
 * are read through a cursor a batch at a time and each batch is fetched from
 * the source by key (its key index); many matches (a dictionary column matches
 * almost every row) would cost a round trip per batch, so the source column's
 * (key, digest) pairs are instead streamed with COPY into a temporary table
 * and joined on the target.
 */
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import type { Client } from '../pg/connect.js';
import { quoteIdent, quoteQualified } from '../pg/ident.js';
import { valueSelects, type Extraction } from './cell-values.js';
import { onlyFor, type CopiedTable } from './copied-table.js';
import { throwIfInterrupted } from './interrupt.js';
import { MAX_EXAMPLES } from './leak-types.js';
import { keyArraySql } from './row-key.js';
import { CANDIDATES, SOURCE_ROWS } from './temp-tables.js';

const BATCH = 1000;
const CURSOR = 'pgtwin_kept_values';
export const DEFAULT_LOOKUP_LIMIT = 20 * BATCH;

export interface KeptCheckRequest {
  readonly table: CopiedTable;
  readonly column: string;
  /** How the target column's values are matched against the candidates. */
  readonly extraction: Extraction;
  /** The candidates' origin id of this very column on the source. */
  readonly origin: number;
  readonly key: readonly string[];
  readonly includeValues: boolean;
  /** Matching rows up to which rows are looked up by key; above, the column is copied. */
  readonly lookupLimit: number;
  readonly signal: AbortSignal | undefined;
}

export interface KeptCheck {
  /** Target rows whose value is one of the column's source values. */
  readonly matched: number;
  /** Of those, rows holding their own source value. */
  readonly kept: number;
  readonly examples: ReadonlyArray<{ readonly key: readonly string[]; readonly value: string | null }>;
}

interface Parts {
  /** `FROM ... WHERE ...` of the target rows whose value is a candidate of this column. */
  readonly matching: string;
  /** The column on the target row `t`. */
  readonly ref: string;
}

export async function findKeptValues(source: Client, target: Client, request: KeptCheckRequest): Promise<KeptCheck> {
  const { table, column } = request;
  const ref = `t.${quoteIdent(column)}`;
  const hit =
    request.extraction === 'whole'
      ? `${ref}::text COLLATE "C" IN (SELECT c.value FROM ${CANDIDATES} c WHERE c.origin = ${request.origin})`
      : `EXISTS (SELECT 1 FROM (${valueSelects('t', column, request.extraction).join(' UNION ALL ')}) x(v) JOIN ${CANDIDATES} c ON c.value = x.v COLLATE "C" AND c.origin = ${request.origin})`;
  const parts = { matching: `FROM ${onlyFor(table.target)}${quoteQualified(table.target)} t WHERE ${hit}`, ref };
  const counted = await target.query<{ n: string }>(`SELECT count(*)::text AS n ${parts.matching}`);
  const matched = Number(counted.rows[0]?.n ?? 0);
  if (matched === 0) return { matched, kept: 0, examples: [] };
  const found =
    matched > request.lookupLimit ? await keptByCopy(source, target, request, parts) : await keptByLookup(source, target, request, parts);
  return { matched, ...found };
}

type Found = Omit<KeptCheck, 'matched'>;

async function keptByLookup(source: Client, target: Client, request: KeptCheckRequest, parts: Parts): Promise<Found> {
  const { key } = request;
  await target.query(
    `DECLARE ${CURSOR} NO SCROLL CURSOR FOR
     SELECT ${keyArraySql('t', key)} AS k, md5(${parts.ref}::text) AS h${request.includeValues ? `, ${parts.ref}::text AS v` : ''} ${parts.matching}`,
  );
  const lookup = sourceLookupSql(request.table, request.column, key);
  let kept = 0;
  const examples: Array<{ key: string[]; value: string | null }> = [];
  try {
    while (true) {
      throwIfInterrupted(request.signal);
      const batch = (await target.query<{ k: string[]; h: string | null; v?: string | null }>(`FETCH FORWARD ${BATCH} FROM ${CURSOR}`))
        .rows;
      if (batch.length === 0) break;
      const params = key.map((_, i) => batch.map((r) => r.k[i] ?? ''));
      const found = await source.query<{ k: string[]; h: string | null }>(lookup, params);
      const sourceDigests = new Map(found.rows.map((r) => [JSON.stringify(r.k), r.h]));
      for (const row of batch) {
        if (row.h === null || sourceDigests.get(JSON.stringify(row.k)) !== row.h) continue;
        kept++;
        if (examples.length < MAX_EXAMPLES) examples.push({ key: row.k, value: row.v ?? null });
      }
    }
  } finally {
    await target.query(`CLOSE ${CURSOR}`).catch(() => undefined);
  }
  return { kept, examples };
}

/** The source rows of a batch of keys, found through the source's own key index. */
function sourceLookupSql(table: CopiedTable, column: string, key: readonly string[]): string {
  const types = new Map(table.source.columns.map((c) => [c.name, c.type]));
  const names = key.map((_, i) => `k${i}`);
  const unnest = `unnest(${key.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS b(${names.join(', ')})`;
  const on = key.map((c, i) => `s.${quoteIdent(c)} = b.${names[i] ?? ''}::${types.get(c) ?? 'text'}`).join(' AND ');
  return `SELECT ${keyArraySql('s', key)} AS k, md5(s.${quoteIdent(column)}::text) AS h
          FROM ${onlyFor(table.source)}${quoteQualified(table.source)} s JOIN ${unnest} ON ${on}`;
}

async function keptByCopy(source: Client, target: Client, request: KeptCheckRequest, parts: Parts): Promise<Found> {
  const { table, key } = request;
  const column = `s.${quoteIdent(request.column)}`;
  await target.query(`DELETE FROM ${SOURCE_ROWS}`);
  const extract = `COPY (SELECT ${keyArraySql('s', key)}::text, md5(${column}::text) FROM ${onlyFor(table.source)}${quoteQualified(table.source)} s WHERE ${column} IS NOT NULL) TO STDOUT`;
  await pipeline(source.query(copyStreams.to(extract)), target.query(copyStreams.from(`COPY ${SOURCE_ROWS} (k, h) FROM STDIN`)), {
    signal: request.signal,
  });
  await target.query(`ANALYZE ${SOURCE_ROWS}`);
  const result = await target.query<{ n: string; k: string[]; v: string | null }>(
    `SELECT count(*) OVER ()::text AS n, t.k, t.v
     FROM (SELECT ${keyArraySql('t', key)} AS k, md5(${parts.ref}::text) AS h, ${request.includeValues ? `${parts.ref}::text` : 'NULL::text'} AS v ${parts.matching}) t
     JOIN ${SOURCE_ROWS} r ON r.k = t.k::text COLLATE "C" AND r.h = t.h COLLATE "C"
     LIMIT ${MAX_EXAMPLES}`,
  );
  await target.query(`DELETE FROM ${SOURCE_ROWS}`);
  return { kept: Number(result.rows[0]?.n ?? 0), examples: result.rows.map((r) => ({ key: r.k, value: r.v })) };
}
