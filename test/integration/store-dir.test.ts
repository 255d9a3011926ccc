import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { openStore, type ArchiveStore, type SpoolFile } from '../../src/store/index.js';
import { PgtwinError } from '../../src/errors.js';
import { writeFailed } from '../../src/store/dir-errors.js';

let base: string;
let spoolCount = 0;

async function spool(content: string | Buffer): Promise<SpoolFile> {
  const bytes = Buffer.from(content);
  const path = join(base, `spool-${spoolCount++}`);
  await writeFile(path, bytes);
  return { path, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
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

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('directory store', () => {
  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'pgtwin-store-dir-'));
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('refuses a missing directory unless asked to create it, naming the path and the fix', async () => {
    const root = join(base, 'missing', 'archive');
    const error = await rejectsWith(openStore(root, { env: {} }), 'ARCHIVE_DIR_MISSING');
    assert.ok(error.message.includes(root), error.message);
    assert.match(error.nextStep ?? '', /mkdir -p/);
    const store = await openStore(root, { env: {}, create: true });
    assert.equal(store.display, root);
    assert.deepEqual(await store.list(''), []);
    await writeFile(join(base, 'a-file'), 'x');
    await rejectsWith(openStore(join(base, 'a-file'), { env: {}, create: true }), 'ARCHIVE_DIR_MISSING');
  });

  it('resolves relative paths and file:// URLs to the same directory', async () => {
    const root = join(base, 'rel');
    await mkdir(root);
    assert.equal((await openStore('rel', { env: {}, cwd: base })).display, root);
    assert.equal((await openStore(`file://${root}`, { env: {} })).display, root);
  });

  it('puts, lists (byte order, by prefix), reads, replaces and removes files, leaving no temporary files', async () => {
    const root = join(base, 'round-trip');
    const store: ArchiveStore = await openStore(root, { env: {}, create: true });
    const big = randomBytes(3 * 1024 * 1024 + 17);
    await store.put('changes/0000000002.jsonl.gz', await spool('second'));
    await store.put('changes/0000000001.jsonl.gz', await spool('first'));
    await store.put('bases/0001/public.orders.copy.gz', await spool(big));
    await store.put('manifest.json', await spool('{}'));
    await store.put('changes/Z', await spool('upper case sorts before lower case bytes'));
    await store.put('changes/é', await spool('non-ASCII sorts after ASCII'));

    assert.deepEqual(await filesUnder(root), [
      'bases/0001/public.orders.copy.gz',
      'changes/0000000001.jsonl.gz',
      'changes/0000000002.jsonl.gz',
      'changes/Z',
      'changes/é',
      'manifest.json',
    ]);
    assert.deepEqual(await store.list(''), [
      { name: 'bases/0001/public.orders.copy.gz', size: big.length },
      { name: 'changes/0000000001.jsonl.gz', size: 5 },
      { name: 'changes/0000000002.jsonl.gz', size: 6 },
      { name: 'changes/Z', size: 40 },
      { name: 'changes/é', size: 27 },
      { name: 'manifest.json', size: 2 },
    ]);
    assert.deepEqual(
      (await store.list('changes/000')).map((file) => file.name),
      ['changes/0000000001.jsonl.gz', 'changes/0000000002.jsonl.gz'],
    );
    assert.deepEqual(
      (await store.list('bases')).map((file) => file.name),
      ['bases/0001/public.orders.copy.gz'],
    );
    assert.deepEqual(await store.list('nothing/here'), []);

    assert.equal(await text(await store.read('changes/0000000001.jsonl.gz')), 'first');
    const chunks: Buffer[] = [];
    for await (const chunk of await store.read('bases/0001/public.orders.copy.gz')) chunks.push(chunk as Buffer);
    assert.ok(Buffer.concat(chunks).equals(big));

    await store.put('manifest.json', await spool('{"v":2}'));
    assert.equal(await readFile(join(root, 'manifest.json'), 'utf8'), '{"v":2}');

    assert.equal(await store.exists('manifest.json'), true);
    await store.remove('manifest.json');
    await store.remove('manifest.json');
    assert.equal(await store.exists('manifest.json'), false);
    assert.equal(await store.exists('changes'), false, 'a directory is not a file');
    await store.close();
  });

  it('ignores leftovers of an interrupted put and replaces them', async () => {
    const root = join(base, 'leftovers');
    const store = await openStore(root, { env: {}, create: true });
    await mkdir(join(root, 'changes'));
    await writeFile(join(root, 'changes', '0000000001.jsonl.gz.tmp-0a1b2c'), 'half a file');
    assert.deepEqual(await store.list(''), []);
    await store.put('changes/0000000001.jsonl.gz', await spool('whole'));
    assert.deepEqual(await store.list('changes/'), [{ name: 'changes/0000000001.jsonl.gz', size: 5 }]);
  });

  it('refuses names that leave the archive, and reports a missing file as ARCHIVE_FILE_MISSING', async () => {
    const root = join(base, 'names');
    const store = await openStore(root, { env: {}, create: true });
    const file = await spool('x');
    for (const name of ['../escape', '/abs', 'a//b', 'a/./b', '', 'a\\b', 'x.tmp-1']) {
      await rejectsWith(store.put(name, file), 'ARCHIVE_NAME_INVALID');
    }
    await rejectsWith(store.read('../../etc/passwd'), 'ARCHIVE_NAME_INVALID');
    assert.deepEqual(await filesUnder(root), []);
    const missing = await rejectsWith(store.read('changes/0000000009.jsonl.gz'), 'ARCHIVE_FILE_MISSING');
    assert.match(missing.message, /changes\/0000000009\.jsonl\.gz/);
  });

  it('reports a file where a directory should be, and a removed archive directory, with the path', async () => {
    const root = join(base, 'broken');
    const store = await openStore(root, { env: {}, create: true });
    await writeFile(join(root, 'bases'), 'not a directory');
    const error = await rejectsWith(store.put('bases/0001/x', await spool('x')), 'ARCHIVE_WRITE_FAILED');
    assert.ok(error.message.includes(root), error.message);
    await rm(root, { recursive: true });
    await rejectsWith(store.list(''), 'ARCHIVE_DIR_MISSING');
  });

  it(
    'reports an unwritable directory as ARCHIVE_DIR_UNWRITABLE with the fix',
    { skip: process.getuid?.() === 0 ? 'root writes anywhere' : false },
    async () => {
      const root = join(base, 'read-only');
      const store = await openStore(root, { env: {}, create: true });
      await chmod(root, 0o555);
      try {
        const error = await rejectsWith(store.put('manifest.json', await spool('{}')), 'ARCHIVE_DIR_UNWRITABLE');
        assert.ok(error.message.includes(root), error.message);
        assert.match(error.nextStep ?? '', /write access/);
      } finally {
        await chmod(root, 0o755);
      }
    },
  );
});

describe('directory store errors', () => {
  it('maps permission and read-only failures to ARCHIVE_DIR_UNWRITABLE, a full disk to ARCHIVE_STORE_FULL', () => {
    const failure = (code: string): Error => Object.assign(new Error(`${code}: failed`), { code });
    const denied = writeFailed('/srv/archive', '/srv/archive/x', failure('EACCES'));
    assert.equal(denied.code, 'ARCHIVE_DIR_UNWRITABLE');
    assert.match(denied.message, /\/srv\/archive/);
    assert.match(denied.nextStep ?? '', /write access to \/srv\/archive/);
    assert.match(writeFailed('/srv/archive', '/srv/archive/x', failure('EROFS')).nextStep ?? '', /read-only/);
    assert.equal(writeFailed('/srv/archive', '/srv/archive/x', failure('ENOSPC')).code, 'ARCHIVE_STORE_FULL');
  });
});
