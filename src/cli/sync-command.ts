/** `pgtwin sync` and `pgtwin plan`: parse flags, load settings, call the library, print. */
import { loadSettings } from '../config/index.js';
import type { Settings } from '../config/index.js';
import { planSync } from '../sync/sync.js';
import { runSyncWithCheckpoint } from '../sync/checkpoint-sync.js';
import { planToJson, planToText } from '../report/plan-text.js';
import { ProgressReporter } from '../report/progress.js';
import { notCreatedText, syncReportToJson, syncSummaryLine } from '../report/sync-text.js';
import { booleanFlag, stringFlag } from './args.js';
import { readFlags } from './command-flags.js';
import { PLAN, SYNC } from './definitions/sync.js';
import { makeConfirm } from './confirm.js';
import type { CliIo } from './io.js';
import { overridesFrom } from './sync-flags.js';
import { schemaCommand } from './schema-command.js';
import { EXIT_CODES } from '../errors.js';
import { schemaIncompleteError } from '../sync/sync-errors.js';

interface SyncArgs {
  readonly settings: Settings;
  readonly json: boolean;
  readonly yes: boolean;
  readonly dryRun: boolean;
  readonly recreate: boolean;
  readonly resume: boolean;
}

async function settingsFor(io: CliIo, argv: readonly string[], command: 'sync' | 'plan'): Promise<SyncArgs | undefined> {
  const flags = readFlags(io, command === 'plan' ? PLAN : SYNC, argv);
  if (flags === undefined) return undefined;
  const settings = await loadSettings({
    configPath: stringFlag(flags, 'config'),
    cwd: io.cwd,
    env: io.env,
    overrides: overridesFrom(flags),
  });
  for (const env of settings.environments.values()) io.redactor.addUrl(env.url);
  io.redactor.addUrl(settings.source);
  io.redactor.addUrl(settings.target);
  for (const warning of settings.warnings) io.stderr(`pgtwin: warning: ${warning}\n`);
  return {
    settings,
    json: booleanFlag(flags, 'json'),
    yes: booleanFlag(flags, 'yes'),
    dryRun: booleanFlag(flags, 'dry-run'),
    recreate: booleanFlag(flags, 'recreate'),
    resume: booleanFlag(flags, 'resume'),
  };
}

export async function planCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const parsed = await settingsFor(io, argv, 'plan');
  if (parsed === undefined) return 0;
  const result = await planSync({ settings: parsed.settings, env: io.env, signal, recreate: parsed.recreate }, true);
  const notes = parsed.settings.notes ?? [];
  if (parsed.json) io.stdout(JSON.stringify(planToJson(result, notes), null, 2) + '\n');
  else io.stdout(planToText(result, notes));
  return 0;
}

export async function syncCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  // The schema step alone is `pgtwin schema`, with the same selection and safety flags.
  if (argv.includes('--schema-only') && !argv.includes('--help') && !argv.includes('-h')) {
    return schemaCommand(
      io,
      argv.filter((a) => a !== '--schema-only'),
      signal,
    );
  }
  const parsed = await settingsFor(io, argv, 'sync');
  if (parsed === undefined) return 0;
  if (parsed.dryRun)
    return planCommand(
      io,
      argv.filter((a) => a !== '--dry-run' && a !== '--yes' && a !== '-y'),
      signal,
    );
  const { verbose, checkpointFile } = parsed.settings.options;
  const showProgress = verbose === true || (parsed.settings.options.showProgress ?? true);
  // verbose: the line-per-table form, which a log keeps, even on a terminal.
  const progress = new ProgressReporter({
    write: io.stderr,
    progress: showProgress,
    tty: io.stderrIsTty && verbose !== true,
    columns: io.columns,
  });
  try {
    const report = await runSyncWithCheckpoint({
      settings: parsed.settings,
      env: io.env,
      signal,
      recreate: parsed.recreate,
      resume: parsed.resume,
      observer: progress,
      confirm: makeConfirm({ yes: parsed.yes, interactive: io.stdinIsTty && io.stderrIsTty }),
      checkpointFile,
      notice: (line) => io.stderr(`pgtwin: ${line}\n`),
    });
    progress.stop();
    const incomplete = report.notCreated.length > 0;
    if (parsed.json) {
      io.stdout(JSON.stringify(syncReportToJson(report)) + '\n');
      return incomplete ? EXIT_CODES.incomplete : 0;
    }
    io.stdout(syncSummaryLine(report));
    for (const warning of report.warnings.filter((w) => w.startsWith('left out: '))) io.stderr(`pgtwin: ${warning}\n`);
    if (incomplete) {
      io.stdout(notCreatedText(report));
      throw schemaIncompleteError(report.notCreated, true);
    }
    return 0;
  } finally {
    progress.stop();
  }
}
