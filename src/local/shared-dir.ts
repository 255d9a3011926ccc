/**
 * Where a server run as root keeps what its unprivileged user must reach.
 *
 * PostgreSQL refuses to run as root, so as root the server runs as `postgres`
 * (server-user.ts). That user cannot enter a private (0700) home or temporary
 * directory, so neither the binaries under a clone's node_modules nor a data
 * directory there are reachable by it. pgtwin never changes the permissions of
 * the user's directories to get around that; it keeps its own directory
 * instead, `/var/lib/pgtwin` (PGTWIN_SHARED_DIR overrides it):
 *
 *   /var/lib/pgtwin/                         root, 0755
 *     postgresql-<version>-<hash>/           root, 0755: a verified copy of the binaries
 *     clusters/                              root, 0711: entered, not listed, by the server user
 *       <name>-<random>/                     postgres, 0700: pgdata/ and server.log
 *
 * As a normal user none of this is used: the user runs the binaries where npm
 * put them and owns its data directory.
 */
import { chmod, mkdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { messageOf } from '../errors.js';
import { LocalServerError } from './errors.js';
import type { ServerUser } from './server-user.js';

export const SHARED_DIR_VARIABLE = 'PGTWIN_SHARED_DIR';
export const DEFAULT_SHARED_DIR = '/var/lib/pgtwin';

export function sharedDir(env: NodeJS.ProcessEnv = process.env): string {
  const given = env[SHARED_DIR_VARIABLE];
  if (given === undefined || given === '') return DEFAULT_SHARED_DIR;
  if (!isAbsolute(given)) {
    throw new LocalServerError(
      'LOCAL_SHARED_DIR_RELATIVE',
      `${SHARED_DIR_VARIABLE} must be an absolute path, not "${given}".`,
      {
        nextStep: `Set ${SHARED_DIR_VARIABLE} to an absolute directory such as ${DEFAULT_SHARED_DIR}, or unset it.`,
      },
      'usage',
    );
  }
  return resolve(given);
}

export function clustersDir(shared: string): string {
  return join(shared, 'clusters');
}

/** Creates the shared directory and `clusters/` (root-owned) and checks that the server user can walk into them. */
export async function prepareSharedDir(shared: string, user: ServerUser): Promise<void> {
  try {
    // The modes are set explicitly (a umask of 077 would leave them private),
    // and only on the directories made here: an existing one is the admin's choice.
    const first = await mkdir(shared, { recursive: true });
    if (first !== undefined) {
      for (let dir = shared; ; dir = dirname(dir)) {
        await chmod(dir, 0o755);
        if (dir === first || dirname(dir) === dir) break;
      }
    }
    const clusters = clustersDir(shared);
    const madeClusters = await mkdir(clusters).then(
      () => true,
      (error: unknown) => {
        if (codeOf(error) !== 'EEXIST') throw error;
        return false;
      },
    );
    if (madeClusters) await chmod(clusters, 0o711);
  } catch (error) {
    throw new LocalServerError('LOCAL_SHARED_DIR_UNUSABLE', `pgtwin's shared directory ${shared} cannot be created: ${messageOf(error)}`, {
      cause: error,
      nextStep: `Set ${SHARED_DIR_VARIABLE} to a directory root can write, on a disk with a few hundred MB free.`,
    });
  }
  const blocked = await firstUnreachable(clustersDir(shared), user);
  if (blocked !== undefined) {
    throw new LocalServerError(
      'LOCAL_SHARED_DIR_UNREACHABLE',
      `The PostgreSQL server runs as the user "${user.name}" (it refuses to run as root), and that user cannot enter ${blocked}, on the way to pgtwin's shared directory ${shared}.`,
      {
        nextStep: `Set ${SHARED_DIR_VARIABLE} to a directory whose parents every user may enter (the default ${DEFAULT_SHARED_DIR} is), or run pgtwin as a normal user.`,
      },
    );
  }
}

/**
 * The first directory on the way to `path` (itself included) that `user`
 * may not enter (execute permission for its owner, group or others), or
 * undefined when every one lets it through. Supplementary groups are not
 * considered: only the user's primary group.
 */
export async function firstUnreachable(
  path: string,
  user: ServerUser,
  statOf: (p: string) => Promise<{ mode: number; uid: number; gid: number }> = stat,
): Promise<string | undefined> {
  const chain: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of chain) {
    const { mode, uid, gid } = await statOf(dir);
    const bit = uid === user.uid ? 0o100 : gid === user.gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) return dir;
  }
  return undefined;
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
