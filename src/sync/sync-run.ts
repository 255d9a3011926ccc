/**
 * The state of one sync run, from the moment it is recorded on the target to
 * its end, in one object the steps hand along (open → prepare → copy →
 * finish → report). Its sessions and masking threads are registered on the
 * run's scope when opened, so they are released in reverse order whatever
 * happens; what the steps change is `stage`, `chunks` and `notCreated`.
 */
import type { Client } from '../pg/connect.js';
import { finishRun } from '../pg/state-schema.js';
import type { Endpoints } from '../pg/connect-endpoints.js';
import type { TwinWriteMode } from '../pg/replica-session.js';
import type { SyncPlan } from '../plan/plan.js';
import type { MaskPool } from '../mask/mask-pool.js';
import type { RunMasks } from '../mask/run-masks.js';
import type { DdlStatement } from '../schema/index.js';
import type { ChunkResults } from '../snapshot/copy-workers.js';
import type { SyncObserver } from '../snapshot/observer.js';
import type { TargetSchemaPlan } from '../snapshot/target-schema.js';
import type { AfterTableCopy } from '../snapshot/after-table-copy.js';
import { pendingIndexes } from '../snapshot/set-aside-indexes.js';
import { messageOf, type PgtwinError } from '../errors.js';
import { stoppedError, type NotCreated } from './sync-errors.js';
import { describeTables } from './sync-report.js';
import type { SyncRequest } from './sync-request.js';

/**
 * How far the run got; each stage implies the ones before it.
 * - `opened`: recorded in pgtwin.runs, the target's tables untouched.
 * - `prepared`: in one transaction, what the twin lacked is created, the foreign
 *   keys are set aside (pgtwin.pending_foreign_keys), the tables truncated and
 *   the plan stored: from here the run can be resumed. A resumed run starts here.
 * - `copied`: every chunk is committed on the target.
 * - `finished`: the steps after the copy are done (foreign keys restored,
 *   post-data, large objects, sequences, ANALYZE).
 */
export type SyncStage = 'opened' | 'prepared' | 'copied' | 'finished';

export interface SyncRun {
  readonly request: SyncRequest;
  readonly signal: AbortSignal;
  readonly observer: SyncObserver;
  readonly endpoints: Endpoints;
  /** What the target lacks and this run creates (undefined: nothing). */
  readonly schema: TargetSchemaPlan | undefined;
  readonly masks: RunMasks;
  /** Target session: the run lock, the run's record, preparing and finishing. */
  readonly control: Client;
  /** Source session holding the snapshot every chunk is copied under. */
  readonly holder: Client;
  readonly snapshotId: string;
  /** Masking threads, starting while the target is prepared (undefined: masking stays on the copying thread). */
  readonly maskPool: Promise<MaskPool | undefined>;
  /** How the twin's own triggers stay quiet while rows are written. */
  readonly writeMode: TwinWriteMode;
  /** Builds the indexes and ANALYZEs each table whose copy is done while the others are copied; the finishing step waits for it. */
  readonly afterTableCopy: AfterTableCopy;
  readonly runId: number;
  /** The tables and chunks of this run (for a resume: the stored plan, restricted to what is left). */
  readonly plan: SyncPlan;
  /** Keys, indexes and other objects of created tables, built after the copy. */
  readonly postData: readonly DdlStatement[];
  /** Post-data statements an earlier attempt of this run already applied. */
  readonly postDataApplied: number;
  readonly resumed: boolean;

  stage: SyncStage;
  /** Chunks committed on the target, by table: an earlier attempt's (resume), then this one's. */
  chunks: ChunkResults;
  /** Schema objects the twin lacks: planned out, or refused by the target before or after the copy. */
  readonly notCreated: NotCreated[];
}

/** Whether `--resume` can continue the run: its plan is stored and its tables truncated. */
export function resumable(run: SyncRun): boolean {
  return run.stage !== 'opened';
}

/**
 * A stop before every row is in: records the run as failed or interrupted,
 * with the tables loaded completely, and returns the error that tells the
 * user what is loaded and how to finish.
 */
export async function stopBeforeCopied(run: SyncRun, status: 'failed' | 'interrupted', error: unknown): Promise<PgtwinError> {
  const { plan, chunks } = run;
  const loaded = new Set(
    [...chunks].filter(([key, done]) => done.size === plan.tables.find((t) => t.key === key)?.chunks.length).map(([key]) => key),
  );
  await finishRun(run.control, run.runId, status, 0, { tables: describeTables(plan, loaded) }, messageOf(error)).catch(() => undefined);
  const indexes = await pendingIndexes(run.control).catch(() => []);
  return stoppedError(run.signal.aborted ? 'interrupted' : status, error, plan, chunks, resumable(run), indexes.length);
}
