/**
 * `pgtwin stop`: SIGTERM to the follows, captures and applies started from a
 * directory (their pid files), then wait until each has finished what it had
 * in hand (a follow its batch, a capture its change file, an apply its file)
 * and exited.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { PgtwinError } from '../errors.js';
import { isAlive } from '../local/lock.js';
import { runningProcesses, type RunningProcess } from './pid-file.js';

export interface StopOptions {
  /** The directory of the pid files (pidDirectory). */
  readonly dir: string;
  /** Which of them to stop; all when absent. */
  readonly which?: (run: RunningProcess) => boolean;
  readonly timeoutMs: number;
  /** Called for each as it is sent SIGTERM. */
  readonly onStopping?: (run: RunningProcess) => void;
}

/** Those that were stopped (none when none was running); FOLLOW_STILL_RUNNING (STILL_RUNNING for a capture or apply) when one outlives the timeout. */
export async function stopRunning(options: StopOptions): Promise<readonly RunningProcess[]> {
  const { which, timeoutMs } = options;
  const running = (await runningProcesses(options.dir)).filter((run) => which === undefined || which(run));
  for (const run of running) {
    options.onStopping?.(run);
    process.kill(run.pid, 'SIGTERM');
  }
  const deadline = Date.now() + timeoutMs;
  while (running.some((r) => isAlive(r.pid)) && Date.now() < deadline) await sleep(100);
  const left = running.filter((r) => isAlive(r.pid));
  if (left.length > 0) {
    throw new PgtwinError(
      left.every((r) => r.kind === 'follow') ? 'FOLLOW_STILL_RUNNING' : 'STILL_RUNNING',
      'failure',
      `Still running after ${timeoutMs / 1000} s: ${left.map((r) => `pgtwin ${r.kind} (pid ${r.pid})`).join(', ')}.`,
      {
        nextStep:
          'It is finishing a large transaction or file, or waiting for a server; wait and run pgtwin stop again (a second SIGINT to it exits at once, and the next run resumes exactly).',
      },
    );
  }
  return running;
}
