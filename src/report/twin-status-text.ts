/** How `pgtwin status` shows each follow of the twin: position, lag, slot, last hour, last runs; or JSON. */
import type { FollowReport, RunSummary } from '../follow/status.js';
import type { TwinStatus } from '../follow/twin-status.js';
import { formatLsn } from '../stream/lsn.js';
import { countOf, formatBytes, formatCount } from './format.js';

/** The first line, printed before any warning about the source. */
export function twinHeadline(status: TwinStatus): string {
  return `twin: ${status.target}\n`;
}

/** The follows and runs, after the headline. */
export function twinStatusText(status: TwinStatus): string {
  let text = '';
  if (status.reports.length === 0) text += 'No follow has run on this twin (pgtwin follow starts one).\n';
  for (const report of status.reports) text += reportText(report, status.running.find((r) => r.slot === report.state.slot)?.pid);
  if (status.runs.length > 0) text += `\nlast runs:\n${status.runs.map(runLine).join('\n')}\n`;
  return text;
}

export function twinStatusToJson(status: TwinStatus): unknown {
  return {
    target: status.target,
    running: status.running,
    sourceProblem: status.sourceProblem ?? null,
    follows: status.reports.map(toJson),
    runs: status.runs,
  };
}

function reportText(r: FollowReport, pid: number | undefined): string {
  if (r.archive !== undefined) return archiveText(r);
  const lines = [
    ``,
    `slot ${r.state.slot} (publication ${r.state.publication}): ${r.state.status}${pid === undefined ? '' : `, running as pid ${pid}`}`,
    `  applied up to ${formatLsn(r.state.lastCommitLsn)}${r.state.lastCommitTime === null ? '' : `, a source commit of ${r.state.lastCommitTime.toISOString()}`}`,
    `  lag: ${r.slot?.lagBytes == null ? 'unknown' : formatBytes(r.slot.lagBytes)} behind the source${r.lagSeconds === null ? '' : `; ${Math.round(r.lagSeconds)} s since the last applied commit`}`,
  ];
  if (r.slot === null) lines.push('  slot: missing on the source');
  else if (r.slot !== undefined)
    lines.push(
      `  slot: ${r.slot.active ? 'active' : 'inactive'}, retains ${r.slot.retainedBytes === null ? 'unknown' : formatBytes(r.slot.retainedBytes)} of WAL on the source${r.slot.walStatus === null ? '' : ` (${r.slot.walStatus})`}`,
    );
  if (r.lastHour.length > 0) {
    lines.push('  last hour:');
    for (const t of r.lastHour)
      lines.push(
        `    ${t.table}: ${formatCount(t.inserts)} inserts, ${formatCount(t.updates)} updates, ${formatCount(t.deletes)} deletes${t.truncates > 0 ? `, ${countOf(t.truncates, 'truncate')}` : ''}${t.missing > 0 ? `, ${countOf(t.missing, 'missing row')}` : ''}`,
      );
  }
  return lines.join('\n') + '\n';
}

/** A twin built by pgtwin apply: the archive, the last file and commit applied, how far behind the archive. */
function archiveText(r: FollowReport): string {
  const a = r.archive;
  if (a === undefined) return '';
  const lines = [
    ``,
    `archive ${a.archiveId} (${a.location}): ${r.state.status === 'snapshot' ? 'base loading' : 'applied'}`,
    `  applied up to ${a.lastFile ?? 'its base'} (${formatLsn(r.state.lastCommitLsn)}${r.state.lastCommitTime === null ? '' : `, a source commit of ${r.state.lastCommitTime.toISOString()}`})`,
  ];
  if (a.filesBehind !== undefined)
    lines.push(
      a.filesBehind === 0
        ? '  behind: nothing, the newest change file is applied'
        : `  behind: ${countOf(a.filesBehind, 'change file')} (newest ${a.newestFile ?? 'none'})`,
    );
  return lines.join('\n') + '\n';
}

function runLine(run: RunSummary): string {
  const rows = run.totalRows === null ? '' : `, ${countOf(run.totalRows, 'row')}`;
  const error = run.error === null ? '' : `: ${run.error}`;
  return `  run ${run.id} (${run.kind}) ${run.status}, started ${run.startedAt.toISOString()}${rows}${error}`;
}

function toJson(r: FollowReport): unknown {
  return {
    slot: r.state.slot,
    publication: r.state.publication,
    status: r.state.status,
    lastCommitLsn: formatLsn(r.state.lastCommitLsn),
    lastCommitTime: r.state.lastCommitTime,
    lagSeconds: r.lagSeconds,
    source: r.slot ?? null,
    lastHour: r.lastHour,
    lastBatchAt: r.lastBatchAt,
    error: r.state.error,
    warnings: r.warnings,
    archive: r.archive ?? null,
  };
}
