/**
 * The steps after the copy (src/snapshot/finish-steps.ts), then the snapshot
 * released. A failure or a stop here leaves every row in and the run
 * resumable: `--resume` does only the steps left.
 */
import { messageOf } from '../errors.js';
import { finishRun } from '../pg/state-schema.js';
import { sourceSequenceValues } from '../snapshot/sequences.js';
import { finishSteps, FinishInterrupted, type FinishResult } from '../snapshot/finish-steps.js';
import { finishInterruptedError } from './sync-errors.js';
import { describeTables } from './sync-report.js';
import type { SyncRun } from './sync-run.js';

export async function finishTarget(run: SyncRun): Promise<FinishResult> {
  const { control, holder, runId, plan, signal, observer } = run;
  let finished: FinishResult;
  try {
    finished = await finishSteps({
      control,
      holder,
      sequenceValues: sourceSequenceValues(holder),
      runId,
      plan,
      postData: run.postData,
      postDataApplied: run.postDataApplied,
      signal,
      observer,
      duringCopy: () => run.afterTableCopy.settle(),
    });
  } catch (error) {
    const stopped = error instanceof FinishInterrupted;
    const loaded = { tables: describeTables(plan, new Set(plan.tables.map((t) => t.key))) };
    await finishRun(control, runId, stopped ? 'interrupted' : 'failed', 0, loaded, messageOf(error)).catch(() => undefined);
    throw stopped ? finishInterruptedError(error) : error;
  }
  // A stop asked for during the last step (ANALYZE) came too late to leave anything undone.
  if (signal.aborted) observer.note?.('the stop request came during the last step (ANALYZE), which finished: the sync is complete');
  await holder.query('COMMIT');
  run.notCreated.push(...finished.ddlFailures);
  run.stage = 'finished';
  return finished;
}
