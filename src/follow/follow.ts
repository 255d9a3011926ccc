/**
 * `pgtwin follow`: a new twin is loaded from the exported snapshot of a slot
 * created for it (so the stream starts exactly where the snapshot ends: no
 * change lost, none applied twice), then the slot's changes are applied,
 * masked, in source order, until stopped. Connections lost on either side
 * are reopened with backoff; the twin's recorded position makes the restart
 * exact.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Settings } from '../config/settings.js';
import { openClient, type Client } from '../pg/connect.js';
import { displayName } from '../pg/ident.js';
import { backoffDelay, isRetryable, sqlStateOf } from '../pg/retry.js';
import { ensureStateSchema, lockTargetForRun } from '../pg/state-schema.js';
import { UsageError, messageOf } from '../errors.js';
import { withScope } from '../scope.js';
import type { Endpoints } from '../snapshot/connect-endpoints.js';
import type { SyncObserver } from '../snapshot/observer.js';
import type { SyncPlan } from '../snapshot/plan.js';
import { compileRunMasks, type RunMasks } from '../snapshot/run-masks.js';
import { syncSequences } from '../snapshot/sequences.js';
import type { SyncReport } from '../snapshot/sync-report.js';
import { planSync, runSync } from '../snapshot/sync.js';
import { Applier, type CommittedBatch } from './applier.js';
import { FollowError } from './follow-errors.js';
import { readFollowState, recordFailedBatch, recordSnapshotStart, setFollowStatus } from './follow-state.js';
import { formatLsn, type Lsn } from './lsn.js';
import { DEFAULT_PUBLICATION, defaultSlotName, isValidSlotName } from './names.js';
import { checkPublication } from './publication-check.js';
import { ReplicationSession } from './replication-session.js';
import { streamChanges } from './stream-loop.js';
import { followWriteMode } from '../snapshot/replica-session.js';
import { checkRowFilters, followFilters } from './row-filter.js';

export interface FollowObserver extends SyncObserver {
  following?(slot: string, from: Lsn): void;
  committed?(batch: CommittedBatch): void;
  reconnecting?(reason: string, delayMs: number): void;
}

export interface FollowRequest {
  readonly settings: Settings;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal;
  /** Asked before the first snapshot truncates the twin's tables. */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly observer?: FollowObserver;
  readonly slot?: string | undefined;
  readonly publication?: string | undefined;
  readonly maxBatchChanges?: number;
  readonly maxBatchDelayMs?: number;
  readonly statusIntervalMs?: number;
  readonly sequencesIntervalMs?: number;
}

export interface FollowSummary {
  readonly slot: string;
  readonly initialSync: SyncReport | undefined;
  readonly transactions: number;
  readonly changes: number;
  readonly lastCommitLsn: string;
}

const RECONNECT = { attempts: Number.POSITIVE_INFINITY, baseDelayMs: 1000, maxDelayMs: 30_000 };

export async function runFollow(request: FollowRequest): Promise<FollowSummary> {
  const planned = await planSync({ settings: request.settings, env: request.env, signal: request.signal, observer: request.observer });
  const { endpoints } = planned;
  const slot = request.slot ?? defaultSlotName(endpoints.target.display);
  if (!isValidSlotName(slot)) {
    throw new UsageError('BAD_SLOT_NAME', `"${slot}" cannot be a replication slot name.`, { nextStep: 'Use lowercase letters, digits and _ only, at most 63 characters.' });
  }
  const publication = request.publication ?? DEFAULT_PUBLICATION;
  const masks = await compileRunMasks(planned.plan, planned.registry, request.settings, request.env);

  let initialSync: SyncReport | undefined;
  const totals = { transactions: 0, changes: 0, last: 0n as Lsn };
  // Triggers the first load creates on the twin: they would fire in apply too.
  const plannedTriggers = (planned.schema?.ddl.postData ?? []).filter((s) => s.kind === 'trigger').map((s) => s.object);
  for (let attempt = 0; ; attempt++) {
    try {
      const outcome = await followOnce({ request, planned: planned.plan, endpoints, slot, publication, masks, initialSync, plannedTriggers });
      initialSync ??= outcome.initialSync;
      totals.transactions += outcome.transactions;
      totals.changes += outcome.changes;
      totals.last = outcome.last;
      if (request.signal.aborted || outcome.stopped) break;
      attempt = 0;
    } catch (error) {
      if (request.signal.aborted && !(error instanceof FollowError)) break;
      if (!worthRetrying(error)) throw error;
      const delayMs = backoffDelay(RECONNECT, Math.min(attempt, 6));
      request.observer?.reconnecting?.(messageOf(error), delayMs);
      await sleep(delayMs, undefined, { signal: request.signal }).catch(() => undefined);
      if (request.signal.aborted) break;
    }
  }
  return { slot, initialSync, transactions: totals.transactions, changes: totals.changes, lastCommitLsn: formatLsn(totals.last) };
}

interface Once {
  readonly request: FollowRequest;
  readonly planned: SyncPlan;
  readonly endpoints: Endpoints;
  readonly slot: string;
  readonly publication: string;
  readonly masks: RunMasks;
  readonly initialSync: SyncReport | undefined;
  /** Triggers that the first load creates on the twin (they fire in apply unless the role is replica). */
  readonly plannedTriggers: readonly string[];
}

interface OnceOutcome {
  readonly initialSync: SyncReport | undefined;
  readonly transactions: number;
  readonly changes: number;
  readonly last: Lsn;
  /** Ended because it was asked to (not a lost connection). */
  readonly stopped: boolean;
}

