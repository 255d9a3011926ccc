/**
 * The cluster of an embedded local server: initdb, pg_ctl start/stop, and what
 * postmaster.pid says about a running server. Callers hold the directory lock.
 *
 * The server is started with `pg_ctl start`, which detaches the postmaster
 * (its own session, output to the log), so it keeps running after pgtwin exits.
 */
import { appendFile, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { messageOf } from '../errors.js';
import type { PostgresBinaries } from './binaries.js';
import { writeCredentials, type Credentials } from './credentials.js';
import { LocalServerError } from './errors.js';
import { INIT_DIR_PREFIX, PWFILE_PREFIX, type LocalLayout } from './layout.js';
import { failureHint } from './failure-hints.js';
import { isAlive } from './lock.js';
import { outputLines, runTool } from './run-tool.js';
import { handTo, type ServerUser } from './server-user.js';

export interface Cluster {
  readonly bins: PostgresBinaries;
  readonly layout: LocalLayout;
  readonly user: ServerUser | undefined;
}

export interface PostmasterInfo {
  readonly pid: number;
  readonly port: number;
  /** `starting`, `ready`, `stopping` or `standby` (PostgreSQL 10+). */
  readonly status: string;
}

/**
 * Local TCP only, no Unix socket: its default directory (/tmp or /var/run)
 * may not be writable by the server user, and nothing else should reach it.
 */
const SERVER_CONF = `
# Added by pgtwin: an embedded twin reachable from this machine only.
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
`;

export async function isInitialised(layout: LocalLayout): Promise<boolean> {
  return (await dataVersion(layout)) !== undefined;
}

/** The major version that created the cluster (PG_VERSION), or undefined when there is none. */
export async function dataVersion(layout: LocalLayout): Promise<string | undefined> {
  try {
    return (await readFile(join(layout.pgdata, 'PG_VERSION'), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/**
 * Creates the cluster in a scratch directory and renames it into place when
 * initdb has succeeded, so `pgdata` never holds half a cluster. The credentials
 * are written first: wherever a cluster exists, its password is known.
 */
export async function initCluster(cluster: Cluster, credentials: Credentials, extraInitdbArgs: readonly string[] = []): Promise<void> {
  const { layout, bins, user } = cluster;
  await removeLeftovers(layout);
  const scratch = join(layout.serverDir, `${INIT_DIR_PREFIX}${randomBytes(4).toString('hex')}`);
  const pwfile = join(layout.serverDir, `${PWFILE_PREFIX}${randomBytes(4).toString('hex')}`);
  await mkdir(scratch, { mode: 0o700 }).catch((error: unknown) => {
    throw new LocalServerError('LOCAL_DIR_UNUSABLE', `The server's directory ${layout.serverDir} cannot be written: ${messageOf(error)}`, {
      cause: error,
      nextStep: `Check the free space and permissions of ${layout.serverDir}, or point the server at another directory.`,
    });
  });
  await handTo(scratch, user);
  try {
    await writeFile(pwfile, credentials.password + '\n', { mode: 0o600 });
    await handTo(pwfile, user);
    const result = await runTool(bins.initdb, [...initdbArgs(bins, scratch, pwfile, credentials.user), ...extraInitdbArgs], {
      user,
      cwd: layout.serverDir,
    });
    if (result.code !== 0) {
      const details = outputLines(result);
      const hint = failureHint(details, { dir: layout.serverDir });
      throw new LocalServerError(
        hint?.code ?? 'LOCAL_INIT_FAILED',
        `initdb (${bins.initdb}) could not create the server in ${layout.serverDir}.`,
        {
          details,
          nextStep: hint?.nextStep ?? 'Check free disk space and that the directory is writable, then run the command again.',
        },
      );
    }
    await appendFile(join(scratch, 'postgresql.conf'), SERVER_CONF);
    await writeCredentials(layout.credentials, credentials);
    await rename(scratch, layout.pgdata);
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(pwfile, { force: true });
  }
}

function initdbArgs(bins: PostgresBinaries, pgdata: string, pwfile: string, user: string): string[] {
  const args = [`--pgdata=${pgdata}`, `--username=${user}`, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'];
  if (bins.major >= 14) args.push('--no-instructions');
  // The builtin provider (17+) gives Unicode-aware upper()/lower() without
  // depending on the locales installed on this machine.
  if (bins.major >= 17) args.push('--locale-provider=builtin', '--builtin-locale=C.UTF-8');
  return args;
}

/** Scratch directories and password files of an initialisation that was killed. */
export async function removeLeftovers(layout: LocalLayout): Promise<void> {
  for (const name of await readdir(layout.serverDir).catch(() => [])) {
    if (name.startsWith(INIT_DIR_PREFIX) || name.startsWith(PWFILE_PREFIX))
      await rm(join(layout.serverDir, name), { recursive: true, force: true });
  }
}

export async function startCluster(cluster: Cluster, port: number): Promise<void> {
  const { layout, bins, user } = cluster;
  // pg_ctl opens the log as the server user, which therefore must own it.
  await (await open(layout.log, 'a', 0o600)).close();
  await handTo(layout.log, user);
  const logOffset = (await stat(layout.log)).size;
  const result = await runTool(bins.pgCtl, ['start', '-D', layout.pgdata, '-l', layout.log, '-w', '-t', '60', '-s', '-o', `-p ${port}`], {
    user,
    cwd: layout.serverDir,
    env: serverEnvironment(layout),
  });
  if (result.code !== 0) {
    const details = [...outputLines(result, 5), ...(await logSince(layout.log, logOffset))];
    const hint = failureHint(details, { dir: layout.serverDir, port });
    throw new LocalServerError(hint?.code ?? 'LOCAL_START_FAILED', `The local server in ${layout.root} did not start on port ${port}.`, {
      details,
      nextStep: `${hint === undefined ? '' : `${hint.nextStep} `}See the lines above and the log ${layout.log}.`,
    });
  }
}

/**
 * Added to the server's environment: as root its data lives in the shared
 * directory, and this is what still ties the process (/proc/<pid>/environ) to
 * the data directory it serves.
 */
export function serverEnvironment(layout: LocalLayout): Record<string, string> {
  return { PGTWIN_DATA_DIR: layout.root };
}

export async function stopCluster(cluster: Cluster): Promise<void> {
  const { layout, bins, user } = cluster;
  const pid = (await runningPostmaster(layout))?.pid;
  const result = await runTool(bins.pgCtl, ['stop', '-D', layout.pgdata, '-m', 'fast', '-w', '-t', '60', '-s'], {
    user,
    cwd: layout.serverDir,
  });
  // A server that stopped by itself meanwhile is what was wanted.
  if (result.code !== 0 && (await runningPostmaster(layout)) !== undefined) {
    throw new LocalServerError('LOCAL_STOP_FAILED', `The local server in ${layout.root} did not stop.`, {
      details: outputLines(result),
      nextStep: `Run the command again; if it persists, see the log ${layout.log}.`,
    });
  }
  // pg_ctl returns once postmaster.pid is gone, a moment before the process
  // itself; "stopped" must mean no process, or destroy would delete under it.
  if (pid !== undefined) await waitForExit(pid, 10_000);
}

async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

/**
 * The postmaster serving this cluster, if one is alive. This is the check
 * `pg_ctl status` makes (postmaster.pid and a signal 0 to its pid), done here
 * to spare a process and because pg_ctl will not run as root.
 */
export async function runningPostmaster(layout: LocalLayout): Promise<PostmasterInfo | undefined> {
  let text: string;
  try {
    text = await readFile(join(layout.pgdata, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isSafeInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  return { pid, port: Number.isSafeInteger(port) ? port : 0, status: (lines[7] ?? '').trim() || 'unknown' };
}

/** The log lines written since `offset` (the end of the previous run), at most the last 20. */
export async function logSince(log: string, offset: number): Promise<string[]> {
  try {
    const text = (await readFile(log)).subarray(offset).toString('utf8');
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-20)
      .map((l) => `log: ${l}`);
  } catch (error) {
    return [`(the log ${log} cannot be read: ${messageOf(error)})`];
  }
}
