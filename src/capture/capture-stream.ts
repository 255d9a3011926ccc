/**
 * Streaming a slot into the archive: the shared stream loop
 * (src/stream/stream-loop.ts) driving the archive's change writer, the chain
 * continued from the last stored file. The loop commits (the writer closes and
 * puts its file) when the file is old or full, and at the stop; the slot is
 * acknowledged only past files the store holds.
 */
import { tmpdir } from 'node:os';
import { ChangeWriter } from '../archive/change-writer.js';
import { readChainEnd, type ChainEnd } from '../archive/chain-end.js';
import type { ColumnDef } from '../archive/change-records.js';
import type { BaseManifest } from '../archive/manifest.js';
import { archivedSequences, readSequenceValues } from '../archive/sequence-values.js';
import type { Client } from '../pg/connect.js';
import { displayName } from '../pg/ident.js';
import type { SyncPlan } from '../plan/plan.js';
import type { RunMasks } from '../mask/run-masks.js';
import { ArchiveError } from '../archive/errors.js';
import { messageOf } from '../errors.js';
import { sqlStateOf } from '../pg/retry.js';
import { parseLsn, type Lsn } from '../stream/lsn.js';
import type { ReplicationSession } from '../stream/replication-session.js';
import { streamChanges } from '../stream/stream-loop.js';
import type { CaptureRequest } from './capture-request.js';

const DEFAULT_FILE_BYTES = 64 * 1024 * 1024;
const DEFAULT_FILE_AGE_MS = 60_000;

export interface SlotStream {
  readonly request: CaptureRequest;
  readonly archiveId: string;
  readonly replication: ReplicationSession;
  readonly slot: string;
  readonly publication: string;
  readonly plan: SyncPlan;
  readonly masks: RunMasks;
  /** The base the stream continues: its consistent point and its tables' columns. */
  readonly base: BaseManifest;
  /** Stop before the first transaction committing at or after this (catching up to a new base, or --once). */
  readonly stopAt?: Lsn | undefined;
  /** The stop, at the next file boundary (default the request's: a base falling due stops the stream too). */
  readonly signal?: AbortSignal;
  /** A file is stored: the stream got somewhere (a reconnect after it starts its backoff again). */
  readonly onFile?: () => void;
  /** The stream failed: what it stored before, for the run's totals. */
  readonly onFailed?: (stored: StreamOutcome) => void;
  /** The capture's source session (not the replication one): each change file records the sequences' values read in it. */
  readonly sequencesFrom?: Client | undefined;
}

export interface StreamOutcome {
  readonly transactions: number;
  readonly changes: number;
  readonly skipped: number;
  readonly files: number;
  readonly bytes: number;
  readonly storedBytes: number;
  readonly lastCommitLsn: Lsn | undefined;
  readonly reachedStop: boolean;
}

export async function streamSlotToArchive(input: SlotStream): Promise<StreamOutcome> {
  const { request, plan, base } = input;
  // Streaming starts first: the walsender spends a while decoding from the slot's restart point
  // before its first message, time the last stored file is read and checked in meanwhile.
  const stream = input.replication.start(input.slot, input.publication);
  let early: unknown;
  const keep = (error: unknown): void => void (early ??= error);
  stream.on('error', keep);
  let chain: ChainEnd;
  try {
    chain = await readChainEnd(request.store, input.archiveId);
  } catch (error) {
    stream.destroy();
    throw error;
  } finally {
    stream.off('error', keep);
  }
  if (early !== undefined) throw slotBusy(early, input.slot);
  // The base holds what commits before its consistent point; a commit exactly there is streamed.
  const fromBase = parseLsn(base.consistentLsn) - 1n;
  const archivedLsn = chain.lastCommitLsn !== undefined && chain.lastCommitLsn > fromBase ? chain.lastCommitLsn : fromBase;
  const declared = new Map<string, readonly ColumnDef[]>(base.tables.map((t) => [t.key, t.columns]));
  const keys = new Set(plan.tables.map((t) => t.key));
  const writer = new ChangeWriter({
    store: request.store,
    archiveId: input.archiveId,
    spoolDir: request.spoolDir ?? tmpdir(),
    tables: new Map(plan.tables.map((t) => [t.key, t])),
    ownerOf: (schema, name) => {
      const key = displayName({ schema, name });
      return keys.has(key) ? key : undefined;
    },
    masks: input.masks.byTable,
    strict: request.settings.strict,
    warn: (message) => request.observer?.warning?.(message),
    declared,
    chain,
    archivedLsn,
    maxFileBytes: request.maxFileBytes ?? DEFAULT_FILE_BYTES,
    onFile: (file) => {
      request.observer?.file?.(file);
      input.onFile?.();
    },
    sequences: sequencesOf(input),
  });
  const fileAge = request.maxFileAgeMs ?? DEFAULT_FILE_AGE_MS;
  let reachedStop = false;
  const outcome = (): StreamOutcome => {
    const { totals } = writer;
    return {
      transactions: totals.transactions,
      changes: totals.changes,
      skipped: totals.skipped,
      files: totals.files,
      bytes: totals.bytes,
      storedBytes: totals.size,
      lastCommitLsn: totals.files > 0 ? writer.lastArchivedLsn : chain.lastCommitLsn,
      reachedStop,
    };
  };
  try {
    reachedStop = await streamChanges({
      stream,
      sink: writer,
      signal: input.signal ?? request.signal,
      stopAt: input.stopAt,
      // A file ends by its size (the writer's batchFull) or its age, never by a count of changes.
      maxBatchChanges: Number.MAX_SAFE_INTEGER,
      maxBatchDelayMs: fileAge,
      minBatchDelayMs: fileAge,
      statusIntervalMs: request.statusIntervalMs,
    });
  } catch (error) {
    // The files stored before a lost connection count: the next attempt continues after them.
    input.onFailed?.(outcome());
    throw slotBusy(error, input.slot);
  }
  return outcome();
}

/** The plan's sequences as the source has them now, for the change writer; none without a source session or a sequence. */
function sequencesOf(input: SlotStream): (() => ReturnType<typeof readSequenceValues>) | undefined {
  const source = input.sequencesFrom;
  const names = archivedSequences(input.plan);
  if (source === undefined || names.length === 0) return undefined;
  return () => readSequenceValues(source, names);
}

/** The archive's slot streamed by another process: another capture of this archive, started elsewhere. */
function slotBusy(error: unknown, slot: string): unknown {
  if (sqlStateOf(error) !== '55006') return error;
  return new ArchiveError('CAPTURE_RUNNING', `Another process streams this archive's slot ${slot} already: ${messageOf(error)}.`, {
    cause: error,
    nextStep:
      'One capture per archive: leave the running one be (it archives these changes too), or stop it first (pgtwin stop --archive LOCATION from the directory it was started in, or SIGTERM to it) and start this one again.',
  });
}
