/** The copy: every chunk left, read under the run's snapshot, masked, written to the target by parallel workers. */
import type { MaskPool } from '../mask/mask-pool.js';
import { runCopyWorkers, type CopyOutcome } from '../snapshot/copy-workers.js';
import { openSnapshotReader } from '../snapshot/source-reader.js';
import { openTargetWriter } from '../snapshot/target-writer.js';
import { jobsOf } from './load-policy.js';
import { stopBeforeCopied, type SyncRun } from './sync-run.js';

/** Resolves with the tables copied (with their totals) once every chunk is committed. */
export async function copyTables(run: SyncRun): Promise<CopyOutcome['completed']> {
  const { signal, observer } = run;
  observer.phase?.('copy');
  let maskPool: MaskPool | undefined;
  try {
    maskPool = await run.maskPool;
  } catch (error) {
    throw await stopBeforeCopied(run, 'failed', error);
  }
  const outcome = await runCopyWorkers({
    ends: {
      openReader: (stop) => openSnapshotReader(run.endpoints.source, run.snapshotId, stop),
      openWriter: (stop) => openTargetWriter(run.endpoints.target, { runId: run.runId, writeMode: run.writeMode }, stop),
    },
    tables: run.plan.tables,
    jobs: jobsOf(run.request.settings),
    signal,
    observer,
    masksFor: (table) => run.masks.byTable.get(table.key) ?? new Map(),
    maskPool,
    done: run.chunks,
    onTableCopied: (table) => run.afterTableCopy.copied(table),
  });
  run.chunks = outcome.chunks;
  if (outcome.error !== undefined || signal.aborted) {
    throw await stopBeforeCopied(run, signal.aborted ? 'interrupted' : 'failed', outcome.error ?? signal.reason);
  }
  run.stage = 'copied';
  return outcome.completed;
}
