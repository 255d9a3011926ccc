/**
 * N workers, each with its own reader and writer (src/snapshot/copy-ends.ts:
 * the source under the run's snapshot and the twin for sync), take chunks
 * from one queue: whole tables, or the pieces of split ones. The first
 * failure stops the others: a half-run is reported and resumed as a whole,
 * never silently continued.
 */
import { copyTable } from './copy-table.js';
import type { ChunkReader, ChunkWriter, CopyEnds, CopyResult } from './copy-ends.js';
import type { TablePlan } from '../plan/plan.js';
import type { SyncObserver } from './observer.js';
import type { ColumnMask } from '../mask/mask-transform.js';
import type { MaskPool } from '../mask/mask-pool.js';
import type { ChunkPlan } from '../plan/chunk-bounds.js';
import { withRetry, type RetryPolicy } from '../pg/retry.js';
import { messageOf } from '../errors.js';

/** A copy cut off by a transient failure starts over (its rows were rolled back). */
const CHUNK_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 500, maxDelayMs: 5000 };

/** table key -> chunk index -> result */
export type ChunkResults = ReadonlyMap<string, ReadonlyMap<number, CopyResult>>;

export interface CopyWorkersInput {
  /** Where each worker reads chunks from and writes them to. */
  readonly ends: CopyEnds;
  readonly tables: readonly TablePlan[];
  readonly jobs: number;
  readonly signal: AbortSignal;
  readonly observer: SyncObserver;
  readonly masksFor: (table: TablePlan) => ReadonlyMap<number, ColumnMask>;
  /** Masks on worker threads when given; otherwise on this thread. */
  readonly maskPool?: MaskPool | undefined;
  /** Chunks committed by an earlier attempt of this run (`--resume`): not copied again. */
  readonly done?: ChunkResults;
  /** Called when a table's last chunk is committed (in this attempt), while the copy of the others goes on. */
  readonly onTableCopied?: (table: TablePlan) => void;
}

export interface CopyOutcome {
  /** Tables whose every chunk is committed, with their totals. */
  readonly completed: ReadonlyMap<string, CopyResult>;
  /** Every committed chunk, this attempt's and earlier ones. */
  readonly chunks: ChunkResults;
  /** The first error, when the copy stopped early (failure or abort). */
  readonly error: unknown;
}

interface Unit {
  readonly table: TablePlan;
  readonly chunk: ChunkPlan;
}

/** Per-table totals as chunks finish, so observers see tables, not chunks. */
class TableTally {
  private readonly results = new Map<string, Map<number, CopyResult>>();
  private readonly inFlight = new Map<string, Map<number, { rows: number; bytes: number }>>();
  private readonly started = new Set<string>();

  constructor(
    private readonly observer: SyncObserver,
    done: ChunkResults | undefined,
    private readonly onTableCopied: ((table: TablePlan) => void) | undefined,
  ) {
    for (const [table, chunks] of done ?? []) this.results.set(table, new Map(chunks));
  }

  isDone(unit: Unit): boolean {
    return this.results.get(unit.table.key)?.has(unit.chunk.index) === true;
  }

  start(unit: Unit): void {
    if (this.started.has(unit.table.key)) return;
    this.started.add(unit.table.key);
    this.observer.tableStarted?.(unit.table);
  }

  progress(unit: Unit, rows: number, bytes: number): void {
    const flights = this.inFlight.get(unit.table.key) ?? new Map<number, { rows: number; bytes: number }>();
    flights.set(unit.chunk.index, { rows, bytes });
    this.inFlight.set(unit.table.key, flights);
    const total = this.total(unit.table.key);
    this.observer.tableProgress?.(unit.table, total.rows, total.bytes);
  }

  finish(unit: Unit, result: CopyResult): void {
    this.inFlight.get(unit.table.key)?.delete(unit.chunk.index);
    const results = this.results.get(unit.table.key) ?? new Map<number, CopyResult>();
    results.set(unit.chunk.index, result);
    this.results.set(unit.table.key, results);
    if (results.size === unit.table.chunks.length) {
      this.observer.tableFinished?.(unit.table, this.total(unit.table.key));
      this.onTableCopied?.(unit.table);
    }
  }

