/**
 * The pid file of a running follow (`.pgtwin/follow-<slot>.pid` beside the
 * config, or in the working directory): how `pgtwin stop` finds it, and how a
 * second follow of the same slot from this directory is refused early.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isAlive } from '../local/lock.js';
import { FollowError } from '../stream/follow-errors.js';

export function pidDirectory(configPath: string | undefined, cwd: string): string {
  return join(configPath === undefined ? cwd : dirname(configPath), '.pgtwin');
}

export function pidFileOf(dir: string, slot: string): string {
  return join(dir, `follow-${slot}.pid`);
}

/** Writes this process's pid; a live one of another process is an error. Returns the remover. */
export async function claimPidFile(dir: string, slot: string): Promise<() => Promise<void>> {
  const path = pidFileOf(dir, slot);
  const other = await readPid(path);
  if (other !== undefined && other !== process.pid && isAlive(other)) {
    throw new FollowError('FOLLOW_RUNNING', `pgtwin follow is already running for slot ${slot} (pid ${other}).`, {
      nextStep: 'Stop it with `pgtwin stop`, or leave it running: one follow per slot.',
    });
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(path, `${process.pid}\n`, { mode: 0o644 });
  return async () => {
    if ((await readPid(path)) === process.pid) await rm(path, { force: true });
  };
}

export interface RunningFollow {
  readonly slot: string;
  readonly pid: number;
  readonly path: string;
}

/** Follows started from this directory that are still alive (stale pid files are removed). */
export async function runningFollows(dir: string): Promise<RunningFollow[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: RunningFollow[] = [];
  for (const name of names) {
    const match = /^follow-([a-z0-9_]+)\.pid$/.exec(name);
    if (match === null || match[1] === undefined) continue;
    const path = join(dir, name);
    const pid = await readPid(path);
    if (pid !== undefined && isAlive(pid)) found.push({ slot: match[1], pid, path });
    else await rm(path, { force: true });
  }
  return found;
}

async function readPid(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  const pid = text === undefined ? NaN : Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}
