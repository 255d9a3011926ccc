import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type ArchiveStore, type OpenStoreOptions, type SpoolFile } from '../../src/store/index.js';
import { PgtwinError } from '../../src/errors.js';
import { generateTestKey, startSftpServer, type SftpTestServer, type TestKeyPair } from '../support/sftp-server.js';
import { startTestAgent } from '../support/ssh-agent.js';

const USER = 'tester';
const FAST_RETRY = { attempts: 2, firstDelayMs: 10, maxDelayMs: 20 };

let base: string;
let home: string;
let clientKey: TestKeyPair;
let server: SftpTestServer;
let spoolCount = 0;

async function spool(content: Buffer | string): Promise<SpoolFile> {
  const bytes = Buffer.from(content);
  const path = join(base, `spool-${spoolCount++}`);
  await writeFile(path, bytes);
  return { path, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** A HOME with ~/.ssh/id_ed25519 and ~/.ssh/known_hosts as given. */
async function makeHome(key: TestKeyPair, knownHosts: string): Promise<string> {
  const dir = await mkdtemp(join(base, 'home-'));
  await mkdir(join(dir, '.ssh'), { mode: 0o700 });
  await writeFile(join(dir, '.ssh', 'id_ed25519'), key.privateKey, { mode: 0o600 });
  await writeFile(join(dir, '.ssh', 'known_hosts'), knownHosts);
  return dir;
}

function url(target: SftpTestServer, path: string): string {
  return `sftp://${USER}@127.0.0.1:${target.port}${path}`;
}

function options(extra: Partial<OpenStoreOptions> = {}): OpenStoreOptions {
  return { env: { HOME: home }, retry: FAST_RETRY, ...extra };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<PgtwinError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PgtwinError, String(error));
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

async function readAll(store: ArchiveStore, name: string, onChunk?: (count: number) => void): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.read(name)) {
    chunks.push(chunk as Buffer);
    onChunk?.(chunks.length);
  }
  return Buffer.concat(chunks);
}

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('SFTP store', () => {
  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'pgtwin-store-sftp-'));
    clientKey = generateTestKey();
    server = await startSftpServer({ user: USER, clientKey });
    home = await makeHome(clientKey, server.knownHostsLine() + '\n');
  });
  after(async () => {
    await server.stop();
    await rm(base, { recursive: true, force: true });
  });

  it('puts, lists, reads, replaces and removes files with the key and known_hosts from ~/.ssh', async () => {
    await rejectsWith(openStore(url(server, '/archive/shop'), options()), 'ARCHIVE_DIR_MISSING');
    const store = await openStore(url(server, '/archive/shop'), options({ create: true }));
    try {
      assert.equal(store.display, url(server, '/archive/shop'));
      const big = randomBytes(5 * 1024 * 1024 + 123);
      await store.put('bases/0001/public.orders.copy.gz', await spool(big));
      await store.put('changes/0000000002.jsonl.gz', await spool('second'));
      await store.put('changes/0000000001.jsonl.gz', await spool('first'));
      await store.put('manifest.json', await spool('{}'));
      await store.put('manifest.json', await spool('{"v":2}'));

      assert.deepEqual(await filesUnder(join(server.root, 'archive/shop')), [
        'bases/0001/public.orders.copy.gz',
        'changes/0000000001.jsonl.gz',
        'changes/0000000002.jsonl.gz',
        'manifest.json',
      ]);
      assert.deepEqual(await store.list(''), [
        { name: 'bases/0001/public.orders.copy.gz', size: big.length },
        { name: 'changes/0000000001.jsonl.gz', size: 5 },
        { name: 'changes/0000000002.jsonl.gz', size: 6 },
        { name: 'manifest.json', size: 7 },
      ]);
      assert.deepEqual(
        (await store.list('changes/')).map((file) => file.name),
        ['changes/0000000001.jsonl.gz', 'changes/0000000002.jsonl.gz'],
      );
      assert.ok((await readAll(store, 'bases/0001/public.orders.copy.gz')).equals(big));
      assert.equal((await readAll(store, 'manifest.json')).toString(), '{"v":2}');
      assert.equal(await store.exists('manifest.json'), true);
      await store.remove('manifest.json');
      await store.remove('manifest.json');
      assert.equal(await store.exists('manifest.json'), false);
      await rejectsWith(store.read('manifest.json'), 'ARCHIVE_FILE_MISSING');
      await rejectsWith(store.put('../outside', await spool('x')), 'ARCHIVE_NAME_INVALID');
    } finally {
      await store.close();
    }
  });

  it('replaces files on a server without posix-rename and fsync, and takes a named key and known_hosts file', async () => {
    const plain = await startSftpServer({ user: USER, clientKey, extensions: false });
    const keyFile = join(base, 'named-key');
    const knownHostsFile = join(base, 'named-known-hosts');
    await writeFile(keyFile, clientKey.privateKey, { mode: 0o600 });
    // A hashed entry, as HashKnownHosts writes it.
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update(`[127.0.0.1]:${plain.port}`).digest('base64');
    await writeFile(knownHostsFile, `|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${plain.hostKey.publicBlob.toString('base64')}\n`);
    try {
      const store = await openStore(url(plain, '/a'), {
        env: { HOME: join(base, 'no-such-home') },
        create: true,
        retry: FAST_RETRY,
        sftp: { identityFile: keyFile, knownHostsFile },
      });
      await store.put('f', await spool('one'));
      await store.put('f', await spool('two!'));
      assert.equal(await readFile(join(plain.root, 'a', 'f'), 'utf8'), 'two!');
      assert.deepEqual(await store.list(''), [{ name: 'f', size: 4 }]);
      await store.close();
    } finally {
      await plain.stop();
    }
  });

  it('logs in through ssh-agent, falls back to ~/.ssh keys after the agent, and resolves /~/ paths in the login directory', async () => {
    const agentHome = await mkdtemp(join(base, 'agent-home-'));
    await mkdir(join(agentHome, '.ssh'));
    await writeFile(join(agentHome, '.ssh', 'known_hosts'), server.knownHostsLine() + '\n');
    const agent = await startTestAgent(base, [clientKey]);
    const strangerAgent = await startTestAgent(base, [generateTestKey()]);
    try {
      const viaAgent = await openStore(
        url(server, '/~/via-agent'),
        options({ env: { HOME: agentHome, SSH_AUTH_SOCK: agent.socket }, create: true }),
      );
      await viaAgent.put('f', await spool('agent'));
      await viaAgent.close();
      assert.equal(
        await readFile(join(server.root, 'via-agent', 'f'), 'utf8'),
        'agent',
        'relative to the login directory (the served root)',
      );

      const fallback = await openStore(
        url(server, '/fallback'),
        options({ env: { HOME: home, SSH_AUTH_SOCK: strangerAgent.socket }, create: true }),
      );
      await fallback.put('f', await spool('file key'));
      await fallback.close();

      const refused = await rejectsWith(
        openStore(url(server, '/x'), options({ env: { HOME: agentHome, SSH_AUTH_SOCK: strangerAgent.socket }, create: true })),
        'ARCHIVE_SFTP_AUTH_FAILED',
      );
      assert.match(refused.message, /ssh-agent/);
    } finally {
      await agent.stop();
      await strangerAgent.stop();
    }
  });

  it('reports an archive directory removed on the server', async () => {
    const store = await openStore(url(server, '/removed'), options({ create: true }));
    await rm(join(server.root, 'removed'), { recursive: true });
    await rejectsWith(store.list(''), 'ARCHIVE_DIR_MISSING');
    await store.close();
  });

  it('refuses an unknown host key, saying how to add it', async () => {
    const emptyHome = await makeHome(clientKey, '');
    const error = await rejectsWith(
      openStore(url(server, '/x'), options({ env: { HOME: emptyHome }, create: true })),
      'ARCHIVE_SFTP_HOST_UNKNOWN',
    );
    assert.equal(error.category, 'connect');
    assert.match(error.message, /SHA256:/);
    assert.ok(error.nextStep?.includes(`ssh-keyscan -p ${server.port} -t ssh-ed25519 127.0.0.1 >> ~/.ssh/known_hosts`), error.nextStep);
    assert.ok(!(await readdir(server.root)).includes('x'), 'nothing was created');
  });

  it('refuses a changed host key', async () => {
    const otherKey = generateTestKey();
    const wrongHome = await makeHome(clientKey, `[127.0.0.1]:${server.port} ssh-ed25519 ${otherKey.publicBlob.toString('base64')}\n`);
    const error = await rejectsWith(
      openStore(url(server, '/x'), options({ env: { HOME: wrongHome }, create: true })),
      'ARCHIVE_SFTP_HOST_KEY_CHANGED',
    );
    assert.equal(error.category, 'safety');
    assert.match(error.nextStep ?? '', /ssh-keygen -R/);
  });

  it('reports a key the server does not accept', async () => {
    const strangerHome = await makeHome(generateTestKey(), server.knownHostsLine() + '\n');
    const error = await rejectsWith(
      openStore(url(server, '/x'), options({ env: { HOME: strangerHome }, create: true })),
      'ARCHIVE_SFTP_AUTH_FAILED',
    );
    assert.equal(error.category, 'connect');
    assert.match(error.message, /~\/\.ssh\/id_ed25519/);
    const keyless = await mkdtemp(join(base, 'keyless-'));
    await rejectsWith(openStore(url(server, '/x'), options({ env: { HOME: keyless } })), 'ARCHIVE_SFTP_NO_KEY');
  });

  it('never puts a password into a name or message', async () => {
    const error = await rejectsWith(openStore(`sftp://${USER}:s3cr3t-pw@127.0.0.1:${server.port}/x`, options()), 'ARCHIVE_URL_PASSWORD');
    assert.ok(!JSON.stringify({ message: error.message, nextStep: error.nextStep, details: error.details }).includes('s3cr3t-pw'));
  });

  it('reconnects after a dropped connection, also in the middle of reading a file', async () => {
    const store = await openStore(url(server, '/reconnect'), options({ create: true }));
    try {
      const big = randomBytes(4 * 1024 * 1024);
      await store.put('big', await spool(big));
      server.dropConnections();
      assert.deepEqual(await store.list(''), [{ name: 'big', size: big.length }]);
      let dropped = false;
      const read = await readAll(store, 'big', (count) => {
        if (count === 3 && !dropped) {
          dropped = true;
          server.dropConnections();
        }
      });
      assert.ok(dropped);
      assert.ok(read.equals(big), 'the file read across the reconnection is whole and in order');
    } finally {
      await store.close();
    }
  });

  it('fails with a clear connect error when something that is no SSH server closes the connection', async () => {
    const closer = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => closer.listen(0, '127.0.0.1', resolve));
    const port = (closer.address() as AddressInfo).port;
    try {
      const error = await rejectsWith(openStore(`sftp://${USER}@127.0.0.1:${port}/x`, options()), 'ARCHIVE_SFTP_UNREACHABLE');
      assert.equal(error.category, 'connect');
    } finally {
      await new Promise<void>((resolve) => closer.close(() => resolve()));
    }
  });

  it('fails with a clear connect error when the server is gone', async () => {
    const doomed = await startSftpServer({ user: USER, clientKey });
    const doomedHome = await makeHome(clientKey, doomed.knownHostsLine() + '\n');
    const store = await openStore(url(doomed, '/a'), options({ env: { HOME: doomedHome }, create: true }));
    await store.put('one', await spool('1'));
    await doomed.stop();
    const error = await rejectsWith(store.put('two', await spool('2')), 'ARCHIVE_SFTP_UNREACHABLE');
    assert.equal(error.category, 'connect');
    assert.ok(error.message.includes(url(doomed, '/a')), error.message);
    await rejectsWith(store.list(''), 'ARCHIVE_SFTP_UNREACHABLE');
    await store.close();
  });
});
