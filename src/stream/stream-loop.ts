/**
 * Reads the slot's stream and feeds a sink (src/stream/change-sink.ts: the
 * twin's applier in follow, an archive's change writer in capture),
 * committing batches at source commit boundaries and telling the source what
 * is safe to forget. The position reported is only ever (a) the end of the
 * last source transaction the sink has made durable, or (b) when every received transaction is committed
 * (none open, none pending, no COMMIT on its way) the server's own WAL end
 * from a keepalive, so a quiet database does not retain WAL forever. Never
 * what was merely received: a crash then loses nothing.
 *
 * A batch's COMMIT is sent without stopping the stream: the next batch is
 * decoded and built while the twin commits, and the position is reported
 * when the COMMIT returns.
 *
 * The loop's state is one object (StreamLoop): the positions, the sink
 * and its turns, the stop, and one ticker for what happens now and then
 * (an old batch committed, the position reported, the side work).
 */
import type { Duplex } from 'node:stream';
import { decodePgoutput } from './pgoutput.js';
import { parseReplicationMessage, standbyStatusUpdate } from './replication-messages.js';
import type { Lsn } from './lsn.js';
import type { ChangeSink, CommittedBatch } from './change-sink.js';
import type { PgoutputMessage } from './pgoutput.js';
import { Turns } from './turns.js';
import { Ticker } from './ticker.js';

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
  /** Where the changes go: the twin's applier (follow) or an archive's change writer (capture). */
  readonly sink: ChangeSink;
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
  /**
   * Work done now and then beside the stream (the follow's sequences), one
   * run at a time, waited for before the loop returns. Its failures are its
   * own to report: the loop ignores them.
   */
  readonly sideWork?: { readonly intervalMs: number; readonly run: () => Promise<void> };
}

/** Resolves true when it stopped at `stopAt`, false when it was asked to stop. */
export async function streamChanges(options: StreamLoopOptions): Promise<boolean> {
  return new StreamLoop(options).run();
}

class StreamLoop {
  private readonly stream: Duplex;
  private readonly sink: ChangeSink;
  private readonly signal: AbortSignal;
  private readonly stopAt: Lsn | undefined;
  private readonly maxChanges: number;
  private readonly maxDelay: number;
  private readonly minDelay: number;
  private readonly statusInterval: number;
  /** The sink (the applier's target session) is used by one operation at a time: the stream's, the ticker's, the stop's. */
  private readonly turns = new Turns();
  private readonly ticker = new Ticker();

  /** The position the source may be told is flushed (see the top of this file); only ever moves forward. */
  private flushed: Lsn = 0n;
  private reportedAt = performance.now();
  /** A batch committed since the last report: its position goes out with the next status check. */
  private unreported = false;
  /** The side work under way, or done (the next run waits for it). */
  private sideWork: Promise<unknown> = Promise.resolve();
  /** The first failure: it ends the loop, and the uncommitted batch is rolled back. */
  private failure: unknown;
  /** The catch-up got to `stopAt`. */
  private reachedStop = false;

  constructor(private readonly options: StreamLoopOptions) {
    this.stream = options.stream;
    this.sink = options.sink;
    this.signal = options.signal;
    this.stopAt = options.stopAt;
    this.maxChanges = options.maxBatchChanges ?? 10_000;
    this.maxDelay = options.maxBatchDelayMs ?? 200;
    this.minDelay = Math.min(options.minBatchDelayMs ?? MIN_BATCH_DELAY_MS, this.maxDelay);
    this.statusInterval = options.statusIntervalMs ?? 10_000;
  }

  async run(): Promise<boolean> {
    const { sink, signal } = this;
    await sink.prepare();
    this.schedule();
    const onAbort = (): void => this.stopWhenIdle();
    signal.addEventListener('abort', onAbort, { once: true });
    // Asked to stop while the sink was being prepared: the listener came too late to hear it.
    if (signal.aborted) this.stopWhenIdle();
    try {
      await this.readStream();
    } catch (error) {
      if (!(signal.aborted && this.failure === undefined && isDestroyError(error))) this.failure ??= error;
    } finally {
      this.ticker.stop();
      signal.removeEventListener('abort', onAbort);
      await this.turns.idle();
    }
    if (this.failure === undefined) {
      // The last batch, and the COMMITs still on their way: their confirmations set `failure` if one fails.
      await this.turns.run(() => this.commitAndWait())?.catch((error: unknown) => this.fail(error));
    }
    await this.sideWork;
    if (this.failure !== undefined) {
      await sink.rollback();
      throw this.failure;
    }
    return this.reachedStop;
  }

  /** What happens now and then rather than on a message: one ticker, each duty at its own interval. */
  private schedule(): void {
    this.ticker.every(Math.max(5, Math.min(this.minDelay, Math.floor(this.maxDelay / 2))), () => this.commitOldBatch());
    this.ticker.every(Math.min(FEEDBACK_INTERVAL_MS, this.statusInterval), () => this.checkStatus());
    const { sideWork } = this.options;
    if (sideWork !== undefined)
      this.ticker.every(sideWork.intervalMs, () => (this.sideWork = this.sideWork.then(sideWork.run).catch(() => undefined)));
    this.ticker.start();
  }

