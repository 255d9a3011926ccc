/**
 * As root, the directory of a server's own files (pgdata, the log) in pgtwin's
 * shared directory, owned by the server user, and the link `cluster` that
 * points to it from the configured data directory. A marker written by root
 * records which data directory it belongs to and, for servers that live no
 * longer than their process (tests, the demo), which process made it, so one
 * left behind (a killed process, a caller that deleted the data directory
 * without stopping) is removed by the next server created. The local twin's
 * has no process: it is deleted only by `pgtwin local destroy`.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { messageOf } from '../errors.js';
import { LocalServerError } from './errors.js';
import { CLUSTER_LINK, currentLayout, layoutOf, type LocalLayout } from './layout.js';
import { isAlive } from './lock.js';
import { clustersDir, SHARED_DIR_VARIABLE } from './shared-dir.js';
import { handTo, type ServerUser } from './server-user.js';

const MARKER = 'pgtwin-owner.json';

interface Owner {
  readonly dataDir: string;
  /** Set for a server that lives no longer than the process running it (the demo's, the tests'): that process. */
  readonly pid?: number;
}

/**
 * The layout of `root` with its server directory: `root` itself for a normal
 * user; as root, the linked directory, created (with the link) when missing.
 */
export async function serverLayout(
  root: string,
  user: ServerUser | undefined,
  shared: string | undefined,
  options: { ownedByProcess: boolean },
): Promise<LocalLayout> {
  if (user === undefined || shared === undefined) return layoutOf(root);
  const existing = await currentLayout(root);
  if (existing.serverDir !== root) {
    if (await exists(existing.serverDir)) return existing;
    // The directory it points to is gone (removed as abandoned after its process was killed, or by hand):
    // nothing of that server is left to keep, and a stale link would make every start fail.
    await unlink(join(root, CLUSTER_LINK));
  }
  await removeAbandoned(shared);
  const name = `${basename(root)
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .slice(0, 40)}-${randomBytes(4).toString('hex')}`;
  const dir = join(clustersDir(shared), name);
  try {
    await mkdir(dir, { mode: 0o700 });
    await handTo(dir, user);
    const owner: Owner = options.ownedByProcess ? { dataDir: root, pid: process.pid } : { dataDir: root };
    await writeFile(join(dir, MARKER), JSON.stringify(owner) + '\n', { mode: 0o644 });
    await symlink(dir, join(root, CLUSTER_LINK));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new LocalServerError('LOCAL_DIR_UNUSABLE', `The server directory ${dir} for ${root} cannot be created: ${messageOf(error)}`, {
      cause: error,
      nextStep: `Check the free space and permissions of ${shared} (or set ${SHARED_DIR_VARIABLE} to another directory), then run the command again.`,
    });
  }
  return layoutOf(root, dir);
}

/** Deletes the server directory and its link (when the server was run as root); the caller deletes what is in `root`. */
export async function removeServerDir(layout: LocalLayout): Promise<void> {
  if (layout.serverDir === layout.root) return;
  await rm(layout.serverDir, { recursive: true, force: true });
  await unlink(join(layout.root, CLUSTER_LINK)).catch(() => undefined);
}

/** Server directories of servers whose process is gone and whose postmaster is not running. */
async function removeAbandoned(shared: string): Promise<void> {
  const clusters = clustersDir(shared);
  for (const name of await readdir(clusters).catch(() => [])) {
    const dir = join(clusters, name);
    const owner = await readOwner(join(dir, MARKER));
    if (owner?.pid === undefined || isAlive(owner.pid)) continue;
    const postmaster = Number((await readFile(join(dir, 'pgdata', 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
    if (Number.isSafeInteger(postmaster) && postmaster > 0 && isAlive(postmaster)) continue;
    await rm(dir, { recursive: true, force: true });
  }
}

async function readOwner(path: string): Promise<Owner | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || !('dataDir' in parsed) || typeof parsed.dataDir !== 'string') return undefined;
    const pid = 'pid' in parsed && typeof parsed.pid === 'number' ? parsed.pid : undefined;
    return pid === undefined ? { dataDir: parsed.dataDir } : { dataDir: parsed.dataDir, pid };
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
