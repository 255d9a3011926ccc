/**
 * `pgtwin local ...` as a user runs it: a pgtwin.yaml in a temporary directory
 * (never the default port), exit codes, and the password shown by `url` only.
 */
import assert from 'node:assert/strict';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isAlive } from '../../src/local/lock.js';
import { freePort } from '../../src/pg/embedded-server.js';
import { pgtwin, type CliResult } from '../support/cli.js';

const SUBCOMMANDS = ['start', 'stop', 'status', 'url', 'psql', 'destroy'];

function hasPsql(): boolean {
  return (process.env['PATH'] ?? '').split(':').some((dir) => {
    try {
      accessSync(join(dir, 'psql'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

describe('pgtwin local', () => {
  let dir: string;
  let port: number;
  let password = '';
  const outputs: CliResult[] = [];
  const run = async (...argv: string[]): Promise<CliResult> => {
    const result = await pgtwin(['local', ...argv], { cwd: dir });
    outputs.push(result);
    return result;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-local-cli-'));
    port = await freePort();
    await writeFile(
      join(dir, 'pgtwin.yaml'),
      `environments:\n  local: { embedded: true, port: ${port} }\n  staging: { url: "postgres://u@localhost/app" }\n`,
    );
  });
  after(async () => {
    await pgtwin(['local', 'destroy', '--yes'], { cwd: dir });
    await rm(dir, { recursive: true, force: true });
  });

  it('prints help for the command and each subcommand', async () => {
    const main = await run('--help');
    assert.equal(main.code, 0);
    for (const name of SUBCOMMANDS) assert.match(main.stdout, new RegExp(`^  ${name} `, 'm'));
    for (const name of SUBCOMMANDS) {
      const help = await run(name, '--help');
      assert.equal(help.code, 0, name);
      assert.match(help.stdout, new RegExp(`^Usage: pgtwin local ${name}`), name);
      assert.match(help.stdout, /Exit codes:/, name);
    }
  });

  it('rejects an unknown subcommand with a suggestion (exit 2)', async () => {
    const result = await run('strat');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /did you mean local start\?/);
  });

  it('refuses an environment that is not embedded (exit 2)', async () => {
    const result = await run('status', '--env', 'staging');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /"staging" is not an embedded server/);
  });

  it('status before anything exists says how to create it', async () => {
    const result = await run('status');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /local server: not created yet/);
    assert.match(result.stdout, new RegExp(`port: +${port}\\n`));
    assert.match(result.stdout, /data dir: \.pgtwin\/local\n/);
  });

  it('start creates and starts it, a second start reuses it', async () => {
    const first = await run('start');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /creating the local server/);
    assert.match(first.stdout, new RegExp(`Local server started: postgres://postgres@127\\.0\\.0\\.1:${port}/postgres`));
    password = (JSON.parse(await readFile(join(dir, '.pgtwin', 'local', 'credentials.json'), 'utf8')) as { password: string }).password;
    const second = await run('start');
    assert.equal(second.code, 0);
    assert.match(second.stdout, /Local server already running/);
    const status = await run('status', '--json');
    const parsed = JSON.parse(status.stdout) as { state: string; port: number; pid: number };
    assert.equal(parsed.state, 'running');
    assert.equal(parsed.port, port);
    assert.ok(isAlive(parsed.pid));
  });

  it('url prints the full URL, password included', async () => {
    const result = await run('url');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `postgres://postgres:${password}@127.0.0.1:${port}/postgres\n`);
  });

  it('psql runs psql on the server with the password in its environment', { skip: !hasPsql() && 'psql is not on PATH' }, async () => {
    const result = await run('psql', '--', '-Atc', 'select 40 + 2');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '42\n');
    const failing = await run('psql', '--', '-c', 'select 1/0');
    assert.notEqual(failing.code, 0, "psql's own exit code");
  });

  it('psql without psql on PATH says what to install, without the password (exit 1)', async () => {
    const result = await pgtwin(['local', 'psql'], { cwd: dir, env: { PATH: join(dir, 'no-such-dir') } });
    outputs.push(result);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /psql is not installed/);
    assert.match(
      result.stderr,
      new RegExp(`postgres://postgres@127\\.0\\.0\\.1:${port}/postgres with the password from \`pgtwin local url\``),
    );
  });

  it('destroy without a terminal and without --yes refuses (exit 5) and deletes nothing', async () => {
    const result = await run('destroy');
    assert.equal(result.code, 5);
    assert.match(result.stderr, /no terminal to confirm/);
    assert.match(result.stderr, /--yes/);
    assert.match((await run('status')).stdout, /local server: running/);
  });

  it('stop, then destroy --yes, leaves no process and no directory', async () => {
    const pid = (JSON.parse((await run('status', '--json')).stdout) as { pid: number }).pid;
    const stopped = await run('stop');
    assert.equal(stopped.code, 0);
    assert.equal(stopped.stdout, 'Local server stopped.\n');
    assert.ok(!isAlive(pid), 'the postmaster is gone');
    assert.equal((await run('stop')).stdout, 'Local server is not running.\n');
    const destroyed = await run('destroy', '--yes');
    assert.equal(destroyed.code, 0, destroyed.stderr);
    assert.match(destroyed.stdout, /deleted/);
    assert.deepEqual(await readdir(dir), ['pgtwin.yaml'], 'the data directory (and .pgtwin) are gone');
  });

  it('never printed the password, except from `url`', () => {
    assert.ok(password.length > 0);
    for (const result of outputs) {
      const printed = result.stdout + result.stderr;
      if (result.stdout.startsWith('postgres://postgres:')) continue;
      assert.ok(!printed.includes(password), `password in: ${printed}`);
    }
  });
});
