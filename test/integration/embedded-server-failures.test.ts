/**
 * Every way a throwaway server (the suite's, the demo's) can fail to start is
 * a PgtwinError with a code, the binary or directory concerned and what to do,
 * and leaves nothing behind: never a crash from an unhandled child-process
 * 'error' event, never a rejection with no reason.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PgtwinError } from '../../src/errors.js';
import { freePort, startEmbeddedServer, type EmbeddedServerOptions } from '../../src/pg/embedded-server.js';
import { clustersDir, sharedDir } from '../../src/local/shared-dir.js';
import { TEST_PASSWORD } from '../support/constants.js';
import { processesUnder } from '../support/server-processes.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

async function failure(options: Omit<EmbeddedServerOptions, 'password'>): Promise<PgtwinError> {
  try {
    const server = await startEmbeddedServer({ password: TEST_PASSWORD, ephemeral: true, ...options });
    await server.stop();
  } catch (error) {
    assert.ok(error instanceof PgtwinError, `a PgtwinError, not ${String(error)}`);
    assert.ok((error.nextStep ?? '') !== '', 'it says what to do');
    return error;
  }
  throw new Error('the server started');
}

describe('throwaway servers: every failure to start explained, and private directories left private', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'pgtwin-start-fail-'));
    dirs.push(dir);
    return dir;
  };
  const assertLeftNothing = async (dataDir: string): Promise<void> => {
    assert.deepEqual(await processesUnder(dataDir), [], 'no server process is left');
    await assert.rejects(stat(dataDir), 'the throwaway data directory is removed');
  };

  it('on a port another program listens on: LOCAL_PORT_IN_USE naming the port', async () => {
    const dataDir = join(await tempDir(), 'data');
    const port = await freePort();
    const blocker = await listen(port);
    try {
      const error = await failure({ dataDir, port });
      assert.equal(error.code, 'LOCAL_PORT_IN_USE');
      assert.match(error.nextStep ?? '', new RegExp(`port ${port}`));
      assert.match(error.details.join('\n'), /Address already in use/);
      await assertLeftNothing(dataDir);
    } finally {
      blocker.close();
    }
  });

  it('with a setting the server rejects: LOCAL_START_FAILED with the lines it logged', async () => {
    const dataDir = join(await tempDir(), 'data');
    const error = await failure({ dataDir, settings: { no_such_setting: 1 } });
    assert.equal(error.code, 'LOCAL_START_FAILED');
    assert.match(error.message, /stopped \(exit code \d+\) before it was ready/);
    assert.match(error.details.join('\n'), /no_such_setting/);
    await assertLeftNothing(dataDir);
  });

  it('when initdb fails: LOCAL_INIT_FAILED naming initdb, with its own words', async () => {
    const dataDir = join(await tempDir(), 'data');
    const error = await failure({ dataDir, initdbFlags: ['--no-such-initdb-option'] });
    assert.equal(error.code, 'LOCAL_INIT_FAILED');
    assert.match(error.message, /initdb/);
    assert.match(error.details.join('\n'), /no-such-initdb-option/);
    await assertLeftNothing(dataDir);
  });

  it('in a data directory that cannot be created: LOCAL_DIR_UNUSABLE naming it', async () => {
    const file = join(await tempDir(), 'a-file');
    await writeFile(file, '');
    const dataDir = join(file, 'data');
    const error = await failure({ dataDir });
    assert.equal(error.code, 'LOCAL_DIR_UNUSABLE');
    assert.ok(error.message.includes(dataDir), error.message);
  });

  it('from a binaries package that is not installed: LOCAL_BINARIES_MISSING naming it', async () => {
    const dataDir = join(await tempDir(), 'data');
    const error = await failure({ dataDir, binariesFrom: 'embedded-postgres-not-installed' });
    assert.equal(error.code, 'LOCAL_BINARIES_MISSING');
    assert.match(error.message, /embedded-postgres-not-installed/);
    assert.match(error.nextStep ?? '', /npm ci/);
  });

  it(
    'as root, with a shared directory the server user cannot reach: LOCAL_SHARED_DIR_UNREACHABLE naming the blocking directory, whose mode is left alone',
    { skip: !isRoot && 'as a normal user the shared directory is not used' },
    async () => {
      const privateDir = await tempDir();
      const previous = process.env['PGTWIN_SHARED_DIR'];
      process.env['PGTWIN_SHARED_DIR'] = join(privateDir, 'shared');
      try {
        const error = await failure({ dataDir: join(await tempDir(), 'data') });
        assert.equal(error.code, 'LOCAL_SHARED_DIR_UNREACHABLE');
        assert.ok(error.message.includes(privateDir), error.message);
        assert.match(error.nextStep ?? '', /PGTWIN_SHARED_DIR/);
        assert.equal((await stat(privateDir)).mode & 0o777, 0o700, 'pgtwin did not open the directory up');
        assert.deepEqual(await readdir(join(privateDir, 'shared', 'clusters')), [], 'nothing was put there');
      } finally {
        if (previous === undefined) delete process.env['PGTWIN_SHARED_DIR'];
        else process.env['PGTWIN_SHARED_DIR'] = previous;
      }
    },
  );

  it(
    'as root, with a data directory in a private (0700) directory: it starts, and the directory stays private',
    { skip: !isRoot && 'as a normal user the server runs as that user, who can reach its own directories' },
    async () => {
      const privateDir = await tempDir();
      await mkdir(join(privateDir, 'nested'), { mode: 0o700 });
      await chmod(join(privateDir, 'nested'), 0o700);
      const dataDir = join(privateDir, 'nested', 'data');
      const server = await startEmbeddedServer({ dataDir, password: TEST_PASSWORD, ephemeral: true });
      try {
        assert.equal((await stat(privateDir)).mode & 0o777, 0o700);
        assert.equal((await stat(join(privateDir, 'nested'))).mode & 0o777, 0o700);
        assert.equal((await processesUnder(dataDir)).length > 0, true, 'its processes are tied to the data directory');
      } finally {
        await server.stop();
      }
      await assertLeftNothing(dataDir);
    },
  );

  it(
    'as root, a server directory left by a process that is gone is removed by the next server started',
    { skip: !isRoot && 'as a normal user the shared directory is not used' },
    async () => {
      const left = join(clustersDir(sharedDir()), `left-behind-${process.pid}`);
      await mkdir(left, { recursive: true });
      await writeFile(join(left, 'pgtwin-owner.json'), JSON.stringify({ dataDir: '/nowhere', pid: await deadPid() }));
      const kept = join(clustersDir(sharedDir()), `kept-${process.pid}`);
      await mkdir(kept, { recursive: true });
      await writeFile(join(kept, 'pgtwin-owner.json'), JSON.stringify({ dataDir: '/a/local/twin' }));
      try {
        const server = await startEmbeddedServer({ dataDir: join(await tempDir(), 'data'), password: TEST_PASSWORD, ephemeral: true });
        await server.stop();
        await assert.rejects(stat(left), 'the directory of a process that is gone was removed');
        await stat(kept); // a local twin's (no process) is only ever removed by `pgtwin local destroy`
      } finally {
        await rm(left, { recursive: true, force: true });
        await rm(kept, { recursive: true, force: true });
      }
    },
  );
});

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  assert.ok(child.pid !== undefined);
  return child.pid;
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
