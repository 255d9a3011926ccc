/**
 * One attempt at following, from opening its sessions to a stop or a lost
 * connection (runFollow retries). Its state is one object (FollowAttempt)
 * that the steps hand along: open and check → load the twin from the slot's
 * snapshot (first time) → hand off tables added to the selection → stream.
 */
import type { Client } from '../pg/connect.js';
import { openClient, withTransaction } from '../pg/connect.js';
import { displayName } from '../pg/ident.js';
import { ensureStateSchema } from '../pg/state-schema.js';
import { followWriteMode } from '../pg/replica-session.js';
import type { Endpoints } from '../pg/connect-endpoints.js';
import type { SyncPlan, TablePlan } from '../plan/plan.js';
import type { RunMasks } from '../mask/run-masks.js';
import { Applier } from '../apply/applier.js';
import { checkRowFilters, followFilters, type TableFilter } from '../apply/row-filter.js';
import { formatLsn, type Lsn } from '../stream/lsn.js';
import { ReplicationSession } from '../stream/replication-session.js';
import { checkPublication } from '../source/publication-check.js';
import type { SyncReport } from '../sync/sync-report.js';
import { runSync } from '../sync/sync.js';
import type { ResourceScope } from '../scope.js';
import { readFollowState, recordSnapshotStart, setFollowStatus, type FollowState } from './follow-state.js';
import {
  forgetFollowedTables,
  markFollowing,
  readFollowedTables,
  selectionChange,
  tablesOfLastFollowLoad,
  type FollowedTable,
  type SelectionChange,
} from './follow-tables.js';
import type { FollowRequest } from './follow-request.js';
import type { StreamLoopOptions } from '../stream/stream-loop.js';

/** What every attempt of one follow shares: decided once, before the first. */
export interface FollowSetup {
  readonly request: FollowRequest;
  readonly plan: SyncPlan;
  readonly endpoints: Endpoints;
  readonly slot: string;
  readonly publication: string;
  readonly masks: RunMasks;
  /** Triggers that the first load creates on the twin (they fire in apply unless the role is replica). */
  readonly plannedTriggers: readonly string[];
}

export interface FollowAttempt {
  readonly setup: FollowSetup;
  /** Target session: the twin's record of its slot, and the applier's session. */
  readonly control: Client;
  /** Source session: publication checks and sequences. */
  readonly source: Client;
  readonly replication: ReplicationSession;
  /** `where:` filters, evaluated on the source over each change (in a session of their own). */
  readonly filters: ReadonlyMap<string, TableFilter>;
  /** No snapshot loaded yet (or one that did not finish): the twin is loaded from a new slot's. */
  readonly fresh: boolean;
  /** Tables selected now that are not followed yet, and followed ones no longer selected. */
  readonly change: SelectionChange;
  /** The twin's record of the slot (pgtwin.follow_state); undefined until the first load records it. */
  record: FollowState | undefined;
  /** The load from the slot's snapshot, by this attempt or an earlier one. */
  initialSync: SyncReport | undefined;
  /** Applied while catching up to the snapshot of added tables. */
  caughtUp: { readonly transactions: number; readonly changes: number };
}

export interface AttemptOutcome {
  readonly initialSync: SyncReport | undefined;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly transactions: number;
  readonly changes: number;
  readonly last: Lsn;
  /** Ended because it was asked to (not a lost connection). */
  readonly stopped: boolean;
}

/** Sessions opened (on the scope) and every check that guards a write passed, before the slot is touched. */
export async function openAttempt(scope: ResourceScope, setup: FollowSetup, initialSync: SyncReport | undefined): Promise<FollowAttempt> {
  const { request, endpoints, slot, plan } = setup;
  const { signal } = request;
  const selected = plan.tables.map((t) => t.key);
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
  const record = await readFollowState(control, slot);
  const fresh = record === undefined || record.status === 'snapshot';
  const change = fresh ? { added: [], removed: [] } : selectionChange(selected, await followedTables(control, slot, selected));
  // The applier's session is a replica (the twin's triggers and rules stay quiet), or
  // refused before anything is written, counting the triggers a load would create
  // (the first one, or the copy of tables added to the selection).
  await followWriteMode(control, plan.tables, fresh || change.added.length > 0 ? setup.plannedTriggers : []);
  const filterSource = plan.tables.some((t) => t.where !== undefined)
    ? scope.add(
        await openClient(endpoints.source, { readOnly: true, applicationName: 'pgtwin follow filters', signal }),
        (c) => c.end(),
        'filter session',
      )
    : undefined;
  const filters = followFilters(plan.tables, filterSource);
  if (filterSource !== undefined)
    await checkRowFilters(
      filterSource,
      [...filters.values()].flatMap((f) => (f.where === undefined ? [] : [f.where])),
    );
  await checkPublication(source, setup.publication, plan, new Set(change.added));
  const replication = scope.add(await ReplicationSession.open(endpoints.source), (r) => r.end(), 'replication session');
  return { setup, control, source, replication, filters, fresh, change, record, initialSync, caughtUp: { transactions: 0, changes: 0 } };
}

