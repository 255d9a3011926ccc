/** What `apply`, `archive verify` and `archive prune` print. */
import type { ArchiveCheck } from '../archive/archive-check.js';
import type { PruneResult } from '../archive/archive-prune.js';
import type { ApplyReport } from '../replay/apply.js';
import { countOf } from './format.js';

export function applyText(report: ApplyReport): string {
  const lines: string[] = [];
  const loaded = report.base.loaded;
  if (loaded !== undefined)
    lines.push(
      `${loaded.resumed ? 'Finished loading' : 'Loaded'} base ${report.base.name}: ${countOf(loaded.tables, 'table')}, ${countOf(loaded.rows, 'row')}.`,
    );
  for (const failure of loaded?.notCreated ?? []) lines.push(`  not created: ${failure.object}: ${failure.reason}`);
  lines.push(
    report.files === 0
      ? `No new change file: the twin is at ${report.lastFile ?? `base ${report.base.name}`} (${report.lastCommitLsn}).`
      : `Applied ${countOf(report.files, 'change file')}: ${countOf(report.transactions, 'transaction')}, ${countOf(report.changes, 'change')}; the twin is at ${report.lastFile ?? report.base.name} (${report.lastCommitLsn}).`,
  );
  return lines.join('\n') + '\n';
}

export function archiveCheckText(check: ArchiveCheck): string {
  const lines = [
    `${check.archive}: ${countOf(check.completeBases, 'complete base')}${check.bases > check.completeBases ? ` (and ${check.bases - check.completeBases} incomplete)` : ''}, ${countOf(check.changeFiles, 'change file')} (${countOf(check.transactions, 'transaction')}, ${countOf(check.changes, 'change')}).`,
  ];
  if (check.problems.length === 0) lines.push('No problem found.');
  else {
    lines.push(`${countOf(check.problems.length, 'problem')}:`);
    for (const p of check.problems) lines.push(`  ${p.code}  ${p.file}: ${p.message}`);
  }
  return lines.join('\n') + '\n';
}

export function pruneText(result: PruneResult): string {
  const verb = result.dryRun ? 'Would remove' : 'Removed';
  const lines = [`Keeping ${result.keptBases.length === 0 ? 'every base (none is complete)' : `base ${result.keptBases.join(', ')}`}.`];
  lines.push(
    `${verb} ${countOf(result.removedBases.length, 'base')}${result.removedBases.length > 0 ? ` (${result.removedBases.join(', ')})` : ''} and ${countOf(result.removedChangeFiles.length, 'change file')}.`,
  );
  return lines.join('\n') + '\n';
}
