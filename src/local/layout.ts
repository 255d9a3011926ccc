/**
 * What lives in an embedded server's directory. The cluster itself is one
 * subdirectory, so the credentials, the log and the lock sit beside it and
 * `destroy` can remove exactly what pgtwin made, nothing else a user put there.
 */
import { join } from 'node:path';

export interface LocalLayout {
  /** The configured `data_dir`. */
  readonly root: string;
  /** PGDATA. Exists only once initdb has completed (it is renamed into place). */
  readonly pgdata: string;
  readonly credentials: string;
  readonly log: string;
  readonly lock: string;
}

/** Prefixes of leftovers from an interrupted initialisation, removed under the lock. */
export const INIT_DIR_PREFIX = 'pgdata.init-';
export const PWFILE_PREFIX = '.pwfile-';

export function layoutOf(root: string): LocalLayout {
  return {
    root,
    pgdata: join(root, 'pgdata'),
    credentials: join(root, 'credentials.json'),
    log: join(root, 'server.log'),
    lock: join(root, 'server.lock'),
  };
}