/**
 * A new twin: a slot is created, and the twin loaded from its exported
 * snapshot, so the stream starts exactly where the snapshot ends.
 */
export async function loadFromSlotSnapshot(attempt: FollowAttempt): Promise<void> {
  const { setup, control, replication } = attempt;
  const { request, slot, endpoints } = setup;
  // A snapshot that did not finish cannot be continued: its exported snapshot died with its connection.
  if (attempt.record?.status === 'snapshot') await replication.dropSlotIfExists(slot);
  const created = await replication.createSlot(slot);
  // The snapshot holds the commits before the consistent point; one whose
  // commit record starts exactly there is streamed, so it must not count as applied.
  await recordSnapshotStart(control, slot, setup.publication, endpoints.source.display, created.consistentPoint - 1n);
  await forgetFollowedTables(control, slot);
  request.observer?.note?.(`slot ${slot} created at ${formatLsn(created.consistentPoint)}; loading the twin from its snapshot`);
  attempt.initialSync = await runSync({
    settings: request.settings,
    env: request.env,
    signal: request.signal,
    observer: request.observer,
    confirm: request.confirm,
    snapshotId: created.snapshotName,
    runKind: 'follow',
  });
  await withTransaction(control, async () => {
    await setFollowStatus(control, slot, 'streaming', undefined);
    await markFollowing(
      control,
      slot,
      setup.plan.tables.map((t) => t.key),
      created.consistentPoint,
    );
  });
  attempt.record = await readFollowState(control, slot);
}

/** The twin's position: where its record says it stands. */
export function recordOf(attempt: FollowAttempt): FollowState {
  if (attempt.record === undefined) throw new Error(`follow_state of ${attempt.setup.slot} vanished`);
  return attempt.record;
}

/** An applier over these tables, from this position, on the attempt's target session. */
export function applierFor(attempt: FollowAttempt, tables: readonly TablePlan[], from: Lsn): Applier {
  const { setup } = attempt;
  const { request } = setup;
  return new Applier(
    attempt.control,
    {
      slot: setup.slot,
      tables: new Map(tables.map((t) => [t.key, t])),
      ownerOf: ownerLookup(tables),
      masks: setup.masks.byTable,
      strict: request.settings.strict,
      warn: (message) => request.observer?.warning?.(message),
      filters: attempt.filters,
    },
    from,
  );
}

/** The outcome of an attempt asked to stop, at this position. */
export function stoppedAt(attempt: FollowAttempt, last: Lsn, added: readonly string[]): AttemptOutcome {
  return { initialSync: attempt.initialSync, added, removed: attempt.change.removed, ...attempt.caughtUp, last, stopped: true };
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

/** The selected table holding a source table's rows: itself, or the root of its partition tree. */
function ownerLookup(tables: readonly TablePlan[]): (schema: string, name: string) => string | undefined {
  const keys = new Set(tables.map((t) => t.key));
  return (schema, name) => {
    const key = displayName({ schema, name });
    return keys.has(key) ? key : undefined;
  };
}

/** How the attempt's stream loops batch and report. */
export function streamOptionsOf(
  setup: FollowSetup,
): Pick<StreamLoopOptions, 'maxBatchChanges' | 'maxBatchDelayMs' | 'statusIntervalMs' | 'onCommitted'> {
  const { request } = setup;
  return {
    // Confiture's `batch_size` (options.batch_size): the most changes applied in one target transaction.
    maxBatchChanges: request.maxBatchChanges ?? request.settings.options.batchSize,
    maxBatchDelayMs: request.maxBatchDelayMs,
    statusIntervalMs: request.statusIntervalMs,
    onCommitted: (batch) => request.observer?.committed?.(batch),
  };
}
