/**
 * Reads the slot's stream and feeds the applier, committing batches at source
 * commit boundaries and telling the source what is safe to forget. The
 * position reported is only ever (a) the end of the last source transaction
 * committed on the twin, or (b) when every received transaction is committed
 * (none open, none pending, no COMMIT on its way) the server's own WAL end
 * from a keepalive, so a quiet database does not retain WAL forever. Never
 * what was merely received: a crash then loses nothing.
 *
 * A batch's COMMIT is sent without stopping the stream: the next batch is
 * decoded and built while the twin commits, and the position is reported
 * when the COMMIT returns.
 */
import type { Duplex } from 'node:stream';
import { decodePgoutput } from '../stream/pgoutput.js';
import { parseReplicationMessage, standbyStatusUpdate } from '../stream/replication-messages.js';
import type { Lsn } from '../stream/lsn.js';
import type { Applier, CommittedBatch } from '../apply/applier.js';
import type { PgoutputMessage } from '../stream/pgoutput.js';
import { Turns } from '../apply/turns.js';

/**
 * Committing each time the stream runs dry gave 100-170 batches a second
 * under a steady 2,000 transactions/s, each with its round trips and its
 * record; waiting until a batch is 20 ms old cut that to about 30, and the
 * twin's CPU per change by a third (docs/performance.md).
 */
const MIN_BATCH_DELAY_MS = 20;
/**
 * Positions are reported at most this often (and on the server's request):
 * a report per batch cost a socket write here and a wakeup of the walsender,
 * tens of times a second, to move the slot a few milliseconds sooner.
 */
const FEEDBACK_INTERVAL_MS = 100;

export interface StreamLoopOptions {
  readonly stream: Duplex;
  readonly applier: Applier;
  readonly signal: AbortSignal;
  /** Commit when a batch holds this many changes (at a source commit). */
  readonly maxBatchChanges?: number;
  /** ... or is this old; also the longest a change waits when the stream goes quiet. */
  readonly maxBatchDelayMs?: number;
  /**
   * A batch that nothing follows yet is committed once it is this old: an
   * idle stream gets its changes within this time, a busy one commits fewer,
   * larger batches (each costs a round trip and the record on the twin).
   */
  readonly minBatchDelayMs?: number;
  /** How often the position is reported even when nothing happens. */
  readonly statusIntervalMs?: number;
  readonly onCommitted?: (batch: CommittedBatch) => void;
  /** Called after each report to the source, with the position reported. */
  readonly onFeedback?: (flushed: Lsn) => void;
  /**
   * Catching up to a snapshot taken at this position (a table added to a
   * followed twin, src/follow/table-handoff.ts): stop once every source
   * transaction that commits before it is committed on the twin, without
   * applying any that commits at or after it.
   */
  readonly stopAt?: Lsn;
}

