import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { removeAbandonedSpools, SpoolWriter } from '../../src/archive/spool-file.js';

describe('spool files', () => {
  it('hold every byte written, small lines and large pieces, in order, with the stored size and SHA-256', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgtwin-spool-'));
    try {
      const spool = SpoolWriter.create(dir, 'test');
      const pieces: Buffer[] = [];
      for (let i = 0; i < 5000; i++) pieces.push(Buffer.from(`{"t":"insert","n":${i}}\n`));
      pieces.push(Buffer.alloc(300_000, 'x'));
      pieces.push(Buffer.from('last line, shorter than a batch\n'));
      for (const piece of pieces) await spool.write(piece);
      const file = await spool.finish();
      const stored = await readFile(file.path);
      assert.equal(file.size, stored.length);
      assert.equal(file.sha256, createHash('sha256').update(stored).digest('hex'));
      const expected = Buffer.concat(pieces);
      assert.equal(file.bytes, expected.length);
      assert.ok(gunzipSync(stored).equals(expected));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('give the SHA-256 of the text written before the digest was asked for, not of what follows it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgtwin-spool-'));
    try {
      const spool = SpoolWriter.create(dir, 'digest', { contentDigest: true });
      const lines = Array.from({ length: 3000 }, (_, i) => `{"t":"insert","n":${i},"v":"é ${'y'.repeat(i % 50)}"}\n`);
      for (const line of lines) await spool.write(line);
      const digest = await spool.contentDigest();
      await spool.write('{"t":"trailer"}\n');
      const file = await spool.finish();
      assert.equal(digest, createHash('sha256').update(lines.join('')).digest('hex'));
      assert.equal(gunzipSync(await readFile(file.path)).toString(), `${lines.join('')}{"t":"trailer"}\n`);
      await assert.rejects(spool.contentDigest(), /keeps no digest/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('left by a process that is gone are deleted; those of a running process and other files are kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgtwin-spool-'));
    try {
      const ours = SpoolWriter.create(dir, 'changes-1');
      await ours.write('{"t":"header"}\n');
      // A process that has exited: its pid names the abandoned file.
      const gone = spawnSync(process.execPath, ['-e', '']).pid;
      const abandoned = `pgtwin-changes-7.${gone}-0123456789ab.spool`;
      await writeFile(join(dir, abandoned), 'partial');
      await writeFile(join(dir, 'someone-elses.spool'), 'not ours');
      assert.deepEqual(await removeAbandonedSpools(dir), [abandoned]);
      assert.deepEqual((await readdir(dir)).sort(), [basename(ours.path), 'someone-elses.spool'].sort());
      await ours.discard();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
