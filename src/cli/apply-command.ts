/** `pgtwin apply`: build or refresh the twin from an archive. */
import { UsageError } from '../errors.js';
import { claimPidFile, pidDirectory } from '../follow/pid-file.js';
import { targetDisplay } from '../pg/connect-endpoints.js';
import { runApply } from '../replay/apply.js';
import { applyText } from '../report/archive-text.js';
import { boundProgress, ProgressReporter } from '../report/progress.js';
import { countOf } from '../report/format.js';
import { openStore, type ArchiveStore } from '../store/index.js';
import { booleanFlag, stringFlag, type ParsedFlags } from './args.js';
import { readFlags } from './command-flags.js';
import { makeConfirm } from './confirm.js';
import { APPLY } from './definitions/archive.js';
import type { CliIo } from './io.js';
import { loadCommandSettings } from './schema-command.js';

export async function applyCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const flags = readFlags(io, APPLY, argv);
  if (flags === undefined) return 0;
  const settings = await loadCommandSettings(io, flags);
  const location = archiveLocation(flags, settings.archive);
  const json = booleanFlag(flags, 'json');
  const follow = booleanFlag(flags, 'follow');
  // `pgtwin stop` finds it by this file; a second apply to this twin from here is refused at once (the twin's lock refuses it from anywhere).
  const release = await claimPidFile(pidDirectory(settings.configPath, io.cwd), 'apply', targetDisplay(settings, io.env));
  const progress = new ProgressReporter({ write: io.stderr, tty: io.stderrIsTty && !json });
  let store: ArchiveStore | undefined;
  try {
    // Not tied to the stop signal: a stop finishes the file in hand, still read from the store.
    store = await openStore(location, { env: io.env, cwd: io.cwd });
    const report = await runApply({
      settings,
      env: io.env,
      store,
      signal,
      recreate: booleanFlag(flags, 'recreate'),
      confirm: makeConfirm({ yes: booleanFlag(flags, 'yes'), interactive: io.stdinIsTty && io.stderrIsTty }),
      follow,
      pollIntervalMs: intervalMs(flags),
      observer: {
        ...boundProgress(progress),
        fileApplied: (name, totals) => {
          if (!json) io.stderr(`pgtwin: applied ${name} (${countOf(totals.transactions, 'transaction')} so far)\n`);
        },
      },
    });
    if (json) io.stdout(JSON.stringify(report, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2) + '\n');
    else io.stdout(applyText(report));
    return 0;
  } finally {
    progress.stop();
    await store?.close();
    await release();
  }
}

/** `--archive`, else `archive:` in pgtwin.yaml. */
export function archiveLocation(flags: ParsedFlags, configured: string | undefined): string {
  const location = stringFlag(flags, 'archive') ?? configured;
  if (location === undefined || location === '') {
    throw new UsageError('ARCHIVE_REQUIRED', 'No archive given.', {
      nextStep: 'Pass --archive LOCATION (a directory, sftp://user@host/path or s3://bucket/prefix), or set `archive:` in pgtwin.yaml.',
    });
  }
  return location;
}

function intervalMs(flags: ParsedFlags): number {
  const text = stringFlag(flags, 'interval');
  if (text === undefined) return 5000;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError('BAD_INTERVAL', `--interval must be a number of seconds above 0 (got ${JSON.stringify(text)}).`, {
      nextStep: 'For example --interval 10.',
    });
  }
  return Math.round(seconds * 1000);
}
