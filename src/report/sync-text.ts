/** How `pgtwin sync` shows its report: one summary line and what was not created, or one line of JSON. */
import type { SyncReport } from '../sync/sync-report.js';
import { countOf, formatBytes, formatDuration } from './format.js';

export function syncSummaryLine(report: SyncReport): string {
  const lo = report.largeObjects;
  const objects =
    lo === undefined ? '' : `, ${countOf(lo.count, 'large object')}${lo.decision === 'empty' ? ' (empty)' : ` (${formatBytes(lo.bytes)})`}`;
  return `Synced ${countOf(report.tables.length, 'table')}, ${countOf(report.totalRows, 'row')}${objects} in ${formatDuration(report.durationMs)} (run ${report.runId}).\n`;
}

/** The schema objects that could not be created, one line each. */
export function notCreatedText(report: SyncReport): string {
  return `Not created (${report.notCreated.length}):\n${report.notCreated.map((n) => `  - ${n.object}: ${n.reason}\n`).join('')}`;
}

export function syncReportToJson(report: SyncReport): unknown {
  const { tables, totalRows, durationMs, runId, sequences, notCreated, warnings } = report;
  return {
    tables,
    totalRows,
    durationMs,
    runId,
    sequences,
    largeObjects: report.largeObjects ?? null,
    warnings,
    complete: notCreated.length === 0,
    notCreated,
  };
}
