/**
 * The end of a run whose rows are all in: the report, recorded in pgtwin.runs
 * as the run's outcome. Indexes and foreign keys that do not hold on the
 * copied rows fail the run; schema objects the twin lacks leave it succeeded but incomplete.
 */
import { finishRun } from '../pg/state-schema.js';
import type { CopyOutcome } from '../snapshot/copy-workers.js';
import type { FinishResult } from '../snapshot/finish-steps.js';
import type { TargetSchemaPlan } from '../snapshot/target-schema.js';
import { firstPerObject } from '../schema/index.js';
import { foreignKeyError, indexError } from './sync-errors.js';
import type { SyncReport, TableReport } from './sync-report.js';
import type { SyncRun } from './sync-run.js';

export async function recordReport(
  run: SyncRun,
  completed: CopyOutcome['completed'],
  finished: FinishResult,
  durationMs: number,
): Promise<SyncReport> {
  const report = buildReport(run, completed, finished, durationMs);
  if (finished.indexFailures.length > 0) {
    await finishRun(run.control, run.runId, 'failed', report.totalRows, report, 'keys or indexes could not be built again');
    throw indexError(finished.indexFailures);
  }
  if (finished.foreignKeyFailures.length > 0) {
    await finishRun(run.control, run.runId, 'failed', report.totalRows, report, 'foreign keys could not be restored');
    throw foreignKeyError(finished.foreignKeyFailures);
  }
  // The rows are all there: the run succeeded, and the report says what the twin lacks.
  const incomplete =
    report.notCreated.length > 0 ? `the twin is incomplete: ${report.notCreated.length} schema object(s) not created` : undefined;
  await finishRun(run.control, run.runId, 'succeeded', report.totalRows, report, incomplete);
  run.observer.phase?.('done');
  return report;
}

function buildReport(run: SyncRun, completed: CopyOutcome['completed'], finished: FinishResult, durationMs: number): SyncReport {
  const { plan } = run;
  const { sequences, largeObjects, missingSequences } = finished;
  const tables: TableReport[] = plan.tables.map((t) => {
    const result = completed.get(t.key);
    return {
      table: t.key,
      rows: result?.rows ?? 0,
      bytes: result?.bytes ?? 0,
      durationMs: result?.durationMs ?? 0,
      maskedColumns: [...t.maskedColumns],
    };
  });
  return {
    runId: run.runId,
    tables,
    totalRows: tables.reduce((sum, t) => sum + t.rows, 0),
    durationMs: Math.round(durationMs),
    sequences: sequences.length,
    ...(largeObjects === undefined
      ? {}
      : { largeObjects: { decision: largeObjects.decision, count: largeObjects.count, bytes: largeObjects.bytes } }),
    warnings: [
      ...plan.warnings,
      ...leftOutOf(run.schema),
      ...(largeObjects?.warnings ?? []),
      ...missingSequences.map((s) => `the sequence ${s} (no column owns it) does not exist on the target; not set`),
    ],
    notCreated: firstPerObject(run.notCreated).map((f) => ({ object: f.object, reason: f.reason })),
  };
}

function leftOutOf(schema: TargetSchemaPlan | undefined): string[] {
  return (schema?.ddl.skipped ?? []).filter((s) => s.selection === true).map((s) => `left out: ${s.object} (${s.reason})`);
}
