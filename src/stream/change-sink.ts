/**
 * What the stream loop (src/stream/stream-loop.ts) writes decoded source
 * transactions into: the twin's applier (follow) or an archive's change
 * writer (capture). The loop decides when to commit and what to report to
 * the source; the sink decides how a batch becomes durable, and says so by
 * resolving its pending commit with the position the slot may be told is
 * flushed. Nothing is acknowledged to the source before that promise
 * resolves.
 */
import type { Lsn } from './lsn.js';
import type { PgoutputMessage } from './pgoutput.js';

export interface CommittedBatch {
  readonly transactions: number;
  readonly changes: number;
  /** End of the last source commit written: what the slot may be told is flushed. */
  readonly flushLsn: Lsn;
  readonly lastCommitLsn: Lsn;
}

/** A batch on its way to durability (the twin's COMMIT, an archive file's put). */
export interface PendingCommit {
  /** Resolves once the batch is durable (and only then may the source be told); undefined when it held no transaction. */
  readonly committed: Promise<CommittedBatch | undefined>;
}

export interface ChangeSink {
  /** Before the first message. */
  prepare(): Promise<void>;
  /** One decoded message; a promise only when it had to wait (most need not). */
  handle(message: PgoutputMessage): Promise<void> | undefined;
  /**
   * Ends the batch at a source commit boundary and starts making it durable
   * without waiting for that: the next batch is built meanwhile. Undefined
   * when there is nothing to commit (or a source transaction is open).
   */
  commit(): Promise<PendingCommit | undefined>;
  /** Waits until every batch handed over is durable; a failure surfaces here. */
  drain(): Promise<void>;
  /** Drops the batch not yet committed: the source sends those transactions again after a restart. */
  rollback(): Promise<void>;
  /** Between a source BEGIN and its COMMIT: nothing may be committed or acknowledged. */
  readonly midTransaction: boolean;
  /** Source transactions in the batch not yet handed to commit(). */
  readonly pendingTransactions: number;
  readonly pendingChanges: number;
  /** A batch was handed to commit() and is not durable yet. */
  readonly committing: boolean;
  /** How long the open batch has been open (0 when none is). */
  readonly batchAgeMs: number;
  /** The batch reached a limit of the sink's own (an archive file's size): commit at the next source commit. */
  readonly batchFull: boolean;
}
