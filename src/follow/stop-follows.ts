/** `pgtwin stop`: SIGTERM to the follows started from a directory, then wait until each has committed and exited. */
import { setTimeout as sleep } from 'node:timers/promises';
import { PgtwinError } from '../errors.js';
import { isAlive } from '../local/lock.js';
import { runningFollows, type RunningFollow } from './pid-file.js';

export interface StopFollowsOptions {
  /** The directory of the pid files (pidDirectory). */
  readonly dir: string;
  /** Only the follow of this slot. */
  readonly slot?: string | undefined;
  readonly timeoutMs: number;
  /** Called for each follow as it is sent SIGTERM. */
  readonly onStopping?: (follow: RunningFollow) => void;
}

/** The follows that were stopped (none when none was running); FOLLOW_STILL_RUNNING when one outlives the timeout. */
export async function stopFollows(options: StopFollowsOptions): Promise<readonly RunningFollow[]> {
  const { slot, timeoutMs } = options;
  const running = (await runningFollows(options.dir)).filter((f) => slot === undefined || f.slot === slot);
  for (const follow of running) {
    options.onStopping?.(follow);
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
  return running;
}
