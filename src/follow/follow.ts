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
import { openClient, withTransaction, type Client } from '../pg/connect.js';
import { displayName } from '../pg/ident.js';
import { backoffDelay, isRetryable, sqlStateOf } from '../pg/retry.js';
import { ensureStateSchema, lockTargetForRun } from '../pg/state-schema.js';
import { SafetyError, UsageError, messageOf } from '../errors.js';
import { withScope } from '../scope.js';
import type { Endpoints } from '../pg/connect-endpoints.js';
import type { SyncObserver } from '../snapshot/observer.js';
import type { SyncPlan, TablePlan } from '../plan/plan.js';
import { compileRunMasks, type RunMasks } from '../mask/run-masks.js';
import { syncSequences } from '../snapshot/sequences.js';
import type { SyncReport } from '../sync/sync-report.js';
import { planSync, runSync } from '../sync/sync.js';
import { Applier, type CommittedBatch } from '../apply/applier.js';
import { FollowError } from '../stream/follow-errors.js';
import { readFollowState, recordFailedBatch, recordSnapshotStart, setFollowStatus } from './follow-state.js';
import {
  forgetFollowedTables,
  markFollowing,
  readFollowedTables,
  selectionChange,
  tablesOfLastFollowLoad,
  type FollowedTable,
  type SelectionChange,
} from './follow-tables.js';
import { formatLsn, type Lsn } from '../stream/lsn.js';
import { DEFAULT_PUBLICATION, defaultSlotName, isValidSlotName } from '../source/names.js';
import { checkPublication } from '../source/publication-check.js';
import { ReplicationSession } from '../stream/replication-session.js';
import { streamChanges } from './stream-loop.js';
import { followWriteMode } from '../pg/replica-session.js';
import { checkRowFilters, followFilters } from '../apply/row-filter.js';
import { handOffAddedTables } from './table-handoff.js';

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
  /** Tables added to the selection of a twin that already followed: copied from a snapshot, then followed. */
  readonly tablesAdded: readonly string[];
  /** Tables no longer selected: no longer applied (their rows stay in the twin). */
  readonly tablesRemoved: readonly string[];
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
    throw new UsageError('BAD_SLOT_NAME', `"${slot}" cannot be a replication slot name.`, {
      nextStep: 'Use lowercase letters, digits and _ only, at most 63 characters.',
    });
  }
  const publication = request.publication ?? DEFAULT_PUBLICATION;
  const masks = await compileRunMasks(planned.plan, planned.registry, request.settings, request.env);

  let initialSync: SyncReport | undefined;
  const totals = { transactions: 0, changes: 0, last: 0n as Lsn };
  // Triggers the first load creates on the twin: they would fire in apply too.
  const plannedTriggers = (planned.schema?.ddl.postData ?? []).filter((s) => s.kind === 'trigger').map((s) => s.object);
  const selection = { added: new Set<string>(), removed: new Set<string>() };
  for (let attempt = 0; ; attempt++) {
    try {
      const outcome = await followOnce({
        request,
        planned: planned.plan,
        endpoints,
        slot,
        publication,
        masks,
        initialSync,
        plannedTriggers,
      });
      initialSync ??= outcome.initialSync;
      for (const t of outcome.added) selection.added.add(t);
      for (const t of outcome.removed) selection.removed.add(t);
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
  return {
    slot,
    initialSync,
    tablesAdded: [...selection.added],
    tablesRemoved: [...selection.removed],
    transactions: totals.transactions,
    changes: totals.changes,
    lastCommitLsn: formatLsn(totals.last),
  };
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
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly transactions: number;
  readonly changes: number;
  readonly last: Lsn;
  /** Ended because it was asked to (not a lost connection). */
  readonly stopped: boolean;
}

async function followOnce(once: Once): Promise<OnceOutcome> {
  const { request, endpoints, slot, publication } = once;
  const { signal, observer } = request;
  const selected = once.planned.tables.map((t) => t.key);
  return withScope(async (scope) => {
    const control = scope.add(
      await openClient(endpoints.target, { readOnly: false, applicationName: 'pgtwin follow', signal }),
      (c) => c.end(),
      'target session',
    );
    const source = scope.add(
      await openClient(endpoints.source, { readOnly: true, applicationName: 'pgtwin follow', signal }),
      (c) => c.end(),
      'source session',
    );
    await ensureStateSchema(control);
    let state = await readFollowState(control, slot);
    const fresh = state === undefined || state.status === 'snapshot';
    const change = fresh ? { added: [], removed: [] } : selectionChange(selected, await followedTables(control, slot, selected));
    // The applier's session is a replica (the twin's triggers and rules stay quiet), or
    // refused before anything is written, counting the triggers a load would create
    // (the first one, or the copy of tables added to the selection).
    await followWriteMode(control, once.planned.tables, fresh || change.added.length > 0 ? once.plannedTriggers : []);
    // `where:` filters are evaluated on the source over each change (src/apply/row-filter.ts), in a session of their own.
    const filterSource = once.planned.tables.some((t) => t.where !== undefined)
      ? scope.add(
          await openClient(endpoints.source, { readOnly: true, applicationName: 'pgtwin follow filters', signal }),
          (c) => c.end(),
          'filter session',
        )
      : undefined;
    const filters = followFilters(once.planned.tables, filterSource);
    if (filterSource !== undefined)
      await checkRowFilters(
        filterSource,
        [...filters.values()].flatMap((f) => (f.where === undefined ? [] : [f.where])),
      );
    await checkPublication(source, publication, once.planned, new Set(change.added));
    const replication = scope.add(await ReplicationSession.open(endpoints.source), (r) => r.end(), 'replication session');

    let initialSync = once.initialSync;
    if (fresh) {
      // A snapshot that did not finish cannot be continued: its exported snapshot died with its connection.
      if (state?.status === 'snapshot') await replication.dropSlotIfExists(slot);
      const created = await replication.createSlot(slot);
      // The snapshot holds the commits before the consistent point; one whose
      // commit record starts exactly there is streamed, so it must not count as applied.
      await recordSnapshotStart(control, slot, publication, endpoints.source.display, created.consistentPoint - 1n);
      await forgetFollowedTables(control, slot);
      observer?.note?.(`slot ${slot} created at ${formatLsn(created.consistentPoint)}; loading the twin from its snapshot`);
      initialSync = await runSync({
        settings: request.settings,
        env: request.env,
        signal,
        observer,
        confirm: request.confirm,
        snapshotId: created.snapshotName,
        runKind: 'follow',
      });
      await withTransaction(control, async () => {
        await setFollowStatus(control, slot, 'streaming', undefined);
        await markFollowing(control, slot, selected, created.consistentPoint);
      });
      state = await readFollowState(control, slot);
    }
    if (state === undefined) throw new Error(`follow_state of ${slot} vanished`);
    const stopped = (last: Lsn): OnceOutcome => ({
      initialSync,
      added: [],
      removed: change.removed,
      transactions: 0,
      changes: 0,
      last,
      stopped: true,
    });
    if (signal.aborted) return stopped(state.lastCommitLsn);

    const stream = {
      // Confiture's `batch_size` (options.batch_size): the most changes applied in one target transaction.
      maxBatchChanges: request.maxBatchChanges ?? request.settings.options.batchSize,
      maxBatchDelayMs: request.maxBatchDelayMs,
      statusIntervalMs: request.statusIntervalMs,
      onCommitted: (batch: CommittedBatch) => observer?.committed?.(batch),
    };
    const applierFor = (tables: readonly TablePlan[], from: Lsn): Applier =>
      new Applier(
        control,
        {
          slot,
          tables: new Map(tables.map((t) => [t.key, t])),
          ownerOf: ownerLookup(tables),
          masks: once.masks.byTable,
          strict: request.settings.strict,
          warn: (message) => observer?.warning?.(message),
          filters,
        },
        from,
      );

    if (change.removed.length > 0 || change.added.length > 0) observer?.note?.(describeChange(change));
    // Their changes are skipped from here on (they are not in the plan); the twin keeps their rows.
    await forgetFollowedTables(control, slot, change.removed);
    let catchUp = { transactions: 0, changes: 0 };
    if (change.added.length > 0) {
      // Asked here, before the snapshot is taken and held: the copy itself does not ask again.
      const question = `On the twin ${endpoints.target.display}, load ${change.added.join(', ')} from a new snapshot of ${endpoints.source.display} (a table the twin lacks is created; one it has is truncated first), then follow ${change.added.length === 1 ? 'it' : 'them'}.\nGo ahead?`;
      if (!(await request.confirm(question))) {
        throw new SafetyError('NOT_CONFIRMED', `Loading the tables added to the selection was not confirmed; nothing was changed.`, {
          nextStep: 'Run again and answer yes, or pass --yes; or take the tables out of the selection again.',
        });
      }
      const added = new Set(change.added);
      const applier = applierFor(
        once.planned.tables.filter((t) => !added.has(t.key)),
        state.lastCommitLsn,
      );
      await setFollowStatus(control, slot, 'streaming', undefined);
      const handOff = await handOffAddedTables({
        source: endpoints.source,
        control,
        slot,
        publication,
        added: change.added,
        signal,
        applier,
        stream,
        copy: (snapshotId) =>
          runSync({
            settings: request.settings,
            env: request.env,
            signal,
            observer,
            confirm: async () => true,
            snapshotId,
            runKind: 'follow-add',
            onlyTables: added,
          }),
        note: (message) => observer?.note?.(message),
        onStreamFailure: (error) => recordFailure(control, slot, error),
      });
      catchUp = applier.totals;
      if (handOff.copied === undefined) {
        await setFollowStatus(control, slot, 'stopped', undefined);
        return { ...stopped(applier.lastAppliedLsn), ...catchUp };
      }
      state = (await readFollowState(control, slot)) ?? state;
    }

    // Held while streaming, so no sync reloads these tables under the stream.
    await lockTargetForRun(control);
    await setFollowStatus(control, slot, 'streaming', undefined);
    const applier = applierFor(once.planned.tables, state.lastCommitLsn);
    observer?.following?.(slot, state.lastCommitLsn);

    const sequences = startSequenceTimer(source, control, once.planned, request.sequencesIntervalMs ?? 30_000, observer);
    scope.defer(() => sequences.stop(), 'sequence timer');
    try {
      await streamChanges({ ...stream, stream: replication.start(slot, publication), applier, signal });
    } catch (error) {
      await recordFailure(control, slot, error);
      throw error;
    }
    await sequences.stop();
    const totals = { transactions: applier.totals.transactions + catchUp.transactions, changes: applier.totals.changes + catchUp.changes };
    if (signal.aborted) {
      await syncSequences(source, control, once.planned.sequences).catch(() => undefined);
      await setFollowStatus(control, slot, 'stopped', undefined);
      return { initialSync, added: change.added, removed: change.removed, ...totals, last: applier.lastAppliedLsn, stopped: true };
    }
    // The server ended the stream without being asked: treat it as a lost connection.
    throw Object.assign(new Error('the replication stream ended unexpectedly'), { code: 'ECONNRESET' });
  });
}

/**
 * The tables this slot applies, as recorded. A twin that followed before the
 * record existed gets one: the tables of its last snapshot load.
 */
async function followedTables(control: Client, slot: string, selected: readonly string[]): Promise<FollowedTable[]> {
  const recorded = await readFollowedTables(control, slot);
  if (recorded.length > 0) return recorded;
  const adopted = (await tablesOfLastFollowLoad(control)) ?? selected;
  await markFollowing(control, slot, adopted, 0n);
  return readFollowedTables(control, slot);
}

function describeChange(change: SelectionChange): string {
  const parts: string[] = [];
  if (change.added.length > 0)
    parts.push(`added ${change.added.join(', ')} (created on the twin if missing, copied from a new snapshot, then followed)`);
  if (change.removed.length > 0) parts.push(`removed ${change.removed.join(', ')} (no longer applied; their rows stay in the twin)`);
  return `the table selection changed since this twin last followed: ${parts.join('; ')}`;
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
function ownerLookup(tables: readonly TablePlan[]): (schema: string, name: string) => string | undefined {
  const keys = new Set(tables.map((t) => t.key));
  return (schema, name) => {
    const key = displayName({ schema, name });
    return keys.has(key) ? key : undefined;
  };
}

/** Sequences are not in the change stream: bring them up to date now and then, and at stop. */
function startSequenceTimer(
  source: Client,
  target: Client,
  plan: SyncPlan,
  intervalMs: number,
  observer: FollowObserver | undefined,
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(() => syncSequences(source, target, plan.sequences))
      .catch((error: unknown) => observer?.warning?.(`sequences not updated: ${messageOf(error)}`));
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
