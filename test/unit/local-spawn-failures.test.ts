/**
 * A PostgreSQL program that cannot be started becomes a LocalServerError that
 * names it and says what to do, never an unhandled 'error' event; and the
 * output of a failed initdb or server start is read for the causes a user can
 * fix (full disk, taken port, unwritable directory).
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LocalServerError } from '../../src/local/errors.js';
import { failureHint } from '../../src/local/failure-hints.js';
import { runTool } from '../../src/local/run-tool.js';
import { firstUnreachable } from '../../src/local/shared-dir.js';

async function rejection(promise: Promise<unknown>): Promise<LocalServerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof LocalServerError, `a LocalServerError, not ${String(error)}`);
    return error;
  }
  throw new Error('expected a rejection');
}

describe('starting a PostgreSQL program that cannot run', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'pgtwin-spawn-'));
    dirs.push(dir);
    return dir;
  };

  it('a missing program: LOCAL_BINARY_MISSING naming it, with npm ci as the fix', async () => {
    const dir = await tempDir();
    const missing = join(dir, 'bin', 'initdb');
    const error = await rejection(runTool(missing, ['--version'], { user: undefined, cwd: dir }));
    assert.equal(error.code, 'LOCAL_BINARY_MISSING');
    assert.ok(error.message.includes(missing), error.message);
    assert.match(error.nextStep ?? '', /npm ci/);
    assert.equal(error.exitCode, 1);
  });

  it('a program that is not executable: LOCAL_BINARY_NOT_EXECUTABLE naming it', async () => {
    const dir = await tempDir();
    const file = join(dir, 'pg_ctl');
    await writeFile(file, '#!/bin/sh\nexit 0\n');
    await chmod(file, 0o644);
    const error = await rejection(runTool(file, [], { user: undefined, cwd: dir }));
    assert.equal(error.code, 'LOCAL_BINARY_NOT_EXECUTABLE');
    assert.ok(error.message.includes(file), error.message);
    assert.match(error.nextStep ?? '', /chmod \+x|npm ci/);
  });

  it('a working directory that is gone: LOCAL_DIR_UNUSABLE naming the directory, not the program', async () => {
    const dir = await tempDir();
    const gone = join(dir, 'gone');
    const error = await rejection(runTool(process.execPath, ['-e', '0'], { user: undefined, cwd: gone }));
    assert.equal(error.code, 'LOCAL_DIR_UNUSABLE');
    assert.ok(error.message.includes(gone), error.message);
  });
});

describe('reading the cause of a failed initdb or start', () => {
  it('a full disk', () => {
    const hint = failureHint(['initdb: error: could not write to file "/d/pgdata/base/1/1259": No space left on device'], { dir: '/d' });
    assert.equal(hint?.code, 'LOCAL_DISK_FULL');
    assert.match(hint?.nextStep ?? '', /Free disk space .*\/d/);
  });
  it('a taken port', () => {
    const hint = failureHint(['log: LOG:  could not bind IPv4 address "127.0.0.1": Address already in use'], { dir: '/d', port: 5433 });
    assert.equal(hint?.code, 'LOCAL_PORT_IN_USE');
    assert.match(hint?.nextStep ?? '', /port 5433/);
  });
  it('a directory the server user may not write', () => {
    const hint = failureHint(['initdb: error: could not create directory "/d/pgdata": Permission denied'], { dir: '/d' });
    assert.equal(hint?.code, 'LOCAL_DIR_UNUSABLE');
  });
  it('anything else keeps the generic error', () => {
    assert.equal(failureHint(['FATAL:  unrecognized configuration parameter "no_such_setting"'], { dir: '/d' }), undefined);
  });
});

describe('whether the server user can walk to a directory', () => {
  const user = { name: 'postgres', uid: 101, gid: 104 };
  const modes: Record<string, { mode: number; uid: number; gid: number }> = {
    '/': { mode: 0o755, uid: 0, gid: 0 },
    '/root': { mode: 0o700, uid: 0, gid: 0 },
    '/root/x': { mode: 0o755, uid: 0, gid: 0 },
    '/var': { mode: 0o755, uid: 0, gid: 0 },
    '/var/lib': { mode: 0o755, uid: 0, gid: 0 },
    '/var/lib/pgtwin': { mode: 0o711, uid: 0, gid: 0 },
    '/var/lib/pgtwin/mine': { mode: 0o700, uid: 101, gid: 104 },
    '/var/lib/pgtwin/group': { mode: 0o710, uid: 0, gid: 104 },
    '/var/lib/pgtwin/closed': { mode: 0o770, uid: 0, gid: 0 },
  };
  const statOf = async (path: string): Promise<{ mode: number; uid: number; gid: number }> => {
    const found = modes[path];
    if (found === undefined) throw new Error(`no ${path}`);
    return found;
  };
  it('stops at the first private directory', async () => {
    assert.equal(await firstUnreachable('/root/x', user, statOf), '/root');
    assert.equal(await firstUnreachable('/var/lib/pgtwin/closed', user, statOf), '/var/lib/pgtwin/closed');
  });
  it("goes through directories open to others, its own, and its group's", async () => {
    assert.equal(await firstUnreachable('/var/lib/pgtwin', user, statOf), undefined);
    assert.equal(await firstUnreachable('/var/lib/pgtwin/mine', user, statOf), undefined);
    assert.equal(await firstUnreachable('/var/lib/pgtwin/group', user, statOf), undefined);
  });
});
