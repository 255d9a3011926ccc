/**
 * Reads the slot's stream and feeds the applier, committing batches at source
 * commit boundaries and telling the source what is safe to forget. The
 * position reported is only ever (a) the end of the last source transaction
 * committed on the twin, or (b) when every received transaction is committed
 * and none is open, the server's own WAL end from a keepalive, so a quiet
 * database does not retain WAL forever. Never what was merely received: a
 * crash then loses nothing.
 */
import type { Duplex } from 'node:stream';
import { decodePgoutput } from './pgoutput.js';
import { parseReplicationMessage, standbyStatusUpdate } from './replication-messages.js';
import type { Lsn } from './lsn.js';
import type { Applier, CommittedBatch } from './applier.js';

export interface StreamLoopOptions {
  readonly stream: Duplex;
  readonly applier: Applier;
  readonly signal: AbortSignal;
  /** Commit when a batch holds this many changes (at a source commit). */
  readonly maxBatchChanges?: number;
  /** ... or is this old; also the longest a change waits when the stream goes quiet. */
  readonly maxBatchDelayMs?: number;
  /** How often the position is reported even when nothing happens. */
  readonly statusIntervalMs?: number;
  readonly onCommitted?: (batch: CommittedBatch) => void;
  /** Called after each report to the source, with the position reported. */
  readonly onFeedback?: (flushed: Lsn) => void;
}

export async function streamChanges(options: StreamLoopOptions): Promise<void> {
  const { stream, applier, signal } = options;
  const maxChanges = options.maxBatchChanges ?? 10_000;
  const maxDelay = options.maxBatchDelayMs ?? 200;
  let flushed: Lsn = 0n;
  let failure: unknown;

  // The applier's target session is used by one operation at a time.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn);
    chain = next.catch(() => undefined);
    return next;
  };
  const report = (reply = false): void => {
    if (stream.destroyed || !stream.writable) return;
    stream.write(standbyStatusUpdate(flushed, flushed, flushed, reply));
    options.onFeedback?.(flushed);
  };
  const commit = async (): Promise<void> => {
    const batch = await applier.commit();
    if (batch === undefined) return;
    if (batch.flushLsn > flushed) flushed = batch.flushLsn;
    options.onCommitted?.(batch);
    report();
  };
  const fail = (error: unknown): void => {
    failure ??= error;
    stream.destroy();
  };

  const timer = setInterval(() => {
    if (applier.batchAgeMs >= maxDelay && !applier.midTransaction) void serial(commit).catch(fail);
  }, Math.max(10, Math.floor(maxDelay / 2)));
  const statusTimer = setInterval(() => void serial(async () => report()).catch(fail), options.statusIntervalMs ?? 10_000);
  const onAbort = (): void => {
    // Idle: nothing half-applied, so the stream can end now. Mid-transaction,
    // the loop stops at the transaction's commit.
    void serial(async () => {
      if (applier.midTransaction) return;
      await commit();
      stream.destroy();
    }).catch(fail);
  };
  signal.addEventListener('abort', onAbort, { once: true });

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const message = parseReplicationMessage(chunk);
      if (message.kind === 'keepalive') {
        await serial(async () => {
          if (!applier.midTransaction && applier.pendingTransactions === 0 && message.walEnd > flushed) flushed = message.walEnd;
          if (message.replyRequested) report(true);
        });
        continue;
      }
      const decoded = decodePgoutput(message.data);
      await serial(async () => {
        await applier.handle(decoded);
        if (decoded.tag !== 'commit' || applier.midTransaction) return;
        const quiet = stream.readableLength === 0;
        if (signal.aborted || quiet || applier.pendingChanges >= maxChanges || applier.batchAgeMs >= maxDelay) await commit();
        if (signal.aborted) stream.destroy();
      });
      if (signal.aborted && !applier.midTransaction) break;
    }
  } catch (error) {
    if (!(signal.aborted && failure === undefined && isDestroyError(error))) failure ??= error;
  } finally {
    clearInterval(timer);
    clearInterval(statusTimer);
    signal.removeEventListener('abort', onAbort);
    await chain;
  }
  if (failure !== undefined) {
    await applier.rollback();
    throw failure;
  }
  await serial(commit).catch(async (error: unknown) => {
    await applier.rollback();
    throw error;
  });
}

function isDestroyError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || /premature close|destroyed/i.test(error.message));
}
