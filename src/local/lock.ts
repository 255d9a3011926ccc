/**
 * An exclusive lock on an embedded server's directory, held while it is
 * created, started, stopped or destroyed, so two pgtwin processes never run
 * initdb twice or start two postmasters. It is a file created with O_EXCL
 * holding the owner's pid; a lock whose process is gone is stale and taken
 * over. PostgreSQL's own postmaster.pid is the second line of defence.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { InterruptedError } from '../errors.js';
import { LocalServerError } from './errors.js';

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
}

export interface LockOptions {
  readonly signal?: AbortSignal | undefined;
  /** How long to wait for another holder before giving up. */
  readonly timeoutMs?: number | undefined;
  /** Called once when the lock is held by someone else and we start waiting. */
  readonly onWait?: ((holderPid: number | undefined) => void) | undefined;
}

const POLL_MS = 100;
/** A lock file still empty after this long was left by a process that died while writing it. */
const EMPTY_GRACE_MS = 5_000;

export async function withLock<T>(path: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const owner: LockOwner = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex') };
  await acquire(path, owner, options);
  try {
    return await fn();
  } finally {
    await release(path, owner);
  }
}

async function acquire(path: string, owner: LockOwner, options: LockOptions): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let announced = false;
  while (true) {
    if (await tryCreate(path, owner)) return;
    const holder = await readOwner(path);
    if (await isStale(path, holder)) {
      await breakStale(path, holder);
      continue;
    }
    if (!announced) {
      announced = true;
      options.onWait?.(holder === 'empty' || holder === 'gone' ? undefined : holder.pid);
    }
    if (options.signal?.aborted === true) throw new InterruptedError('Interrupted while waiting for the lock of the local server.');
    if (Date.now() > deadline) {
      const who = holder === 'empty' || holder === 'gone' ? 'another process' : `process ${holder.pid} on ${holder.host}`;
      throw new LocalServerError('LOCAL_LOCKED', `The local server's directory is locked by ${who}.`, {
        nextStep: `Wait for the other pgtwin command to finish. If none is running, delete ${path} and run the command again.`,
      });
    }
    await sleep(POLL_MS);
  }
}

async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify(owner));
  } finally {
    await handle.close();
  }
  return true;
}

async function readOwner(path: string): Promise<LockOwner | 'empty' | 'gone'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.token === 'string') {
      return { pid: parsed.pid, host: parsed.host, token: parsed.token };
    }
  } catch {
    // Being written right now, or left half-written: decided by its age.
  }
  return 'empty';
}

async function isStale(path: string, holder: LockOwner | 'empty' | 'gone'): Promise<boolean> {
  if (holder === 'gone') return false; // released meanwhile: just try again
  if (holder === 'empty') {
    const age = await stat(path)
      .then((s) => Date.now() - s.mtimeMs)
      .catch(() => 0);
    return age > EMPTY_GRACE_MS;
  }
  // A pid on another machine (shared directory) cannot be checked: wait for it.
  return holder.host === hostname() && !isAlive(holder.pid);
}

/**
 * Moves the stale file aside before deleting it: if another process broke the
 * same stale lock and created its own meanwhile, the content read back shows it
 * and that fresh lock is put back instead of being deleted.
 */
async function breakStale(path: string, seen: LockOwner | 'empty' | 'gone'): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return;
    throw error;
  }
  const moved = await readOwner(aside);
  const same = typeof seen === 'object' && typeof moved === 'object' ? seen.token === moved.token : seen === moved;
  if (!same) {
    // Not the file we judged stale: put it back (link fails if yet another lock exists by now).
    await link(aside, path).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}

async function release(path: string, owner: LockOwner): Promise<void> {
  const holder = await readOwner(path).catch(() => 'gone' as const);
  // Never delete a lock that is not ours (ours was judged stale and taken over).
  if (typeof holder === 'object' && holder.token === owner.token) await unlink(path).catch(() => undefined);
}

/** Whether a process runs: exists (signal 0) and is not a zombie its parent has yet to reap. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user (the server user, as root).
    if (codeOf(error) !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/**
 * A detached postmaster is reparented to PID 1 once pg_ctl exits; where PID 1
 * does not reap (some containers), a stopped server lingers as a zombie that
 * signal 0 still finds. Linux only; elsewhere, false.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat
      .slice(stat.lastIndexOf(')') + 1)
      .trimStart()
      .startsWith('Z');
  } catch {
    return false;
  }
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
