/**
 * Splitting a large table into chunks that workers copy in parallel, each in
 * its own target transaction (which is also what `--resume` counts). A table
 * with a single-column integer primary key is cut into key ranges; any other
 * table into ranges of heap pages (ctid). The first and last chunks are open
 * ended, so every row of the snapshot falls in exactly one chunk whatever the
 * statistics said when the boundaries were drawn.
 */
import type { Client } from '../pg/connect.js';
import { quoteIdent, quoteQualified } from '../pg/ident.js';
import type { TablePlan } from './plan.js';
import { WHOLE_TABLE, type ChunkBounds, type ChunkPlan } from './chunk-bounds.js';

const INTEGER_TYPES = new Set(['smallint', 'integer', 'bigint']);
/** More chunks cost more transactions and scans for little gain. */
const MAX_CHUNKS = 256;

export interface SplitPolicy {
  /** Tables whose heap is larger than this many bytes are split. */
  readonly largerThan: number;
  /** Parallel workers: a split table gets at least this many chunks. */
  readonly jobs: number;
}

/** How many chunks a table of `bytes` gets: pieces of about a quarter of the threshold, at least one per worker. */
export function chunkCount(bytes: number, policy: SplitPolicy): number {
  if (bytes <= policy.largerThan) return 1;
  const pieces = Math.ceil(bytes / Math.max(1, Math.floor(policy.largerThan / 4)));
  return Math.max(2, Math.min(MAX_CHUNKS, Math.max(pieces, policy.jobs)));
}

/** The chunks of one table; reads the key range or page count on the source (index lookups, no scan). */
export async function planChunks(source: Client, table: TablePlan, policy: SplitPolicy): Promise<readonly ChunkPlan[]> {
  // A LIMIT applies to the whole table and cannot be shared between chunks;
  // partitioned roots are copied through their root as one stream.
  if (table.limit !== undefined || table.source.kind !== 'table') return WHOLE_TABLE;
  const count = chunkCount(table.source.bytes, policy);
  if (count === 1) return WHOLE_TABLE;
  const key = integerKey(table);
  if (key !== undefined) {
    const range = await source.query<{ lo: string | null; hi: string | null }>(
      `SELECT min(${quoteIdent(key)})::text AS lo, max(${quoteIdent(key)})::text AS hi FROM ONLY ${quoteQualified(table.source)}`,
    );
    const lo = range.rows[0]?.lo;
    const hi = range.rows[0]?.hi;
    if (lo === null || lo === undefined || hi === null || hi === undefined) return WHOLE_TABLE;
    return keyChunks(key, BigInt(lo), BigInt(hi), count);
  }
  const blocks = await source.query<{ pages: string }>(`SELECT ceil($1::numeric / current_setting('block_size')::int)::int8 AS pages`, [
    table.source.bytes,
  ]);
  return pageChunks(Number(blocks.rows[0]?.pages ?? 0), count);
}

function integerKey(table: TablePlan): string | undefined {
  if (table.source.primaryKey.length !== 1) return undefined;
  const name = table.source.primaryKey[0];
  const column = table.source.columns.find((c) => c.name === name);
  return column !== undefined && INTEGER_TYPES.has(column.type) ? column.name : undefined;
}

export function keyChunks(column: string, lo: bigint, hi: bigint, count: number): ChunkPlan[] {
  const span = hi - lo + 1n;
  const n = BigInt(count) > span ? Number(span) : count;
  if (n <= 1) return [...WHOLE_TABLE];
  const step = (span + BigInt(n) - 1n) / BigInt(n);
  const cuts = Array.from({ length: n - 1 }, (_, i) => lo + step * BigInt(i + 1)).filter((cut) => cut <= hi);
  return boundsFrom(cuts.map(String), (lower, upper) => ({ kind: 'key', column, lower, upper }));
}

export function pageChunks(pages: number, count: number): ChunkPlan[] {
  const n = Math.min(count, pages);
  if (n <= 1) return [...WHOLE_TABLE];
  const step = Math.ceil(pages / n);
  const cuts = Array.from({ length: n - 1 }, (_, i) => step * (i + 1)).filter((cut) => cut < pages);
  return boundsFrom(cuts, (lower, upper) => ({ kind: 'pages', lower, upper }));
}

function boundsFrom<T>(cuts: readonly T[], make: (lower: T | undefined, upper: T | undefined) => ChunkBounds): ChunkPlan[] {
  const edges: (T | undefined)[] = [undefined, ...cuts, undefined];
  return cuts.length === 0
    ? [...WHOLE_TABLE]
    : edges.slice(0, -1).map((lower, index) => ({ index, bounds: make(lower, edges[index + 1]) }));
}
