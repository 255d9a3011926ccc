/**
 * archive verify reports every problem of an archive at once; prune removes
 * old bases and only the change files no kept base needs.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { checkArchive } from '../../src/archive/archive-check.js';
import { pruneArchive } from '../../src/archive/archive-prune.js';
import { listChangeFiles } from '../../src/archive/archive-files.js';
import type { DdlStatement } from '../../src/schema/index.js';
import { ArchiveFixture, dirStore, type Transaction } from '../support/archive-fixture.js';

const TABLE = { schema: 'public', name: 't', columns: [{ name: 'id', type: 'integer' }], rows: ['1', '2'] };
const DDL = { preData: [{ kind: 'table', object: 'table public.t', sql: 'CREATE TABLE public.t (id int)' } as DdlStatement], postData: [] };
const tx = (lsn: bigint): Transaction => ({ lsn, changes: [{ t: 'insert', schema: 'public', table: 't', new: { id: String(lsn) } }] });

describe('archive verify and prune', () => {
  let dir: string;
  let good: ArchiveFixture;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-verify-'));
    good = new ArchiveFixture(join(dir, 'good'), { tables: ['public.t'] });
    await good.writeManifest();
    await good.writeBase(1, 0x15n, DDL, [TABLE]);
    for (const lsn of [0x10n, 0x20n, 0x30n]) await good.writeChanges([tx(lsn)]);
    await good.writeBase(2, 0x35n, DDL, [TABLE]);
    for (const lsn of [0x40n, 0x50n, 0x60n]) await good.writeChanges([tx(lsn)]);
  });

  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('finds nothing wrong in a whole archive', async () => {
    const check = await checkArchive(await dirStore(good.root));
    assert.deepEqual(check.problems, []);
    assert.deepEqual([check.completeBases, check.changeFiles, check.transactions, check.changes], [2, 6, 6, 6]);
  });

  it('reports a corrupt file, a gap, a reordered file, a foreign file, an unknown version, a bad part and a base without manifest, all at once', async () => {
    const root = join(dir, 'broken');
    await cp(good.root, root, { recursive: true });
    const store = await dirStore(root);
    const files = (await listChangeFiles(store)).map((f) => f.name);
    const [f1, f2, f3, f4, f5, f6] = files as [string, string, string, string, string, string];
    // 1: altered value (digest mismatch).
    const text = gunzipSync(await readFile(join(root, f1)))
      .toString()
      .replace('"16"', '"17"');
    await writeFile(join(root, f1), gzipSync(Buffer.from(text)));
    // 3 gone: a gap.
    await rm(join(root, f3));
    // 5 replaced by a file of another archive.
    const foreign = new ArchiveFixture(join(dir, 'foreign'), { tables: ['public.t'] });
    const [, , , , foreignName] = [
      await foreign.writeChanges([tx(0x10n)]),
      await foreign.writeChanges([tx(0x20n)]),
      await foreign.writeChanges([tx(0x30n)]),
      await foreign.writeChanges([tx(0x40n)]),
      await foreign.writeChanges([tx(0x50n)]),
    ];
    await cp(join(foreign.root, foreignName), join(root, f5));
    // 6 in a format version this pgtwin does not know.
    const future = new ArchiveFixture(join(dir, 'future'), { archiveId: good.archiveId, tables: ['public.t'] });
    for (const lsn of [0x10n, 0x20n, 0x30n, 0x40n, 0x50n]) await future.writeChanges([tx(lsn)]);
    const futureName = await future.writeChanges([tx(0x60n)], { version: 2 });
    await cp(join(future.root, futureName), join(root, f6));
    // 2 and 4 swapped under each other's name: reordered.
    const [two, four] = [await readFile(join(root, f2)), await readFile(join(root, f4))];
    await writeFile(join(root, f2), four);
    await writeFile(join(root, f4), two);
    // A part whose bytes changed, and a base without its manifest.
    await writeFile(join(root, 'bases/000001-0000000000000015/00000-000001.copy.gz'), gzipSync(Buffer.from('9\n')));
    await mkdir(join(root, 'bases/000003-0000000000000070'), { recursive: true });
    await writeFile(join(root, 'bases/000003-0000000000000070/00000-000001.copy.gz'), '');

    const check = await checkArchive(store);
    const byFile = new Map<string, string[]>();
    for (const p of check.problems) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p.code]);
    assert.deepEqual(byFile.get(f1), ['ARCHIVE_CORRUPT']);
    assert.deepEqual(byFile.get(f2), ['ARCHIVE_GAP'], 'reordered: number 4 under the name of 2');
    assert.ok(byFile.get(f4)?.includes('ARCHIVE_GAP'), 'the gap where 3 was, and 2 under the name of 4');
    assert.deepEqual(byFile.get(f5), ['ARCHIVE_FOREIGN_FILE']);
    assert.deepEqual(byFile.get(f6), ['ARCHIVE_FORMAT_UNKNOWN']);
    assert.deepEqual(byFile.get('bases/000001-0000000000000015/00000-000001.copy.gz'), ['ARCHIVE_CORRUPT']);
    assert.deepEqual(byFile.get('bases/000003-0000000000000070'), ['ARCHIVE_BASE_INCOMPLETE']);
  });

  it('prune keeps the newest bases and every change file they need', async () => {
    const root = join(dir, 'prune');
    await cp(good.root, root, { recursive: true });
    const store = await dirStore(root);
    const before = (await listChangeFiles(store)).map((f) => f.name);
    const dry = await pruneArchive(store, 1, true);
    assert.deepEqual(
      (await listChangeFiles(store)).map((f) => f.name),
      before,
      'a dry run removes nothing',
    );
    const result = await pruneArchive(store, 1);
    assert.deepEqual(result, { ...dry, dryRun: false });
    assert.deepEqual(result.removedBases, ['000001-0000000000000015']);
    // Base 2 starts at 0x35: file 3 (0x30) may hold its first transactions; files 1 and 2 cannot.
    assert.deepEqual(result.removedChangeFiles, before.slice(0, 2));
    assert.deepEqual(
      (await listChangeFiles(store)).map((f) => f.name),
      before.slice(2),
    );
    const check = await checkArchive(store);
    assert.deepEqual(check.problems, [], 'what is left is a whole archive for the kept base');
    assert.equal(check.completeBases, 1);
    assert.deepEqual(await pruneArchive(store, 5), {
      keptBases: ['000002-0000000000000035'],
      removedBases: [],
      removedChangeFiles: [],
      dryRun: false,
    });
  });
});
