/** `pgtwin follow`: the foreground process that keeps the twin following the source. */
import { runFollow } from '../follow/follow.js';
import { claimPidFile, pidDirectory } from '../follow/pid-file.js';
import { formatLsn } from '../stream/lsn.js';
import { defaultSlotName } from '../source/names.js';
import { resolveEndpoints } from '../pg/connect-endpoints.js';
import { boundProgress, ProgressReporter } from '../report/progress.js';
import { countOf } from '../report/format.js';
import { booleanFlag, stringFlag } from './args.js';
import { readFlags } from './command-flags.js';
import { FOLLOW } from './definitions/follow.js';
import { makeConfirm } from './confirm.js';
import type { CliIo } from './io.js';
import { loadCommandSettings } from './schema-command.js';

/** A line every this often while changes flow, so a terminal or a journal shows it is alive. */
const SUMMARY_EVERY_MS = 10_000;

export async function followCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const flags = readFlags(io, FOLLOW, argv);
  if (flags === undefined) return 0;
  const settings = await loadCommandSettings(io, flags);
  const slot = stringFlag(flags, 'slot') ?? defaultSlotName(resolveEndpoints(settings, io.env).target.display);
  const release = await claimPidFile(pidDirectory(settings.configPath, io.cwd), 'follow', slot);
  const progress = new ProgressReporter({ write: io.stderr, tty: false });
  let window = { transactions: 0, changes: 0, since: performance.now() };
  try {
    const summary = await runFollow({
      settings,
      env: io.env,
      signal,
      confirm: makeConfirm({ yes: booleanFlag(flags, 'yes'), interactive: io.stdinIsTty && io.stderrIsTty }),
      slot,
      publication: stringFlag(flags, 'publication'),
      observer: {
        ...boundProgress(progress),
        following: (name, from) =>
          io.stderr(`pgtwin: following slot ${name} from ${formatLsn(from)} (Ctrl-C or \`pgtwin stop\` stops after committing)\n`),
        committed: (batch) => {
          window.transactions += batch.transactions;
          window.changes += batch.changes;
          const now = performance.now();
          if (now - window.since < SUMMARY_EVERY_MS) return;
          io.stderr(
            `pgtwin: applied ${countOf(window.transactions, 'transaction')}, ${countOf(window.changes, 'change')} in ${Math.round((now - window.since) / 1000)} s; at ${formatLsn(batch.lastCommitLsn)}\n`,
          );
          window = { transactions: 0, changes: 0, since: now };
        },
        reconnecting: (reason, delayMs) => io.stderr(`pgtwin: warning: ${reason}; reconnecting in ${Math.round(delayMs / 100) / 10} s\n`),
      },
    });
    io.stderr(
      `pgtwin: follow stopped at ${summary.lastCommitLsn} after ${countOf(summary.transactions, 'transaction')} (${countOf(summary.changes, 'change')}) in this run\n`,
    );
    return 0;
  } finally {
    progress.stop();
    await release();
  }
}
