/** `pgtwin status`: lag, slot health and activity of each follow of the twin. Reads only. */
import { followReports, recentRuns, type FollowReport, type RunSummary } from '../follow/status.js';
import { formatLsn } from '../stream/lsn.js';
import { pidDirectory, runningFollows } from '../follow/pid-file.js';
import { openClient, type Client } from '../pg/connect.js';
import { resolveEndpoint } from '../config/index.js';
import { toEndpoint } from '../pg/endpoint.js';
import { openTargetEndpoint } from '../pg/connect-endpoints.js';
import { PgtwinError, messageOf } from '../errors.js';
import { withScope } from '../scope.js';
import { countOf, formatBytes, formatCount } from '../report/format.js';
import { booleanFlag } from './args.js';
import { readFlags } from './command-flags.js';
import { STATUS } from './definitions/follow.js';
import type { CliIo } from './io.js';
import { loadCommandSettings } from './schema-command.js';

export async function statusCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const flags = readFlags(io, STATUS, argv);
  if (flags === undefined) return 0;
  const settings = await loadCommandSettings(io, flags);
  const running = await runningFollows(pidDirectory(settings.configPath, io.cwd));
  return withScope(async (scope) => {
    const targetEndpoint = await openTargetEndpoint(settings, io.env, { signal });
    const target = scope.add(
      await openClient(targetEndpoint, { readOnly: true, applicationName: 'pgtwin status', signal }),
      (c) => c.end(),
      'target session',
    );
    let source: Client | undefined;
    let sourceProblem: string | undefined;
    if (settings.source !== undefined) {
      try {
        source = scope.add(
          await openClient(toEndpoint(resolveEndpoint(settings, 'source'), 'source', io.env), {
            readOnly: true,
            applicationName: 'pgtwin status',
            signal,
            retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
          }),
          (c) => c.end(),
          'source session',
        );
      } catch (error) {
        sourceProblem = `the source could not be reached (${messageOf(error)}): slot and lag are not shown`;
      }
    }
    const reports = await followReports(target, source);
    const runs = await recentRuns(target);
    const failed = reports.some((r) => r.state.status === 'failed' || r.slot === null);
    if (booleanFlag(flags, 'json')) {
      io.stdout(
        JSON.stringify(
          { target: targetEndpoint.display, running, sourceProblem: sourceProblem ?? null, follows: reports.map(toJson), runs },
          null,
          2,
        ) + '\n',
      );
      return failed ? 1 : 0;
    }
    io.stdout(`twin: ${targetEndpoint.display}\n`);
    if (sourceProblem !== undefined) io.stderr(`pgtwin: warning: ${sourceProblem}\n`);
    if (reports.length === 0) io.stdout('No follow has run on this twin (pgtwin follow starts one).\n');
    for (const report of reports) io.stdout(reportText(report, running.find((r) => r.slot === report.state.slot)?.pid));
    if (runs.length > 0) io.stdout(`\nlast runs:\n${runs.map(runLine).join('\n')}\n`);
    for (const report of reports) for (const warning of report.warnings) io.stderr(`pgtwin: WARNING: ${warning}\n`);
    if (failed) {
      throw new PgtwinError('FOLLOW_UNHEALTHY', 'failure', 'A follow of this twin has failed or lost its slot.', {
        nextStep: 'Read the warnings above; fix the cause and run pgtwin follow again.',
      });
    }
    return 0;
  });
}

function reportText(r: FollowReport, pid: number | undefined): string {
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
  };
}
