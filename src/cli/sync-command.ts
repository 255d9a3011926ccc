/** `pgtwin sync` and `pgtwin plan`: parse flags, load settings, call the library, print. */
import { loadSettings } from '../config/index.js';
import type { Settings } from '../config/settings.js';
import { planSync, runSync } from '../snapshot/sync.js';
import { planToJson, planToText } from '../report/plan-text.js';
import { ProgressReporter } from '../report/progress.js';
import { countOf, formatBytes, formatDuration } from '../report/format.js';
import { booleanFlag, parseFlags, stringFlag } from './args.js';
import { makeConfirm } from './confirm.js';
import type { CliIo } from './io.js';
import { overridesFrom, SYNC_FLAGS } from './sync-flags.js';
import { PLAN_HELP, SYNC_HELP } from './help.js';
import { schemaCommand } from './schema-command.js';

interface SyncArgs {
  readonly settings: Settings;
  readonly json: boolean;
  readonly yes: boolean;
  readonly dryRun: boolean;
  readonly recreate: boolean;
  readonly resume: boolean;
}

async function settingsFor(io: CliIo, argv: readonly string[], command: string): Promise<SyncArgs | undefined> {
  const flags = parseFlags(command, argv, SYNC_FLAGS);
  if (booleanFlag(flags, 'help')) {
    io.stdout(command === 'plan' ? PLAN_HELP : SYNC_HELP);
    return undefined;
  }
  const settings = await loadSettings({ configPath: stringFlag(flags, 'config'), cwd: io.cwd, env: io.env, overrides: overridesFrom(flags) });
  for (const env of settings.environments.values()) io.redactor.addUrl(env.url);
  io.redactor.addUrl(settings.source);
  io.redactor.addUrl(settings.target);
  for (const warning of settings.warnings) io.stderr(`pgtwin: warning: ${warning}\n`);
  return { settings, json: booleanFlag(flags, 'json'), yes: booleanFlag(flags, 'yes'), dryRun: booleanFlag(flags, 'dry-run'), recreate: booleanFlag(flags, 'recreate'), resume: booleanFlag(flags, 'resume') };
}

export async function planCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const parsed = await settingsFor(io, argv, 'plan');
  if (parsed === undefined) return 0;
  const result = await planSync({ settings: parsed.settings, env: io.env, signal, recreate: parsed.recreate }, true);
  if (parsed.json) io.stdout(JSON.stringify(planToJson(result), null, 2) + '\n');
  else io.stdout(planToText(result));
  return 0;
}

export async function syncCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  // The schema step alone is `pgtwin schema`, with the same selection and safety flags.
  if (argv.includes('--schema-only') && !argv.includes('--help') && !argv.includes('-h')) {
    return schemaCommand(io, argv.filter((a) => a !== '--schema-only'), signal);
  }
  const parsed = await settingsFor(io, argv, 'sync');
  if (parsed === undefined) return 0;
  if (parsed.dryRun) return planCommand(io, argv.filter((a) => a !== '--dry-run' && a !== '--yes' && a !== '-y'), signal);
  const showProgress = parsed.settings.options.showProgress ?? true;
  const progress = new ProgressReporter({ write: io.stderr, progress: showProgress, tty: io.stderrIsTty, columns: io.columns });
  try {
    const report = await runSync({
      settings: parsed.settings,
      env: io.env,
      signal,
      recreate: parsed.recreate,
      resume: parsed.resume,
      observer: progress,
      confirm: makeConfirm({ yes: parsed.yes, interactive: io.stdinIsTty && io.stderrIsTty }),
    });
    progress.stop();
    if (parsed.json) {
      io.stdout(JSON.stringify({ tables: report.tables, totalRows: report.totalRows, durationMs: report.durationMs, runId: report.runId, sequences: report.sequences, largeObjects: report.largeObjects ?? null, warnings: report.warnings }) + '\n');
    } else {
      const lo = report.largeObjects;
      const objects = lo === undefined ? '' : `, ${countOf(lo.count, 'large object')}${lo.decision === 'empty' ? ' (empty)' : ` (${formatBytes(lo.bytes)})`}`;
      io.stdout(`Synced ${countOf(report.tables.length, 'table')}, ${countOf(report.totalRows, 'row')}${objects} in ${formatDuration(report.durationMs)} (run ${report.runId}).\n`);
    }
    return 0;
  } finally {
    progress.stop();
  }
}
