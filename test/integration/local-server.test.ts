/**
 * The embedded local server through the library: start, reuse, concurrent
 * starts, stop, destroy, and the refusals. Every server runs in a temporary
 * directory on a free port (never the default 54329), and the end of each test
 * checks that no postmaster is left behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import pg from 'pg';
import type { EmbeddedServerSettings } from '../../src/config/settings.js';
import { PgtwinError } from '../../src/errors.js';
import { isAlive } from '../../src/local/lock.js';
import { processesUnder } from '../support/server-processes.js';
import { freePort } from '../../src/pg/embedded-server.js';
import { destroyLocalServer, ensureLocalServer, localServerStatus, stopLocalServer } from '../../src/pg/local-server.js';

const created: string[] = [];

async function freshSettings(): Promise<EmbeddedServerSettings> {
  const base = await mkdtemp(join(tmpdir(), 'pgtwin-local-'));
  created.push(base);
  return { dataDir: join(base, '.pgtwin', 'local'), port: await freePort(), version: undefined };
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function assertNothingRunning(settings: EmbeddedServerSettings, pids: readonly number[] = []): Promise<void> {
  for (const pid of pids) assert.ok(!isAlive(pid), `postmaster ${pid} is gone`);
  assert.deepEqual(await processesUnder(settings.dataDir), [], 'no process runs from the data directory');
}

/** No cluster, and (as root) no server directory linked from the data directory. */
async function assertNothingCreated(settings: EmbeddedServerSettings): Promise<void> {
  await assert.rejects(stat(join(settings.dataDir, 'pgdata')), 'no cluster was created');
  await assert.rejects(stat(join(settings.dataDir, 'cluster')), 'no server directory was made');
  assert.equal((await localServerStatus(settings)).state, 'absent');
}

async function thrown(promise: Promise<unknown>): Promise<PgtwinError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PgtwinError) return error;
    throw error;
  }
  throw new Error('expected a PgtwinError');
}

