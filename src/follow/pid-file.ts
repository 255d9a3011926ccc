/**
 * The pid files of the long-running commands started from a directory
 * (`.pgtwin/` beside the config, or in the working directory): a follow (by
 * its slot), a capture (by its archive) and an apply (by its twin). They are
 * how `pgtwin stop` finds what to stop, how `status` shows what runs, and how
 * a second run serving the same thing from this directory is refused early.
 *
 * A file holds one JSON line, `{"pid", "kind", "serves"}`; a follow's file is
 * named after its slot (`follow-<slot>.pid`, as before), the others after a
 * digest of what they serve (a location or URL is no file name). A file
 * holding only a pid (an older follow's) is still read.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PgtwinError } from '../errors.js';
import { isAlive } from '../local/lock.js';

export type RunKind = 'follow' | 'capture' | 'apply';

/** The error of a second run serving the same thing from this directory. */
const RUNNING_CODE: Readonly<Record<RunKind, string>> = { follow: 'FOLLOW_RUNNING', capture: 'CAPTURE_RUNNING', apply: 'APPLY_RUNNING' };

/** What each kind serves, in words, for messages. */
export const SERVES: Readonly<Record<RunKind, string>> = { follow: 'slot', capture: 'archive', apply: 'twin' };

export interface RunningProcess {
  readonly kind: RunKind;
  /** The slot (follow), the archive location (capture) or the twin's URL without password (apply). */
  readonly serves: string;
  readonly pid: number;
  readonly path: string;
}

export function pidDirectory(configPath: string | undefined, cwd: string): string {
  return join(configPath === undefined ? cwd : dirname(configPath), '.pgtwin');
}

export function pidFileOf(dir: string, kind: RunKind, serves: string): string {
  const id = kind === 'follow' ? serves : createHash('sha256').update(serves).digest('hex').slice(0, 16);
  return join(dir, `${kind}-${id}.pid`);
}

/** Writes this process's pid file; a live one of another process is an error. Returns the remover. */
export async function claimPidFile(dir: string, kind: RunKind, serves: string): Promise<() => Promise<void>> {
  const path = pidFileOf(dir, kind, serves);
  const other = await readPidFile(path);
  if (other !== undefined && other.pid !== process.pid && isAlive(other.pid)) {
    throw new PgtwinError(
      RUNNING_CODE[kind],
      'failure',
      `pgtwin ${kind} is already running for ${SERVES[kind]} ${serves} (pid ${other.pid}).`,
      { nextStep: `Stop it with \`pgtwin stop\`, or leave it running: one ${kind} per ${SERVES[kind]}.` },
    );
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify({ pid: process.pid, kind, serves })}\n`, { mode: 0o644 });
  return async () => {
    if ((await readPidFile(path))?.pid === process.pid) await rm(path, { force: true });
  };
}

/** What runs from this directory (stale pid files are removed). */
export async function runningProcesses(dir: string): Promise<RunningProcess[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: RunningProcess[] = [];
  for (const name of names) {
    if (!/^(follow|capture|apply)-[a-z0-9_]+\.pid$/.test(name)) continue;
    const path = join(dir, name);
    const running = await readPidFile(path);
    if (running !== undefined && isAlive(running.pid)) found.push(running);
    else await rm(path, { force: true });
  }
  return found;
}

export interface RunningFollow {
  readonly slot: string;
  readonly pid: number;
  readonly path: string;
}

/** The follows among them. */
export async function runningFollows(dir: string): Promise<RunningFollow[]> {
  return (await runningProcesses(dir)).filter((p) => p.kind === 'follow').map((p) => ({ slot: p.serves, pid: p.pid, path: p.path }));
}

async function readPidFile(path: string): Promise<RunningProcess | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const named = /(?:^|\/)(follow|capture|apply)-([a-z0-9_]+)\.pid$/.exec(path);
  const kind = named?.[1] as RunKind | undefined;
  if (kind === undefined) return undefined;
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    // An older follow's file: its pid alone, the slot in its name.
    const pid = Number(trimmed);
    return kind === 'follow' && Number.isSafeInteger(pid) && pid > 0 ? { kind, serves: named?.[2] ?? '', pid, path } : undefined;
  }
  try {
    const parsed = JSON.parse(trimmed) as { pid?: unknown; serves?: unknown };
    const { pid, serves } = parsed;
    if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0 || typeof serves !== 'string') return undefined;
    return { kind, serves, pid, path };
  } catch {
    return undefined;
  }
}
