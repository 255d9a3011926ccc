/**
 * A server run as a child of this process (the test suite's servers, the
 * demo's): `postgres` spawned directly, its output appended to the log in the
 * server directory, ready when postmaster.pid says so. Unlike the local twin
 * (pg_ctl, detached, outlives pgtwin), it belongs to the process that started
 * it, which stops it. Every way it can fail to start (the program cannot be
 * run, it exits early, the port is taken, no start within the time limit)
 * rejects with a LocalServerError carrying the log lines that explain it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logSince, serverEnvironment, type Cluster } from './cluster.js';
import { LocalServerError } from './errors.js';
import { failureHint } from './failure-hints.js';
import { spawnFailure, toolEnvironment } from './run-tool.js';
import { handTo } from './server-user.js';

export interface AttachedPostmaster {
  readonly pid: number;
  /** Fast shutdown (SIGINT), then harder signals if it does not go. Resolves once the process has exited. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
const POLL_MS = 25;

export async function startAttached(cluster: Cluster, port: number, flags: readonly string[]): Promise<AttachedPostmaster> {
  const { bins, layout, user } = cluster;
  const log = await open(layout.log, 'a', 0o600);
  let child: ChildProcess;
  let logOffset: number;
  try {
    await handTo(layout.log, user);
    logOffset = (await stat(layout.log)).size;
    child = spawn(bins.postgres, ['-D', layout.pgdata, '-p', String(port), ...flags], {
      cwd: layout.serverDir,
      env: toolEnvironment(serverEnvironment(layout)),
      stdio: ['ignore', log.fd, log.fd],
      ...(user === undefined ? {} : { uid: user.uid, gid: user.gid }),
    });
  } finally {
    // The child has its own copy of the descriptor.
    await log.close();
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null } | Error>((resolve) => {
    child.on('error', resolve);
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  let outcome: { code: number | null; signal: NodeJS.Signals | null } | Error | undefined;
  void exited.then((value) => (outcome = value));
  const stop = async (): Promise<void> => {
    if (outcome !== undefined) return;
    for (const [signal, waitMs] of [
      ['SIGINT', 30_000],
      ['SIGQUIT', 5_000],
      ['SIGKILL', 5_000],
    ] as const) {
      child.kill(signal);
      if (await Promise.race([exited.then(() => true), sleep(waitMs, false, { ref: false })])) return;
    }
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (true) {
    if (outcome instanceof Error) throw await spawnFailure(bins.postgres, outcome, { user, cwd: layout.serverDir });
    if (outcome !== undefined) {
      const how = outcome.code !== null ? `exit code ${outcome.code}` : `signal ${outcome.signal ?? '?'}`;
      throw await startFailure(cluster, port, logOffset, `The server ${bins.postgres} stopped (${how}) before it was ready`);
    }
    if (child.pid !== undefined && (await readyPid(layout.pgdata)) === child.pid) return { pid: child.pid, stop };
    if (Date.now() > deadline) {
      await stop();
      throw await startFailure(cluster, port, logOffset, `The server ${bins.postgres} was not ready within ${START_TIMEOUT_MS / 1000} s`);
    }
    await sleep(POLL_MS);
  }
}

async function startFailure(cluster: Cluster, port: number, logOffset: number, what: string): Promise<LocalServerError> {
  const { layout } = cluster;
  const details = await logSince(layout.log, logOffset);
  const hint = failureHint(details, { dir: layout.serverDir, port });
  return new LocalServerError(hint?.code ?? 'LOCAL_START_FAILED', `${what}: data ${layout.pgdata}, port ${port}.`, {
    details,
    nextStep: `${hint === undefined ? '' : `${hint.nextStep} `}See the lines above and the log ${layout.log}.`,
  });
}

/** The postmaster's pid once postmaster.pid says it accepts connections (PostgreSQL 10+ writes `ready` on line 8). */
async function readyPid(pgdata: string): Promise<number | undefined> {
  const lines = (await readFile(join(pgdata, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  return lines[7]?.trim() === 'ready' ? Number(lines[0]) : undefined;
}