describe('embedded local server', () => {
  const inUse: EmbeddedServerSettings[] = [];
  afterEach(async () => {
    for (const settings of inUse.splice(0)) {
      await destroyLocalServer(settings).catch(() => undefined);
      await assertNothingRunning(settings);
    }
  });
  after(async () => {
    for (const dir of created) await rm(dir, { recursive: true, force: true });
  });

  async function settingsInUse(): Promise<EmbeddedServerSettings> {
    const settings = await freshSettings();
    inUse.push(settings);
    return settings;
  }

  it('starts: creates the cluster with a private password file and accepts connections', async () => {
    const settings = await settingsInUse();
    const server = await ensureLocalServer(settings);
    assert.equal(server.started, true);
    assert.equal(server.initialised, true);
    assert.equal(server.port, settings.port);
    const credentials = JSON.parse(await readFile(join(settings.dataDir, 'credentials.json'), 'utf8')) as {
      user: string;
      password: string;
    };
    assert.equal(credentials.user, 'postgres');
    assert.ok(credentials.password.length >= 24);
    assert.equal((await stat(join(settings.dataDir, 'credentials.json'))).mode & 0o777, 0o600);
    assert.ok(server.url.includes(encodeURIComponent(credentials.password)), 'the URL carries the password');
    const [row] = await query<{ encoding: string; user: string }>(
      server.url,
      "SELECT current_setting('server_encoding') AS encoding, current_user AS user",
    );
    assert.deepEqual(row, { encoding: 'UTF8', user: 'postgres' });
    // Without the password the server refuses: it is not open to anyone on the machine.
    await assert.rejects(
      query(`postgres://postgres:wrong@127.0.0.1:${settings.port}/postgres`, 'SELECT 1'),
      /password authentication failed/,
    );
    const status = await localServerStatus(settings);
    assert.equal(status.state, 'running');
    assert.equal(status.port, settings.port);
    assert.ok(status.pid !== undefined && isAlive(status.pid));
    assert.ok(!JSON.stringify(status).includes(credentials.password), 'status never holds the password');
  });

  it('reuses a running server: a second start is a no-op returning the same URL', async () => {
    const settings = await settingsInUse();
    const first = await ensureLocalServer(settings);
    await query(first.url, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (1)');
    const pid = (await localServerStatus(settings)).pid;
    const second = await ensureLocalServer(settings);
    assert.equal(second.started, false);
    assert.equal(second.initialised, false);
    assert.equal(second.url, first.url);
    assert.equal((await localServerStatus(settings)).pid, pid, 'the same postmaster');
    assert.deepEqual(await query(second.url, 'SELECT id FROM kept'), [{ id: 1 }]);
  });

  it('survives concurrent starts in one process: one creates and starts, the others wait and reuse', async () => {
    const settings = await settingsInUse();
    const servers = await Promise.all([ensureLocalServer(settings), ensureLocalServer(settings), ensureLocalServer(settings)]);
    assert.equal(servers.filter((s) => s.initialised).length, 1, 'initialised once');
    assert.equal(servers.filter((s) => s.started).length, 1, 'started once');
    assert.equal(new Set(servers.map((s) => s.url)).size, 1, 'one URL');
    assert.deepEqual(await query(servers[0]?.url ?? '', 'SELECT 1 AS ok'), [{ ok: 1 }]);
  });

  it('survives concurrent `pgtwin local start` processes: the cluster is created once and both succeed', async () => {
    const settings = await settingsInUse();
    const configDir = join(settings.dataDir, '..', '..');
    await writeFile(join(configDir, 'pgtwin.yaml'), `environments:\n  local: { embedded: true, port: ${settings.port} }\n`);
    const runs = await Promise.all([1, 2, 3].map(() => runCli(['local', 'start', '--config', join(configDir, 'pgtwin.yaml')])));
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    const stderr = runs.map((r) => r.stderr).join('');
    const stdout = runs.map((r) => r.stdout).join('');
    assert.equal(stderr.match(/creating the local server/g)?.length, 1, stderr);
    assert.equal(stdout.match(/Local server started/g)?.length, 1, stdout);
    assert.equal(stdout.match(/Local server already running/g)?.length, 2, stdout);
    const server = await ensureLocalServer(settings);
    assert.equal(server.started, false);
    assert.deepEqual(await query(server.url, 'SELECT 1 AS ok'), [{ ok: 1 }]);
  });

  it('stops, stays stopped, and starts again with its data', async () => {
    const settings = await settingsInUse();
    const server = await ensureLocalServer(settings);
    await query(server.url, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (7)');
    const pid = (await localServerStatus(settings)).pid ?? 0;
    assert.deepEqual(await stopLocalServer(settings), { wasRunning: true });
    await assertNothingRunning(settings, [pid]);
    assert.equal((await localServerStatus(settings)).state, 'stopped');
    assert.deepEqual(await stopLocalServer(settings), { wasRunning: false }, 'stopping a stopped server is fine');
    const again = await ensureLocalServer(settings);
    assert.equal(again.started, true);
    assert.equal(again.initialised, false);
    assert.equal(again.url, server.url, 'same password after a restart');
    assert.deepEqual(await query(again.url, 'SELECT id FROM kept'), [{ id: 7 }]);
  });

  it('destroys: stops the server and deletes what it made, and only that', async () => {
    const settings = await settingsInUse();
    await ensureLocalServer(settings);
    const pid = (await localServerStatus(settings)).pid ?? 0;
    await writeFile(join(settings.dataDir, 'notes.txt'), 'mine');
    assert.deepEqual(await destroyLocalServer(settings), { existed: true });
    await assertNothingRunning(settings, [pid]);
    assert.deepEqual(await readdir(settings.dataDir), ['notes.txt'], "the user's own file stays");
    assert.equal((await localServerStatus(settings)).state, 'absent');
    await rm(join(settings.dataDir, 'notes.txt'));
    assert.deepEqual(await destroyLocalServer(settings), { existed: false });
  });

  it('refuses a port taken by another program, with a clear error, and starts nothing', async () => {
    const settings = await settingsInUse();
    const blocker = await listen(settings.port);
    try {
      const error = await thrown(ensureLocalServer(settings));
      assert.equal(error.code, 'LOCAL_PORT_IN_USE');
      assert.equal(error.exitCode, 1);
      assert.match(error.message, new RegExp(`Port ${settings.port}`));
      assert.match(error.nextStep ?? '', /port: \d+/);
      await assertNothingRunning(settings);
      await assertNothingCreated(settings);
    } finally {
      blocker.close();
    }
  });

  it('explains a failed start with the lines the server logged', async () => {
    const settings = await settingsInUse();
    await ensureLocalServer(settings);
    await stopLocalServer(settings);
    await appendFile(join((await localServerStatus(settings)).pgdata, 'postgresql.conf'), '\nno_such_setting = 1\n');
    const error = await thrown(ensureLocalServer(settings));
    assert.equal(error.code, 'LOCAL_START_FAILED');
    assert.match(error.details.join('\n'), /log: .*no_such_setting/);
    assert.match(error.nextStep ?? '', /server\.log/);
    await assertNothingRunning(settings);
  });

  it('takes over a lock left by a process that died', async () => {
    const settings = await settingsInUse();
    await ensureLocalServer(settings);
    await stopLocalServer(settings);
    const dead = await deadPid();
    await writeFile(
      join(settings.dataDir, 'server.lock'),
      JSON.stringify({ pid: dead, host: (await import('node:os')).hostname(), token: 'x' }),
    );
    const server = await ensureLocalServer(settings, { lockTimeoutMs: 5_000 });
    assert.equal(server.started, true);
    assert.ok(!(await readdir(settings.dataDir)).includes('server.lock'), 'the lock is released');
  });

  it('waits for a live lock holder and gives up with LOCAL_LOCKED', async () => {
    const settings = await settingsInUse();
    await ensureLocalServer(settings);
    await writeFile(
      join(settings.dataDir, 'server.lock'),
      JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), token: 'other' }),
    );
    const waits: string[] = [];
    const error = await thrown(ensureLocalServer(settings, { lockTimeoutMs: 300, onProgress: (m) => waits.push(m) }));
    assert.equal(error.code, 'LOCAL_LOCKED');
    assert.match(error.nextStep ?? '', /server\.lock/);
    assert.match(waits.join('\n'), /waiting for another pgtwin command \(pid \d+\)/);
    await rm(join(settings.dataDir, 'server.lock'));
  });

  it('refuses a configured version the installed binaries are not', async () => {
    const settings = { ...(await freshSettings()), version: '12' };
    const error = await thrown(ensureLocalServer(settings));
    assert.equal(error.code, 'LOCAL_VERSION_MISMATCH');
    assert.equal(error.exitCode, 2);
    await assertNothingCreated(settings);
  });
});

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** The pid of a process that has exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '0']);
    child.on('error', reject);
    child.on('exit', () => resolve(child.pid ?? 999_999));
  });
}

function runCli(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const entry = new URL('../support/cli-entry.ts', import.meta.url);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), entry.pathname, ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
