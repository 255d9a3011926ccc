/** `pgtwin stop`: ends the follow started from this directory, cleanly. */
import { pidDirectory } from '../follow/pid-file.js';
import { stopFollows } from '../follow/stop-follows.js';
import { loadSettings } from '../config/index.js';
import { positiveIntegerFlag, stringFlag } from './args.js';
import { readFlags } from './command-flags.js';
import { STOP } from './definitions/follow.js';
import type { CliIo } from './io.js';

export async function stopCommand(io: CliIo, argv: readonly string[]): Promise<number> {
  const flags = readFlags(io, STOP, argv);
  if (flags === undefined) return 0;
  const settings = await loadSettings({ configPath: stringFlag(flags, 'config'), cwd: io.cwd, env: io.env, overrides: {} });
  const stopped = await stopFollows({
    dir: pidDirectory(settings.configPath, io.cwd),
    slot: stringFlag(flags, 'slot'),
    timeoutMs: (positiveIntegerFlag(flags, 'timeout') ?? 60) * 1000,
    onStopping: (follow) => io.stdout(`Stopping follow of slot ${follow.slot} (pid ${follow.pid})...\n`),
  });
  io.stdout(stopped.length === 0 ? 'No pgtwin follow is running from this directory.\n' : 'Stopped.\n');
  return 0;
}
