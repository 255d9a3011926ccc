/**
 * What lives in an embedded server's directory. The cluster itself is one
 * subdirectory, so the credentials, the log and the lock sit beside it and
 * `destroy` can remove exactly what pgtwin made, nothing else a user put there.
 *
 * As root the server's own files (pgdata, the log) cannot live in the
 * configured directory, which the unprivileged server user may not reach; they
 * live in a directory of pgtwin's shared directory instead, which the link
 * `cluster` in the configured directory names (server-dir.ts).
 */
import { readlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface LocalLayout {
  /** The configured `data_dir`: the lock and the credentials, readable by pgtwin's user only. */
  readonly root: string;
  readonly credentials: string;
  readonly lock: string;
  /** Where the server's own files live: `root` itself, or (as root) the directory `root/cluster` links to. */
  readonly serverDir: string;
  /** PGDATA. Exists only once initdb has completed (it is renamed into place). */
  readonly pgdata: string;
  readonly log: string;
}

/** Prefixes of leftovers from an interrupted initialisation, removed under the lock. */
export const INIT_DIR_PREFIX = 'pgdata.init-';
export const PWFILE_PREFIX = '.pwfile-';
/** The link, in the configured directory, to the server directory in pgtwin's shared directory (root only). */
export const CLUSTER_LINK = 'cluster';

export function layoutOf(root: string, serverDir: string = root): LocalLayout {
  return {
    root,
    credentials: join(root, 'credentials.json'),
    lock: join(root, 'server.lock'),
    serverDir,
    pgdata: join(serverDir, 'pgdata'),
    log: join(serverDir, 'server.log'),
  };
}

/** The layout as it is on disk: following `cluster` when a server run as root was created there. */
export async function currentLayout(root: string): Promise<LocalLayout> {
  const linked = await readlink(join(root, CLUSTER_LINK)).catch(() => undefined);
  return layoutOf(root, linked === undefined ? root : resolve(root, linked));
}