  /** Each message in its turn, until the stream ends, the catch-up reaches `stopAt`, or a stop is asked for between transactions. */
  private async readStream(): Promise<void> {
    for await (const chunk of this.stream as AsyncIterable<Buffer>) {
      const message = parseReplicationMessage(chunk);
      if (message.kind === 'keepalive') {
        const step = this.turns.run(() => this.onKeepalive(message.walEnd, message.replyRequested));
        if (step !== undefined) await step;
        if (this.reachedStop) return;
        continue;
      }
      const decoded = decodePgoutput(message.data);
      if (this.stopAt !== undefined && decoded.tag === 'begin' && decoded.finalLsn >= this.stopAt) {
        // The first transaction the snapshot already holds: not applied; the stream starts with it again later.
        this.reachedStop = true;
        const step = this.turns.run(() => this.finish());
        if (step !== undefined) await step;
        return;
      }
      const step = this.turns.run(() => this.apply(decoded));
      if (step !== undefined) await step;
      if (this.signal.aborted && !this.sink.midTransaction) return;
    }
  }

  private apply(message: PgoutputMessage): Promise<void> | undefined {
    const handled = this.sink.handle(message);
    return handled === undefined ? this.afterMessage(message) : handled.then(() => this.afterMessage(message));
  }

  /** At a source commit: stop if asked, or commit the batch once it is full or old enough. */
  private afterMessage(message: PgoutputMessage): Promise<void> | undefined {
    const { sink } = this;
    if (message.tag !== 'commit' || sink.midTransaction) return undefined;
    if (this.signal.aborted) return this.finish();
    const age = sink.batchAgeMs;
    if (
      (age >= this.minDelay && this.stream.readableLength === 0) ||
      sink.pendingChanges >= this.maxChanges ||
      sink.batchFull ||
      age >= this.maxDelay
    )
      return this.commit();
    return undefined;
  }

  private onKeepalive(walEnd: Lsn, replyRequested: boolean): Promise<void> | undefined {
    const { sink, stopAt } = this;
    // Every received transaction committed (none open, none pending, no COMMIT unconfirmed): the server's WAL end is safe.
    if (!sink.midTransaction && sink.pendingTransactions === 0 && !sink.committing && walEnd > this.flushed) this.flushed = walEnd;
    // Everything before the server's sent position has arrived: once what is pending commits, the twin holds every transaction before stopAt.
    if (stopAt !== undefined && !sink.midTransaction && walEnd >= stopAt) {
      this.reachedStop = true;
      return this.finish();
    }
    if (replyRequested) this.report(true);
    return undefined;
  }

  /** Ticker: a batch that waited long enough is committed even when no message comes to trigger it. */
  private commitOldBatch(): void {
    const { sink } = this;
    const age = sink.batchAgeMs;
    if (!sink.midTransaction && (age >= this.maxDelay || (age >= this.minDelay && this.stream.readableLength === 0)))
      this.turns.background(
        () => this.commit(),
        (error) => this.fail(error),
      );
  }

  /** Ticker: not a turn, so the source hears from the twin even while a long step holds the sink. */
  private checkStatus(): void {
    // Catching up: ask for a keepalive, whose position says how far the server has sent (a quiet source sends nothing else).
    if (this.stopAt !== undefined) this.report(true);
    else if (this.unreported || performance.now() - this.reportedAt >= this.statusInterval) this.report();
  }

  /** Idle: nothing half-applied, so the stream can end now. Mid-transaction, the loop stops at the transaction's commit. */
  private stopWhenIdle(): void {
    this.turns.background(
      () => (this.sink.midTransaction ? undefined : this.finish()),
      (error) => this.fail(error),
    );
  }

  private async commit(): Promise<void> {
    const pending = await this.sink.commit();
    pending?.committed.then(
      (batch) => this.onCommitted(batch),
      (error: unknown) => this.fail(error),
    );
  }

  private onCommitted(batch: CommittedBatch | undefined): void {
    if (batch === undefined) return;
    if (batch.flushLsn > this.flushed) this.flushed = batch.flushLsn;
    this.options.onCommitted?.(batch);
    if (performance.now() - this.reportedAt >= FEEDBACK_INTERVAL_MS) this.report();
    else this.unreported = true;
  }

  /** Commits what is pending and waits for the twin to confirm it. */
  private async commitAndWait(): Promise<void> {
    await this.commit();
    await this.sink.drain();
  }

  /** Stopping: everything committed and reported, then the stream ends. */
  private async finish(): Promise<void> {
    await this.commitAndWait();
    if (this.unreported) this.report();
    this.stream.destroy();
  }

  private report(reply = false): void {
    const { stream, flushed } = this;
    if (stream.destroyed || !stream.writable) return;
    stream.write(standbyStatusUpdate(flushed, flushed, flushed, reply));
    this.reportedAt = performance.now();
    this.unreported = false;
    this.options.onFeedback?.(flushed);
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.stream.destroy();
  }
}

function isDestroyError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || /premature close|destroyed/i.test(error.message));
}
