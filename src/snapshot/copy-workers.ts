/**
 * N workers, each with its own source session (importing the run's snapshot)
 * and target session, take tables from one queue. The first failure stops the
 * others: a half-run is reported and resumed as a whole, never silently
 * continued.
 */
import type { Endpoints } from './connect-endpoints.js';
import { openClient, type Client } from '../pg/connect.js';
import { importSnapshot } from './snapshot-session.js';
import { copyTable, type CopyResult } from './copy-table.js';
import type { TablePlan } from './plan.js';
import type { SyncObserver } from './observer.js';
import type { ColumnMask } from './mask-transform.js';
import { withRetry, type RetryPolicy } from '../pg/retry.js';
import { messageOf } from '../errors.js';

/** A table copy cut off by a transient failure starts over (its rows were rolled back). */
const TABLE_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 500, maxDelayMs: 5000 };

export interface CopyWorkersInput {
  readonly endpoints: Endpoints;
  readonly snapshotId: string;
  readonly runId: number;
  readonly tables: readonly TablePlan[];
  readonly jobs: number;
  readonly signal: AbortSignal;
  readonly observer: SyncObserver;
  readonly masksFor: (table: TablePlan) => ReadonlyMap<number, ColumnMask>;
}

export interface CopyOutcome {
  readonly completed: ReadonlyMap<string, CopyResult>;
  /** The first error, when the copy stopped early (failure or abort). */
  readonly error: unknown;
}

export async function runCopyWorkers(input: CopyWorkersInput): Promise<CopyOutcome> {
  const queue = [...input.tables];
  const completed = new Map<string, CopyResult>();
  const stop = new AbortController();
  const onOuterAbort = (): void => stop.abort(input.signal.reason);
  input.signal.addEventListener('abort', onOuterAbort, { once: true });
  if (input.signal.aborted) stop.abort(input.signal.reason);
  let firstError: unknown;

  const worker = async (): Promise<void> => {
    let sessions: { source: Client; target: Client } | undefined;
    const close = async (): Promise<void> => {
      const open = sessions;
      sessions = undefined;
      await Promise.all([open?.source.end().catch(() => undefined), open?.target.end().catch(() => undefined)]);
    };
    // Sessions open lazily so --jobs larger than the table count costs nothing.
    const ensureSessions = async (): Promise<{ source: Client; target: Client }> => {
      if (sessions !== undefined) return sessions;
      const source = await openClient(input.endpoints.source, { readOnly: true, applicationName: 'pgtwin worker', signal: stop.signal });
      try {
        await importSnapshot(source, input.snapshotId);
        const target = await openClient(input.endpoints.target, { readOnly: false, applicationName: 'pgtwin worker', signal: stop.signal });
        sessions = { source, target };
        return sessions;
      } catch (error) {
        await source.end().catch(() => undefined);
        throw error;
      }
    };
    try {
      while (!stop.signal.aborted) {
        const table = queue.shift();
        if (table === undefined) return;
        input.observer.tableStarted?.(table);
        const result = await withRetry(
          async () => {
            const { source, target } = await ensureSessions();
            try {
              return await copyTable(table, source, target, {
                runId: input.runId,
                signal: stop.signal,
                masks: input.masksFor(table),
                onProgress: (rows, bytes) => input.observer.tableProgress?.(table, rows, bytes),
              });
            } catch (error) {
              // A session cut off in the middle of COPY cannot be reused: the
              // retry (same snapshot, still held) starts on fresh sessions.
              await close();
              throw error;
            }
          },
          TABLE_RETRY,
          (error, attempt, delayMs) => input.observer.warning?.(`${table.key}: ${messageOf(error)}; copying it again (try ${attempt + 1} of ${TABLE_RETRY.attempts}) in ${delayMs} ms`),
          stop.signal,
        );
        completed.set(table.key, result);
        input.observer.tableFinished?.(table, result);
      }
    } catch (error) {
      firstError ??= stop.signal.aborted && input.signal.aborted ? input.signal.reason ?? error : error;
      stop.abort(error);
    } finally {
      await close();
    }
  };

  try {
    const count = Math.max(1, Math.min(input.jobs, input.tables.length));
    await Promise.all(Array.from({ length: count }, worker));
  } finally {
    input.signal.removeEventListener('abort', onOuterAbort);
  }
  return { completed, error: firstError };
}