async function followOnce(once: Once): Promise<OnceOutcome> {
  const { request, endpoints, slot, publication } = once;
  const { signal, observer } = request;
  return withScope(async (scope) => {
    const control = scope.add(await openClient(endpoints.target, { readOnly: false, applicationName: 'pgtwin follow', signal }), (c) => c.end(), 'target session');
    const source = scope.add(await openClient(endpoints.source, { readOnly: true, applicationName: 'pgtwin follow', signal }), (c) => c.end(), 'source session');
    await ensureStateSchema(control);
    let state = await readFollowState(control, slot);
    const loading = state === undefined || state.status === 'snapshot';
    // The applier's session is a replica (the twin's triggers and rules stay quiet), or
    // refused before anything is written, counting the triggers the first load would create.
    await followWriteMode(control, once.planned.tables, loading ? once.plannedTriggers : []);
    // `where:` filters are evaluated on the source over each change (src/follow/row-filter.ts), in a session of their own.
    const filterSource = once.planned.tables.some((t) => t.where !== undefined)
      ? scope.add(await openClient(endpoints.source, { readOnly: true, applicationName: 'pgtwin follow filters', signal }), (c) => c.end(), 'filter session')
      : undefined;
    const filters = followFilters(once.planned.tables, filterSource);
    if (filterSource !== undefined) await checkRowFilters(filterSource, [...filters.values()].flatMap((f) => (f.where === undefined ? [] : [f.where])));
    await checkPublication(source, publication, once.planned);
    const replication = scope.add(await ReplicationSession.open(endpoints.source), (r) => r.end(), 'replication session');

    let initialSync = once.initialSync;
    if (loading) {
      // A snapshot that did not finish cannot be continued: its exported snapshot died with its connection.
      if (state?.status === 'snapshot') await replication.dropSlotIfExists(slot);
      const created = await replication.createSlot(slot);
      // The snapshot holds the commits before the consistent point; one whose
      // commit record starts exactly there is streamed, so it must not count as applied.
      await recordSnapshotStart(control, slot, publication, endpoints.source.display, created.consistentPoint - 1n);
      observer?.note?.(`slot ${slot} created at ${formatLsn(created.consistentPoint)}; loading the twin from its snapshot`);
      initialSync = await runSync({ settings: request.settings, env: request.env, signal, observer, confirm: request.confirm, snapshotId: created.snapshotName, runKind: 'follow' });
      await setFollowStatus(control, slot, 'streaming', undefined);
      state = await readFollowState(control, slot);
    }
    if (state === undefined) throw new Error(`follow_state of ${slot} vanished`);
    if (signal.aborted) return { initialSync, transactions: 0, changes: 0, last: state.lastCommitLsn, stopped: true };

    // Held while streaming, so no sync reloads these tables under the stream.
    await lockTargetForRun(control);
    await setFollowStatus(control, slot, 'streaming', undefined);
    const applier = new Applier(control, {
      slot,
      tables: new Map(once.planned.tables.map((t) => [t.key, t])),
      ownerOf: ownerLookup(once.planned),
      masks: once.masks.byTable,
      strict: request.settings.strict,
      warn: (message) => observer?.warning?.(message),
      filters,
    }, state.lastCommitLsn);
    observer?.following?.(slot, state.lastCommitLsn);

    const sequences = startSequenceTimer(source, control, once.planned, request.sequencesIntervalMs ?? 30_000, observer);
    scope.defer(() => sequences.stop(), 'sequence timer');
    const stream = replication.start(slot, publication);
    try {
      await streamChanges({
        stream,
        applier,
        signal,
        // Confiture's `batch_size` (options.batch_size): the most changes applied in one target transaction.
        maxBatchChanges: request.maxBatchChanges ?? request.settings.options.batchSize,
        maxBatchDelayMs: request.maxBatchDelayMs,
        statusIntervalMs: request.statusIntervalMs,
        onCommitted: (batch) => observer?.committed?.(batch),
      });
    } catch (error) {
      await recordFailure(control, slot, error);
      throw error;
    }
    await sequences.stop();
    if (signal.aborted) {
      await syncSequences(source, control, once.planned.sequences).catch(() => undefined);
      await setFollowStatus(control, slot, 'stopped', undefined);
      return { initialSync, ...applier.totals, last: applier.lastAppliedLsn, stopped: true };
    }
    // The server ended the stream without being asked: treat it as a lost connection.
    throw Object.assign(new Error('the replication stream ended unexpectedly'), { code: 'ECONNRESET' });
  });
}

/**
 * Lost connections, and a slot still marked active by the walsender of a
 * follow that was just killed (it notices within wal_sender_timeout).
 */
function worthRetrying(error: unknown): boolean {
  return isRetryable(error) || sqlStateOf(error) === '55006';
}

async function recordFailure(control: Client, slot: string, error: unknown): Promise<void> {
  const text = messageOf(error);
  await recordFailedBatch(control, slot, text).catch(() => undefined);
  if (!worthRetrying(error)) await setFollowStatus(control, slot, 'failed', text).catch(() => undefined);
}

/** The selected table holding a source table's rows: itself, or the root of its partition tree. */
function ownerLookup(plan: SyncPlan): (schema: string, name: string) => string | undefined {
  const keys = new Set(plan.tables.map((t) => t.key));
  return (schema, name) => {
    const key = displayName({ schema, name });
    return keys.has(key) ? key : undefined;
  };
}

/** Sequences are not in the change stream: bring them up to date now and then, and at stop. */
function startSequenceTimer(source: Client, target: Client, plan: SyncPlan, intervalMs: number, observer: FollowObserver | undefined): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => syncSequences(source, target, plan.sequences)).catch((error: unknown) => observer?.warning?.(`sequences not updated: ${messageOf(error)}`));
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
