/** `pgtwin capture`: the masked base and change files of the source into an archive. */
import { runCapture, type CaptureSummary } from '../capture/capture.js';
import { DURATION_HINT, parseDuration } from '../config/index.js';
import { UsageError } from '../errors.js';
import { countOf, formatBytes } from '../report/format.js';
import { claimPidFile, pidDirectory } from '../follow/pid-file.js';
import { openStore } from '../store/index.js';
import { booleanFlag, positiveIntegerFlag, stringFlag } from './args.js';
import { readFlags } from './command-flags.js';
import { CAPTURE } from './definitions/capture.js';
import type { CliIo } from './io.js';
import { loadCommandSettings } from './schema-command.js';
import { byteSizeFlag } from './sync-flags.js';

/** A line at most this often while files are stored, so a terminal or a journal shows it is alive. */
const SUMMARY_EVERY_MS = 10_000;

export async function captureCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const flags = readFlags(io, CAPTURE, argv);
  if (flags === undefined) return 0;
  if (booleanFlag(flags, 'once') && booleanFlag(flags, 'follow'))
    throw new UsageError('BAD_FLAGS', '--once and --follow exclude each other.', {
      nextStep: 'Pass one of them (--follow is the default).',
    });
  const settings = await loadCommandSettings(io, flags);
  const location = stringFlag(flags, 'archive') ?? settings.archive;
  if (location === undefined)
    throw new UsageError('ARCHIVE_REQUIRED', 'No archive given.', {
      nextStep: 'Pass --archive LOCATION (a directory, sftp://user@host/path or s3://bucket/prefix), or set `archive:` in pgtwin.yaml.',
    });
  const json = booleanFlag(flags, 'json');
  const say = (line: string): void => io.stderr(`pgtwin: ${line}\n`);
  // Not tied to the stop signal: a stop stores the file in hand before the slot is acknowledged, so the store must still work then.
  const store = await openStore(location, { env: io.env, create: true, cwd: io.cwd });
  let release: (() => Promise<void>) | undefined;
  let window = { files: 0, transactions: 0, since: performance.now() };
  let baseShownAt = 0;
  try {
    // `pgtwin stop` finds it by this file; a second capture of this archive from here is refused at once.
    release = await claimPidFile(pidDirectory(settings.configPath, io.cwd), 'capture', store.display);
    const fileAge = positiveIntegerFlag(flags, 'file-age');
    const summary = await runCapture({
      settings,
      env: io.env,
      signal,
      store,
      once: booleanFlag(flags, 'once'),
      newBase: booleanFlag(flags, 'new-base'),
      newBaseAfterMs: durationFlag(flags, 'new-base-after'),
      publication: stringFlag(flags, 'publication'),
      spoolDir: stringFlag(flags, 'spool-dir'),
      ...definedOnly({
        maxFileBytes: byteSizeFlag(flags, 'file-size'),
        maxFileAgeMs: fileAge === undefined ? undefined : fileAge * 1000,
        maxPartBytes: byteSizeFlag(flags, 'part-size'),
      }),
      observer: {
        note: say,
        reconnecting: (reason, delayMs) => say(`warning: ${reason}; reconnecting in ${Math.round(delayMs / 100) / 10} s`),
        warning: (message) => say(`warning: ${message}`),
        baseProgress: (table, rows) => {
          if (!io.stderrIsTty || performance.now() - baseShownAt < 1000) return;
          baseShownAt = performance.now();
          say(`base: ${table}: ${countOf(rows, 'row')}`);
        },
        baseTable: (table) => say(`base: ${table.key}: ${countOf(table.rows, 'row')} in ${countOf(table.parts.length, 'part')}`),
        file: (file) => {
          window.files++;
          window.transactions += file.transactions;
          const now = performance.now();
          if (!io.stderrIsTty && now - window.since < SUMMARY_EVERY_MS) return;
          say(
            `stored ${file.name} (${countOf(file.transactions, 'transaction')}, ${formatBytes(file.size)}); ${countOf(window.files, 'file')} since the last line`,
          );
          window = { files: 0, transactions: 0, since: now };
        },
      },
    });
    if (json) io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
    else say(summaryLine(summary));
    return 0;
  } finally {
    await release?.();
    await store.close();
  }
}

function summaryLine(summary: CaptureSummary): string {
  const base = summary.base === undefined ? '' : `base ${summary.base.name} (${countOf(summary.base.rows, 'row')}), `;
  const at = summary.lastCommitLsn === undefined ? '' : `; archive at ${summary.lastCommitLsn}`;
  return `capture stopped: ${base}${countOf(summary.files, 'change file')}, ${countOf(summary.transactions, 'transaction')} (${countOf(summary.changes, 'change')}, ${formatBytes(summary.storedBytes)} stored)${at}`;
}

function durationFlag(flags: Parameters<typeof stringFlag>[0], name: string): number | undefined {
  const value = stringFlag(flags, name);
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined)
    throw new UsageError('BAD_FLAGS', `--${name} takes ${DURATION_HINT}, not "${value}".`, { nextStep: `For example --${name} 7d.` });
  return ms;
}

/** Leaves out what was not given, so the request's defaults apply. */
function definedOnly<T extends Record<string, number | undefined>>(values: T): { [K in keyof T]?: number } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: number };
}