  completed(tables: readonly TablePlan[]): Map<string, CopyResult> {
    const result = new Map<string, CopyResult>();
    for (const table of tables)
      if ((this.results.get(table.key)?.size ?? 0) === table.chunks.length) result.set(table.key, this.total(table.key));
    return result;
  }

  chunks(): ChunkResults {
    return this.results;
  }

  private total(key: string): CopyResult {
    let rows = 0;
    let bytes = 0;
    let durationMs = 0;
    for (const r of this.results.get(key)?.values() ?? []) {
      rows += r.rows;
      bytes += r.bytes;
      durationMs = Math.max(durationMs, r.durationMs);
    }
    for (const r of this.inFlight.get(key)?.values() ?? []) {
      rows += r.rows;
      bytes += r.bytes;
    }
    return { rows, bytes, durationMs };
  }
}

export async function runCopyWorkers(input: CopyWorkersInput): Promise<CopyOutcome> {
  const tally = new TableTally(input.observer, input.done, input.onTableCopied);
  const queue: Unit[] = input.tables
    .flatMap((table) => table.chunks.map((chunk) => ({ table, chunk })))
    .filter((unit) => !tally.isDone(unit));
  const stop = new AbortController();
  const onOuterAbort = (): void => stop.abort(input.signal.reason);
  input.signal.addEventListener('abort', onOuterAbort, { once: true });
  if (input.signal.aborted) stop.abort(input.signal.reason);
  let firstError: unknown;

  const worker = async (): Promise<void> => {
    let ends: { reader: ChunkReader; writer: ChunkWriter } | undefined;
    const close = async (): Promise<void> => {
      const open = ends;
      ends = undefined;
      // The writer first: it holds the transaction the reader feeds.
      await open?.writer.close();
      await open?.reader.close();
    };
    // Opened lazily so --jobs larger than the chunk count costs nothing; both ends at once, each waiting on its own server.
    const ensureEnds = async (): Promise<{ reader: ChunkReader; writer: ChunkWriter }> => {
      if (ends !== undefined) return ends;
      const [reader, writer] = await Promise.allSettled([input.ends.openReader(stop.signal), input.ends.openWriter(stop.signal)]);
      if (reader.status === 'fulfilled' && writer.status === 'fulfilled') {
        ends = { reader: reader.value, writer: writer.value };
        return ends;
      }
      // The writer first, as in close().
      if (writer.status === 'fulfilled') await writer.value.close();
      if (reader.status === 'fulfilled') await reader.value.close();
      throw reader.status === 'rejected' ? reader.reason : (writer as PromiseRejectedResult).reason;
    };
    try {
      while (!stop.signal.aborted) {
        const unit = queue.shift();
        if (unit === undefined) return;
        tally.start(unit);
        const label =
          unit.table.chunks.length === 1
            ? unit.table.key
            : `${unit.table.key} (chunk ${unit.chunk.index + 1} of ${unit.table.chunks.length})`;
        const result = await withRetry(
          async () => {
            const { reader, writer } = await ensureEnds();
            try {
              return await copyTable(unit.table, unit.chunk, reader, writer, {
                signal: stop.signal,
                masks: input.masksFor(unit.table),
                maskPool: input.maskPool,
                onProgress: (rows, bytes) => tally.progress(unit, rows, bytes),
              });
            } catch (error) {
              // A session cut off in the middle of COPY cannot be reused: the
              // retry (same snapshot, still held) starts on fresh ends.
              await close();
              tally.progress(unit, 0, 0);
              throw error;
            }
          },
          CHUNK_RETRY,
          (error, attempt, delayMs) =>
            input.observer.warning?.(
              `${label}: ${messageOf(error)}; copying it again (try ${attempt + 1} of ${CHUNK_RETRY.attempts}) in ${delayMs} ms`,
            ),
          stop.signal,
        );
        tally.finish(unit, result);
      }
    } catch (error) {
      firstError ??= stop.signal.aborted && input.signal.aborted ? (input.signal.reason ?? error) : error;
      stop.abort(error);
    } finally {
      await close();
    }
  };

  try {
    const count = Math.max(1, Math.min(input.jobs, queue.length));
    await Promise.all(Array.from({ length: count }, worker));
  } finally {
    input.signal.removeEventListener('abort', onOuterAbort);
  }
  return { completed: tally.completed(input.tables), chunks: tally.chunks(), error: firstError };
}
