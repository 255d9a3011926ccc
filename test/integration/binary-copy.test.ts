/**
 * As root, the copy of the PostgreSQL binaries in pgtwin's shared directory:
 * readable and runnable by the server user whatever root's umask, reused when
 * intact, and replaced when damaged (a file missing or truncated).
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, rm, stat, truncate, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { copiedBinaries } from '../../src/local/binary-copy.js';
import { findBinaries } from '../../src/local/binaries.js';
import { serverUser } from '../../src/local/server-user.js';
import { prepareSharedDir } from '../../src/local/shared-dir.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('the copy of the binaries in the shared directory', { skip: !isRoot && 'only root copies the binaries' }, () => {
  const made: string[] = [];
  after(async () => {
    for (const dir of made) await rm(dir, { recursive: true, force: true });
  });

  it('is made under a umask of 077 with modes the server user can use, reused when intact, replaced when damaged', async () => {
    const shared = await mkdtemp(join(tmpdir(), 'pgtwin-copy-'));
    made.push(shared);
    await chmod(shared, 0o755);
    const user = await serverUser();
    assert.ok(user !== undefined);
    await prepareSharedDir(shared, user);
    const bins = await findBinaries();

    const previous = process.umask(0o077);
    let copy;
    try {
      copy = await copiedBinaries(bins, shared, user);
    } finally {
      process.umask(previous);
    }
    assert.ok(copy.installDir.startsWith(shared), copy.installDir);
    assert.equal(copy.version, bins.version);
    assert.equal((await stat(copy.installDir)).mode & 0o777, 0o755);
    assert.equal((await stat(join(copy.installDir, 'share'))).mode & 0o777, 0o755);
    assert.equal((await stat(copy.postgres)).mode & 0o777, 0o755);
    assert.equal((await stat(join(copy.installDir, 'share', 'postgresql', 'postgres.bki'))).mode & 0o777, 0o644);

    const inode = (await stat(copy.postgres)).ino;
    await copiedBinaries(bins, shared, user);
    assert.equal((await stat(copy.postgres)).ino, inode, 'an intact copy is reused');

    await unlink(join(copy.installDir, 'share', 'postgresql', 'postgres.bki'));
    await truncate(copy.initdb, 10);
    const repaired = await copiedBinaries(bins, shared, user);
    assert.equal(repaired.installDir, copy.installDir);
    assert.equal((await stat(repaired.initdb)).size, (await stat(bins.initdb)).size, 'the truncated program is whole again');
    await stat(join(repaired.installDir, 'share', 'postgresql', 'postgres.bki'));
    assert.deepEqual(
      (await readdir(shared)).filter((name) => name.startsWith('.')),
      [],
      'no scratch copy is left',
    );
  });
});
