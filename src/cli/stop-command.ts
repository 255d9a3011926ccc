/** `pgtwin stop`: ends the follows, captures and applies started from this directory, cleanly. */
import { pidDirectory, SERVES, type RunningProcess } from '../follow/pid-file.js';
import { stopRunning } from '../follow/stop-running.js';
import { loadSettings } from '../config/index.js';
import { targetDisplay } from '../pg/connect-endpoints.js';
import { locationDisplay } from '../store/index.js';
import { positiveIntegerFlag, stringFlag } from './args.js';
import { readFlags } from './command-flags.js';
import { STOP } from './definitions/follow.js';
import type { CliIo } from './io.js';

export async function stopCommand(io: CliIo, argv: readonly string[]): Promise<number> {
  const flags = readFlags(io, STOP, argv);
  if (flags === undefined) return 0;
  const to = stringFlag(flags, 'to');
  const settings = await loadSettings({
    configPath: stringFlag(flags, 'config'),
    cwd: io.cwd,
    env: io.env,
    overrides: to === undefined ? {} : { target: to },
  });
  // Each named the way the process named its pid file: the slot, the archive's display form, the twin's URL without password.
  const slot = stringFlag(flags, 'slot');
  const archive = stringFlag(flags, 'archive');
  const picks: Array<(run: RunningProcess) => boolean> = [];
  if (slot !== undefined) picks.push((run) => run.kind === 'follow' && run.serves === slot);
  if (archive !== undefined) {
    const display = locationDisplay(archive, { cwd: io.cwd, env: io.env });
    picks.push((run) => run.kind === 'capture' && run.serves === display);
  }
  if (to !== undefined) {
    const display = targetDisplay(settings, io.env);
    picks.push((run) => run.kind === 'apply' && run.serves === display);
  }
  const stopped = await stopRunning({
    dir: pidDirectory(settings.configPath, io.cwd),
    which: picks.length === 0 ? undefined : (run) => picks.some((pick) => pick(run)),
    timeoutMs: (positiveIntegerFlag(flags, 'timeout') ?? 60) * 1000,
    onStopping: (run) => io.stdout(`Stopping ${run.kind} of ${SERVES[run.kind]} ${run.serves} (pid ${run.pid})...\n`),
  });
  io.stdout(stopped.length === 0 ? 'No pgtwin follow, capture or apply is running from this directory.\n' : 'Stopped.\n');
  return 0;
}
