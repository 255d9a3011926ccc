/** `pgtwin stop`: ends the follow started from this directory, cleanly. */
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '../local/lock.js';
import { pidDirectory, runningFollows } from '../follow/pid-file.js';
import { loadSettings } from '../config/index.js';
import { PgtwinError } from '../errors.js';
import { positiveIntegerFlag, stringFlag } from './args.js';
import { readFlags } from './command-flags.js';
import { STOP } from './definitions/follow.js';
import type { CliIo } from './io.js';

export async function stopCommand(io: CliIo, argv: readonly string[]): Promise<number> {
  const flags = readFlags(io, STOP, argv);
  if (flags === undefined) return 0;
  const settings = await loadSettings({ configPath: stringFlag(flags, 'config'), cwd: io.cwd, env: io.env, overrides: {} });
  const slot = stringFlag(flags, 'slot');
  const timeoutMs = (positiveIntegerFlag(flags, 'timeout') ?? 60) * 1000;
  const running = (await runningFollows(pidDirectory(settings.configPath, io.cwd))).filter((f) => slot === undefined || f.slot === slot);
  if (running.length === 0) {
    io.stdout('No pgtwin follow is running from this directory.\n');
    return 0;
  }
  for (const follow of running) {
    io.stdout(`Stopping follow of slot ${follow.slot} (pid ${follow.pid})...\n`);
    process.kill(follow.pid, 'SIGTERM');
  }
  const deadline = Date.now() + timeoutMs;
  while (running.some((f) => isAlive(f.pid)) && Date.now() < deadline) await sleep(100);
  const left = running.filter((f) => isAlive(f.pid));
  if (left.length > 0) {
    throw new PgtwinError(
      'FOLLOW_STILL_RUNNING',
      'failure',
      `pgtwin follow is still running after ${timeoutMs / 1000} s: ${left.map((f) => `pid ${f.pid}`).join(', ')}.`,
      {
        nextStep:
          'It is finishing a large transaction or waiting for a server; wait and run pgtwin stop again (a second SIGINT to it exits at once, and the next follow resumes exactly).',
      },
    );
  }
  io.stdout('Stopped.\n');
  return 0;
}
