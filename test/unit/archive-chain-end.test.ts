/**
 * Where a capture resumes: the last change file's header and trailer, its
 * digest checked over every byte before the trailer.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readChainEnd } from '../../src/archive/chain-end.js';
import { listChangeFiles } from '../../src/archive/archive-files.js';
import { PgtwinError } from '../../src/errors.js';
import { ArchiveFixture, dirStore, type Transaction } from '../support/archive-fixture.js';

// Values long enough that the last file is read in many pieces.
const tx = (lsn: bigint): Transaction => ({
  lsn,
  changes: Array.from({ length: 400 }, (_, i) => ({
    t: 'insert' as const,
    schema: 'public',
    table: 't',
    new: { id: `${lsn}-${i}`, v: 'é'.repeat(300) },
  })),
});

describe('the end of an archive chain', () => {
  let dir: string;
  let fixture: ArchiveFixture;
  let last: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-chain-end-'));
    fixture = new ArchiveFixture(join(dir, 'a'), { tables: ['public.t'] });
    await fixture.writeManifest();
    await fixture.writeChanges([tx(0x10n)]);
    await fixture.writeChanges([tx(0x20n), tx(0x30n)]);
    last = (await listChangeFiles(await dirStore(fixture.root))).map((f) => f.name).at(-1) ?? '';
  });

  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('is the next number, the last file with its digest, and its last commit', async () => {
    const end = await readChainEnd(await dirStore(fixture.root), fixture.archiveId);
    const text = gunzipSync(await readFile(join(fixture.root, last))).toString();
    const trailer = JSON.parse(text.trimEnd().split('\n').at(-1) ?? '{}') as { digest: string };
    assert.deepEqual(end, { nextSeq: 3, prev: { name: last, digest: trailer.digest }, lastCommitLsn: 0x30n });
  });

  it('is refused when the last file was altered, cut short, extended, or belongs to another archive', async () => {
    const original = gunzipSync(await readFile(join(fixture.root, last))).toString();
    const lines = original.split('\n');
    const variants: Record<string, string> = {
      altered: original.replace('"32-7"', '"32-8"'),
      'cut before its trailer': `${lines.slice(0, -2).join('\n')}\n`,
      'a line after its trailer': `${original}{"t":"commit"}\n`,
    };
    for (const [what, text] of Object.entries(variants)) {
      assert.notEqual(text, original, what);
      await writeFile(join(fixture.root, last), gzipSync(Buffer.from(text)));
      await assert.rejects(
        readChainEnd(await dirStore(fixture.root), fixture.archiveId),
        (error: unknown) => error instanceof PgtwinError && error.code === 'ARCHIVE_CORRUPT',
        what,
      );
    }
    await writeFile(join(fixture.root, last), gzipSync(Buffer.from(original)));
    await assert.rejects(readChainEnd(await dirStore(fixture.root), 'another-archive'), /belongs to archive/);
  });
});