/** Resolves true when it stopped at `stopAt`, false when it was asked to stop. */
export async function streamChanges(options: StreamLoopOptions): Promise<boolean> {
  const { stream, applier, signal } = options;
  const maxChanges = options.maxBatchChanges ?? 10_000;
  const maxDelay = options.maxBatchDelayMs ?? 200;
  const minDelay = Math.min(options.minBatchDelayMs ?? MIN_BATCH_DELAY_MS, maxDelay);
  let flushed: Lsn = 0n;
  let failure: unknown;
  const { stopAt } = options;
  let reachedStop = false;

  // The applier's target session is used by one operation at a time.
  const turns = new Turns();
  let reportedAt = performance.now();
  let unreported = false;
  const report = (reply = false): void => {
    if (stream.destroyed || !stream.writable) return;
    stream.write(standbyStatusUpdate(flushed, flushed, flushed, reply));
    reportedAt = performance.now();
    unreported = false;
    options.onFeedback?.(flushed);
  };
  const fail = (error: unknown): void => {
    failure ??= error;
    stream.destroy();
  };
  const commit = async (): Promise<void> => {
    const pending = await applier.commit();
    pending?.committed.then((batch) => {
      if (batch === undefined) return;
      if (batch.flushLsn > flushed) flushed = batch.flushLsn;
      options.onCommitted?.(batch);
      if (performance.now() - reportedAt >= FEEDBACK_INTERVAL_MS) report();
      else unreported = true;
    }, fail);
  };
  /** Commits what is pending and waits for the twin to confirm it. */
  const commitAndWait = async (): Promise<void> => {
    await commit();
    await applier.drain();
  };
  /** Stopping: everything committed and reported, then the stream ends. */
  const finish = async (): Promise<void> => {
    await commitAndWait();
    if (unreported) report();
    stream.destroy();
  };
  const afterMessage = (message: PgoutputMessage): Promise<void> | undefined => {
    if (message.tag !== 'commit' || applier.midTransaction) return undefined;
    if (signal.aborted) return finish();
    const age = applier.batchAgeMs;
    if ((age >= minDelay && stream.readableLength === 0) || applier.pendingChanges >= maxChanges || age >= maxDelay) return commit();
    return undefined;
  };
  const apply = (message: PgoutputMessage): Promise<void> | undefined => {
    const handled = applier.handle(message);
    return handled === undefined ? afterMessage(message) : handled.then(() => afterMessage(message));
  };

  await applier.prepare();
  const timer = setInterval(
    () => {
      const age = applier.batchAgeMs;
      if (!applier.midTransaction && (age >= maxDelay || (age >= minDelay && stream.readableLength === 0))) turns.background(commit, fail);
    },
    Math.max(5, Math.min(minDelay, Math.floor(maxDelay / 2))),
  );
  const statusInterval = options.statusIntervalMs ?? 10_000;
  const statusTimer = setInterval(
    () => {
      // Catching up: ask for a keepalive, whose position says how far the server has sent (a quiet source sends nothing else).
      if (stopAt !== undefined) report(true);
      else if (unreported || performance.now() - reportedAt >= statusInterval) report();
    },
    Math.min(FEEDBACK_INTERVAL_MS, statusInterval),
  );
  const onAbort = (): void => {
    // Idle: nothing half-applied, so the stream can end now. Mid-transaction,
    // the loop stops at the transaction's commit.
    turns.background(() => (applier.midTransaction ? undefined : finish()), fail);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  // Asked to stop while the applier was being prepared: the listener came too late to hear it.
  if (signal.aborted) onAbort();

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const message = parseReplicationMessage(chunk);
      if (message.kind === 'keepalive') {
        const step = turns.run(() => {
          // Every received transaction committed (none open, none pending, no COMMIT unconfirmed): the server's WAL end is safe.
          if (!applier.midTransaction && applier.pendingTransactions === 0 && !applier.committing && message.walEnd > flushed)
            flushed = message.walEnd;
          // Everything before the server's sent position has arrived: once what is pending commits, the twin holds every transaction before stopAt.
          if (stopAt !== undefined && !applier.midTransaction && message.walEnd >= stopAt) {
            reachedStop = true;
            return finish();
          }
          if (message.replyRequested) report(true);
          return undefined;
        });
        if (step !== undefined) await step;
        if (reachedStop) break;
        continue;
      }
      const decoded = decodePgoutput(message.data);
      if (stopAt !== undefined && decoded.tag === 'begin' && decoded.finalLsn >= stopAt) {
        // The first transaction the snapshot already holds: not applied; the stream starts with it again later.
        reachedStop = true;
        const step = turns.run(finish);
        if (step !== undefined) await step;
        break;
      }
      const step = turns.run(() => apply(decoded));
      if (step !== undefined) await step;
      if (signal.aborted && !applier.midTransaction) break;
    }
  } catch (error) {
    if (!(signal.aborted && failure === undefined && isDestroyError(error))) failure ??= error;
  } finally {
    clearInterval(timer);
    clearInterval(statusTimer);
    signal.removeEventListener('abort', onAbort);
    await turns.idle();
  }
  if (failure === undefined) {
    // The last batch, and the COMMITs still on their way: their confirmations set `failure` if one fails.
    await turns.run(commitAndWait)?.catch(fail);
  }
  if (failure !== undefined) {
    await applier.rollback();
    throw failure;
  }
  return reachedStop;
}

function isDestroyError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || /premature close|destroyed/i.test(error.message));
}
