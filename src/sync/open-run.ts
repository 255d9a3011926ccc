/**
 * Opening a run: the masking threads start, the target session takes the run
 * lock and records the run (or reopens the one to resume), and a source
 * session holds the snapshot. Each is registered on the scope as it is
 * acquired, so they are released in reverse order.
 */
import type { Client } from '../pg/connect.js';
import { openClient } from '../pg/connect.js';
import { ensureStateSchema, lockTargetForRun, startRun } from '../pg/state-schema.js';
import { syncWriteMode } from '../pg/replica-session.js';
import type { SyncPlan } from '../plan/plan.js';
import type { RunMasks } from '../mask/run-masks.js';
import { notCreated, type DdlStatement } from '../schema/index.js';
import type { ChunkResults } from '../snapshot/copy-workers.js';
import type { SyncObserver } from '../snapshot/observer.js';
import { findResumableRun, resumePlan } from '../snapshot/resume.js';
import { exportSnapshot, importSnapshot } from '../snapshot/snapshot-session.js';
import { AfterTableCopy } from '../snapshot/after-table-copy.js';
import type { TargetSchemaPlan } from '../snapshot/target-schema.js';
import type { ResourceScope } from '../scope.js';
import { loadedWithTriggers } from './load-policy.js';
import { startMaskPool } from './mask-workers.js';
import type { PlanResult, SyncRequest } from './sync-request.js';
import type { SyncRun } from './sync-run.js';

export interface OpenRunInput {
  readonly request: SyncRequest;
  readonly planned: PlanResult;
  readonly masks: RunMasks;
  readonly signal: AbortSignal;
  readonly observer: SyncObserver;
}

export async function openRun(scope: ResourceScope, input: OpenRunInput): Promise<SyncRun> {
  const { request, planned, masks, signal, observer } = input;
  const { endpoints, schema } = planned;
  const resumed = request.resume === true;
  // Workers start while the target is prepared; a failure to start surfaces where the copy awaits them.
  const maskPool = startMaskPool(masks, request.settings, endpoints);
  maskPool.catch(() => undefined);
  scope.defer(async () => (await maskPool.catch(() => undefined))?.close(), 'masking workers');
  // Connects while the target session takes the lock and records the run: its wait is on the source server.
  const holderOpening = openClient(endpoints.source, { readOnly: true, applicationName: 'pgtwin snapshot', signal });
  holderOpening.catch(() => undefined);
  scope.defer(async () => (await holderOpening.catch(() => undefined))?.end(), 'snapshot holder');
  const control = scope.add(await openClient(endpoints.target, { readOnly: false, signal }), (c) => c.end(), 'target control session');
  // Before anything is written: how the twin's own triggers stay quiet, or a refusal saying what to grant.
  const writeMode = await syncWriteMode(control, loadedWithTriggers(planned.plan, schema));
  if (writeMode.triggersOff.size > 0) {
    observer.note?.(
      `the target role may not set session_replication_role: the triggers of ${[...writeMode.triggersOff.keys()].join(', ')} are turned off inside each load transaction (and the chunks of such a table load one at a time)`,
    );
  }
  await lockTargetForRun(control);
  await ensureStateSchema(control);
  const recorded = resumed
    ? await reopenRun(control, planned.plan, masks.keyFingerprint)
    : await newRun(control, planned, request.runKind ?? 'sync');
  const { plan } = recorded;
  observer.planned?.(plan);
  if (resumed) {
    const total = countChunks(plan);
    observer.note?.(
      `resuming run ${recorded.runId}: ${total - countDone(recorded.done)} of ${total} chunk${total === 1 ? '' : 's'} left to copy`,
    );
  }
  const holder = await holderOpening;
  let snapshotId: string;
  if (request.snapshotId === undefined) {
    snapshotId = await exportSnapshot(holder);
  } else {
    snapshotId = request.snapshotId;
    await importSnapshot(holder, snapshotId);
  }
  // Registered after the holder, so released before it: an ANALYZE in progress ends before the snapshot goes.
  const afterTableCopy = new AfterTableCopy({
    open: () => openClient(endpoints.target, { readOnly: false, applicationName: 'pgtwin after copy', signal }),
    deferred: new Set(schema?.created ?? []),
    deferAll: recorded.postDataApplied < recorded.postData.length && resumed,
    signal,
  });
  scope.defer(() => afterTableCopy.close(), 'session after each table copy');
  return {
    request,
    signal,
    observer,
    endpoints,
    schema,
    masks,
    control,
    holder,
    snapshotId,
    maskPool,
    writeMode,
    afterTableCopy,
    runId: recorded.runId,
    plan,
    postData: recorded.postData,
    postDataApplied: recorded.postDataApplied,
    resumed,
    stage: resumed ? 'prepared' : 'opened',
    chunks: recorded.done,
    // A resumed run reported what its schema plan left out when it first ran.
    notCreated: resumed ? [] : notCreatedOf(schema),
  };
}

/** The run as recorded in pgtwin.runs: new, or the one a resume continues. */
interface RecordedRun {
  readonly runId: number;
  readonly plan: SyncPlan;
  readonly postData: readonly DdlStatement[];
  readonly postDataApplied: number;
  readonly done: ChunkResults;
}

async function newRun(control: Client, planned: PlanResult, kind: string): Promise<RecordedRun> {
  const { plan, endpoints, schema } = planned;
  const runId = await startRun(
    control,
    kind,
    endpoints.source.display,
    plan.tables.map((t) => t.key),
  );
  return { runId, plan, postData: schema?.ddl.postData ?? [], postDataApplied: 0, done: new Map() };
}

async function reopenRun(control: Client, plan: SyncPlan, keyFingerprint: string | undefined): Promise<RecordedRun> {
  const run = await findResumableRun(control);
  const resumed = resumePlan(plan, run, keyFingerprint);
  await control.query("UPDATE pgtwin.runs SET status = 'running', finished_at = NULL, error = NULL WHERE id = $1", [run.runId]);
  return {
    runId: run.runId,
    plan: resumed,
    postData: run.stored.postData,
    postDataApplied: run.stored.postDataApplied ?? 0,
    done: run.done,
  };
}

/** What the schema plan could not create (the selection's own choices are not among them). */
function notCreatedOf(schema: TargetSchemaPlan | undefined): Array<{ object: string; reason: string }> {
  return notCreated(schema?.ddl.skipped ?? []).map((s) => ({ object: s.object, reason: s.reason }));
}

function countChunks(plan: SyncPlan): number {
  return plan.tables.reduce((sum, t) => sum + t.chunks.length, 0);
}

function countDone(done: ChunkResults): number {
  return [...done.values()].reduce((sum, chunks) => sum + chunks.size, 0);
}
