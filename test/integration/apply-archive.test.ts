/**
 * pgtwin apply from archives written through the format module: a twin
 * built from a base and the change files after it equals a reference
 * database that ran the same statements; applying again applies nothing
 * twice; a corrupt, missing, foreign or unknown-version file stops the
 * apply with nothing of it applied and the files before it recorded; a twin
 * of another archive (or key, or rules) is refused; a second apply on the
 * same twin is refused while the first runs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import type pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import type { ChangeRecord } from '../../src/archive/change-records.js';
import { ArchiveFixture, dirStore, type Transaction } from '../support/archive-fixture.js';
import { loadSettings } from '../../src/config/index.js';
import { pgtwin } from '../support/cli.js';
import { runApply, type ApplyReport } from '../../src/replay/apply.js';
import { PgtwinError } from '../../src/errors.js';
import { tableChecksum } from '../../src/verify/table-checksum.js';
import type { DdlStatement } from '../../src/schema/index.js';

const PRE: DdlStatement[] = [
  { kind: 'table', object: 'table public.items', sql: 'CREATE TABLE public.items (id int NOT NULL, name text, price numeric(10,2))' },
  { kind: 'sequence', object: 'sequence public.items_seq', sql: 'CREATE SEQUENCE public.items_seq' } as unknown as DdlStatement,
  { kind: 'table', object: 'table public.notes', sql: 'CREATE TABLE public.notes (n int, body text)' },
];
const POST: DdlStatement[] = [
  {
    kind: 'primary-key',
    object: 'constraint items_pkey on public.items',
    sql: 'ALTER TABLE public.items ADD CONSTRAINT items_pkey PRIMARY KEY (id)',
  } as unknown as DdlStatement,
];
const ITEMS = {
  schema: 'public',
  name: 'items',
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'name', type: 'text' },
    { name: 'price', type: 'numeric(10,2)' },
  ],
  rows: ['1\tanna\t1.50', '2\tbert\t\\N', '3\ttab\\there\t3.00'],
};
const NOTES = {
  schema: 'public',
  name: 'notes',
  columns: [
    { name: 'n', type: 'integer' },
    { name: 'body', type: 'text' },
  ],
  rows: ['1\tx', '1\tx'],
};

/** The same state as SQL on the reference database. */
const REFERENCE_BASE = `
  CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(10,2));
  CREATE TABLE notes (n int, body text);
  INSERT INTO items VALUES (1, 'anna', 1.50), (2, 'bert', NULL), (3, E'tab\\there', 3.00);
  INSERT INTO notes VALUES (1, 'x'), (1, 'x');`;

const tx = (lsn: bigint, ...changes: Transaction['changes']): Transaction => ({ lsn, changes });
const item = (values: Record<string, string | null>) => ({ t: 'insert' as const, schema: 'public', table: 'items', new: values });

describe('pgtwin apply', () => {
  let dbs: TestDatabases;
  let dir: string;
  let archive: ArchiveFixture;

  const apply = async (
    root = archive.root,
    options: { follow?: boolean; signal?: AbortSignal; recreate?: boolean } = {},
  ): Promise<ApplyReport> => {
    const settings = await loadSettings({ cwd: dir, env: {}, overrides: { target: dbs.targetUrl } });
    return runApply({ settings, env: {}, store: await dirStore(root), confirm: async () => true, pollIntervalMs: 50, ...options });
  };
  const codeOf = async (work: Promise<unknown>): Promise<string> =>
    work.then(
      () => 'no error',
      (error: unknown) => (error instanceof PgtwinError ? error.code : String(error)),
    );
  const same = async (table: string, columns: string[]): Promise<void> => {
    const [a, b] = await Promise.all([
      tableChecksum(dbs.source as unknown as pg.Client, { schema: 'public', name: table }, columns),
      tableChecksum(dbs.target as unknown as pg.Client, { schema: 'public', name: table }, columns),
    ]);
    assert.deepEqual(b, a, `${table}: twin and reference differ`);
  };
  const position = async (): Promise<{ file: string | null; lsn: string }> => {
    const r = await dbs.target.query<{ file: string | null; lsn: string }>(
      "SELECT archive_file AS file, last_commit_lsn::text AS lsn FROM pgtwin.follow_state WHERE slot LIKE 'archive:%'",
    );
    return r.rows[0] ?? { file: null, lsn: '' };
  };

  /** What `pgtwin status --json` says of the archive twin. */
  const archiveStatus = async (): Promise<{ lastFile: string | null; filesBehind: number | undefined }> => {
    const result = await pgtwin(['status', '--to', dbs.targetUrl, '--json'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const status = JSON.parse(result.stdout) as { follows: Array<{ archive: { lastFile: string | null; filesBehind?: number } | null }> };
    const archive = status.follows.find((f) => f.archive !== null)?.archive;
    return { lastFile: archive?.lastFile ?? null, filesBehind: archive?.filesBehind };
  };

  before(async () => {
    dbs = await createTestDatabases('apply_archive');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-apply-'));
    archive = new ArchiveFixture(join(dir, 'archive'), { tables: ['public.items', 'public.notes'] });
    await archive.writeManifest();
    // Change file 1 starts before the base's consistent point: its first transaction is in the base already.
    await archive.writeChanges([
      tx(0x90n, item({ id: '99', name: 'in the base already', price: null })),
      tx(0x110n, item({ id: '4', name: "o'neil", price: '4.40' }), {
        t: 'insert',
        schema: 'public',
        table: 'notes',
        new: { n: '2', body: 'y' },
      }),
    ]);
    await archive.writeBase(
      1,
      0x100n,
      { preData: PRE, postData: POST },
      [ITEMS, NOTES],
      [{ schema: 'public', name: 'items_seq', value: '42', isCalled: true }],
    );
    await archive.writeChanges([
      tx(0x120n, { t: 'update', schema: 'public', table: 'items', new: { id: '1', name: 'anna b', price: '1.60' } }),
      tx(0x130n, { t: 'update', schema: 'public', table: 'items', key: { id: '2' }, new: { id: '20', name: 'bert', price: null } }),
      tx(0x140n, { t: 'delete', schema: 'public', table: 'items', key: { id: '3' } }),
      tx(0x150n, { t: 'delete', schema: 'public', table: 'notes', old: { n: '1', body: 'x' } }),
      tx(
        0x158n,
        { t: 'insert', schema: 'public', table: 'notes', new: { n: '3', body: 'gone' } },
        { t: 'truncate', tables: [{ schema: 'public', table: 'notes' }], cascade: false, restart_identity: false },
        { t: 'insert', schema: 'public', table: 'notes', new: { n: '4', body: 'after' } },
      ),
    ]);
    await archive.writeChanges([
      tx(
        0x160n,
        {
          t: 'schema',
          schema: 'public',
          table: 'items',
          columns: [
            { name: 'id', type: 'integer' },
            { name: 'name', type: 'text' },
            { name: 'price', type: 'numeric(12,3)' },
            { name: 'tag', type: 'character varying(8)' },
          ],
        },
        item({ id: '5', name: 'eve', price: '5.125', tag: 'new' }),
        { t: 'sequence', schema: 'public', name: 'items_seq', value: '50', is_called: true },
      ),
    ]);
    await dbs.source.query(REFERENCE_BASE);
    await dbs.source.query(`
      INSERT INTO items VALUES (4, 'o''neil', 4.40); INSERT INTO notes VALUES (2, 'y');
      UPDATE items SET name = 'anna b', price = 1.60 WHERE id = 1; UPDATE items SET id = 20 WHERE id = 2; DELETE FROM items WHERE id = 3;
      DELETE FROM notes WHERE ctid = (SELECT min(ctid) FROM notes WHERE n = 1);
      INSERT INTO notes VALUES (3, 'gone'); TRUNCATE notes; INSERT INTO notes VALUES (4, 'after');
      ALTER TABLE items ADD COLUMN tag varchar(8), ALTER COLUMN price TYPE numeric(12,3); INSERT INTO items VALUES (5, 'eve', 5.125, 'new');`);
  });

  after(async () => {
    await dbs?.drop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('builds the twin from the base and applies the changes after it, row for row', async () => {
    const report = await apply();
    assert.equal(report.base.name, '000001-0000000000000100');
    assert.equal(report.files, 3);
    await same('items', ['id', 'name', 'price', 'tag']);
    await same('notes', ['n', 'body']);
    const pk = await dbs.target.query("SELECT 1 FROM pg_constraint WHERE conname = 'items_pkey'");
    assert.equal(pk.rowCount, 1, 'post-data ran');
    const seq = await dbs.target.query<{ v: string }>('SELECT last_value::text AS v FROM public.items_seq');
    assert.equal(seq.rows[0]?.v, '50');
    assert.deepEqual(await position(), { file: 'changes/0000000003-0000000000000160.jsonl.gz', lsn: '0/160' });
  });

  it('applies nothing twice when run again, and only the new file when one arrives', async () => {
    const again = await apply();
    assert.equal(again.transactions, 0);
    assert.equal(again.base.loaded, undefined);
    // The column goes: the twin's table loses it before the next change.
    await archive.writeChanges([
      tx(
        0x170n,
        {
          t: 'schema',
          schema: 'public',
          table: 'items',
          columns: [ITEMS.columns[0], ITEMS.columns[1], { name: 'price', type: 'numeric(12,3)' }],
        } as ChangeRecord,
        item({ id: '6', name: 'fay', price: null }),
      ),
    ]);
    await dbs.source.query("ALTER TABLE items DROP COLUMN tag; INSERT INTO items VALUES (6, 'fay', NULL)");
    const next = await apply();
    assert.deepEqual([next.files, next.transactions, next.changes], [1, 1, 1]);
    await same('items', ['id', 'name', 'price']);
    const columns = await dbs.target.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'tag'");
    assert.equal(columns.rowCount, 0, 'the twin dropped the column');
    assert.deepEqual(await archiveStatus(), { lastFile: next.lastFile, filesBehind: 0 });
  });

  it('stops at a corrupt file with nothing of it applied and the files before it recorded', async () => {
    const good = await archive.writeChanges([tx(0x180n, item({ id: '7', name: 'gus', price: null }))]);
    await dbs.source.query("INSERT INTO items VALUES (7, 'gus', NULL)");
    const bad = await archive.writeChanges([tx(0x190n, item({ id: '8', name: 'hal', price: null }))]);
    // Altered after it was written: one value changed, the digest no longer matches.
    const path = join(archive.root, bad);
    const text = gunzipSync(await readFile(path))
      .toString()
      .replace('"hal"', '"HAL"');
    await writeFile(path, gzipSync(Buffer.from(text)));
    assert.equal(await codeOf(apply()), 'ARCHIVE_CORRUPT');
    assert.equal((await position()).file, good);
    await same('items', ['id', 'name', 'price']);
    assert.deepEqual(await archiveStatus(), { lastFile: good, filesBehind: 1 });
    // Cut short: gzip fails.
    await writeFile(path, (await readFile(path)).subarray(0, 40));
    assert.equal(await codeOf(apply()), 'ARCHIVE_CORRUPT');
    assert.equal((await position()).file, good);
    // The archive is whole again for the tests after this one.
    await rm(path);
  });

  it('refuses a gap, a foreign file and an unknown format version', async () => {
    const broken = new ArchiveFixture(join(dir, 'broken'), { tables: ['public.items'] });
    await broken.writeManifest();
    await broken.writeBase(1, 0x10n, { preData: [PRE[0] as DdlStatement], postData: [] }, [ITEMS]);
    await broken.writeChanges([tx(0x20n, item({ id: '10', name: 'a', price: null }))]);
    await broken.writeChanges([tx(0x30n, item({ id: '11', name: 'b', price: null }))], { seq: 3 });
    const twin = await createTestDatabases('apply_broken');
    try {
      const settings = await loadSettings({ cwd: dir, env: {}, overrides: { target: twin.targetUrl } });
      const run = async (root: string) => runApply({ settings, env: {}, store: await dirStore(root), confirm: async () => true });
      assert.equal(await codeOf(run(broken.root)), 'ARCHIVE_GAP');
      const applied = await twin.target.query<{ n: string }>('SELECT count(*)::text AS n FROM public.items');
      assert.equal(applied.rows[0]?.n, '4', 'the base and the file before the gap');

      const foreign = new ArchiveFixture(join(dir, 'foreign'), { archiveId: broken.archiveId, tables: ['public.items'] });
      await foreign.writeChanges([tx(0x20n, item({ id: '10', name: 'a', price: null }))]);
      await foreign.writeChanges([tx(0x30n, item({ id: '11', name: 'b', price: null }))], { archiveId: 'another-archive' });
      await rm(join(broken.root, 'changes'), { recursive: true });
      await cp(join(foreign.root, 'changes'), join(broken.root, 'changes'), { recursive: true });
      assert.equal(await codeOf(run(broken.root)), 'ARCHIVE_FOREIGN_FILE');

      const future = new ArchiveFixture(join(dir, 'future'), { archiveId: broken.archiveId, tables: ['public.items'] });
      await future.writeChanges([tx(0x20n, item({ id: '10', name: 'a', price: null }))]);
      await future.writeChanges([tx(0x30n, item({ id: '11', name: 'b', price: null }))], { version: 2 });
      await rm(join(broken.root, 'changes'), { recursive: true });
      await cp(join(future.root, 'changes'), join(broken.root, 'changes'), { recursive: true });
      assert.equal(await codeOf(run(broken.root)), 'ARCHIVE_FORMAT_UNKNOWN');
    } finally {
      await twin.drop();
    }
  });

  it('refuses an archive with another id, rules or key, and rebuilds only with --recreate', async () => {
    const other = new ArchiveFixture(join(dir, 'other'), { tables: ['public.items'], keyFingerprint: 'fp2' });
    await other.writeManifest();
    await other.writeBase(1, 0x10n, { preData: [PRE[0] as DdlStatement], postData: [] }, [ITEMS]);
    assert.equal(await codeOf(apply(other.root)), 'ARCHIVE_MISMATCH');
    const sameId = new ArchiveFixture(join(dir, 'rekeyed'), {
      archiveId: archive.archiveId,
      tables: ['public.items'],
      keyFingerprint: 'fp2',
    });
    await sameId.writeManifest();
    assert.equal(await codeOf(apply(sameId.root)), 'ARCHIVE_MISMATCH');
    const rebuilt = await apply(other.root, { recreate: true });
    assert.equal(rebuilt.base.name, '000001-0000000000000010');
    const rows = await dbs.target.query<{ n: string }>('SELECT count(*)::text AS n FROM public.items');
    assert.equal(rows.rows[0]?.n, '3');
  });

  it('refuses changes after a new base masked under another key, and builds a new twin from that base', async () => {
    const rebased = new ArchiveFixture(join(dir, 'rebased'), { tables: ['public.items'] });
    await rebased.writeManifest();
    await rebased.writeBase(1, 0x10n, { preData: [PRE[0] as DdlStatement], postData: [] }, [ITEMS]);
    await rebased.writeChanges([tx(0x20n, item({ id: '10', name: 'a', price: null }))]);
    const [oldTwin, newTwin] = await Promise.all([createTestDatabases('apply_rebased_old'), createTestDatabases('apply_rebased_new')]);
    try {
      const run = async (twin: TestDatabases): Promise<ApplyReport> => {
        const settings = await loadSettings({ cwd: dir, env: {}, overrides: { target: twin.targetUrl } });
        return runApply({ settings, env: {}, store: await dirStore(rebased.root), confirm: async () => true });
      };
      assert.equal((await run(oldTwin)).transactions, 1);
      // capture --new-base under another key: the archive's manifest still names the first base's.
      const base = await rebased.writeBase(2, 0x25n, { preData: [PRE[0] as DdlStatement], postData: [] }, [ITEMS]);
      const manifest = join(rebased.root, 'bases', base.name, 'base.json');
      await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('"keyFingerprint": "fp1"', '"keyFingerprint": "fp2"'));
      await rebased.writeChanges([tx(0x30n, item({ id: '11', name: 'b', price: null }))]);
      assert.equal(await codeOf(run(oldTwin)), 'ARCHIVE_MISMATCH');
      const rows = await oldTwin.target.query<{ n: string }>('SELECT count(*)::text AS n FROM public.items');
      assert.equal(rows.rows[0]?.n, '4', 'nothing after the new base was applied');
      const fresh = await run(newTwin);
      assert.deepEqual([fresh.base.name, fresh.transactions], [base.name, 1]);
    } finally {
      await Promise.all([oldTwin.drop(), newTwin.drop()]);
    }
  });

  it('continues a base load that stopped part way, loading no part twice', async () => {
    const parts = new ArchiveFixture(join(dir, 'parts'), { tables: ['public.items', 'public.notes'] });
    await parts.writeManifest();
    await parts.writeBase(1, 0x10n, { preData: [PRE[0] as DdlStatement, PRE[2] as DdlStatement], postData: POST }, [ITEMS, NOTES]);
    // notes' part is damaged: items loads, notes does not, and the load stops before the post-data.
    const part = join(parts.root, 'bases/000001-0000000000000010/00001-000001.copy.gz');
    const original = await readFile(part);
    await writeFile(part, gzipSync(Buffer.from('5\tz\n')));
    const twin = await createTestDatabases('apply_resume');
    try {
      // One part at a time, in the base's order: items is in before notes fails.
      const settings = await loadSettings({ cwd: dir, env: {}, overrides: { target: twin.targetUrl, jobs: 1 } });
      const run = async (): Promise<ApplyReport> =>
        runApply({ settings, env: {}, store: await dirStore(parts.root), confirm: async () => true });
      const stopped = await run().then(
        () => undefined,
        (error: unknown) => error as PgtwinError,
      );
      assert.equal(stopped?.code, 'BASE_LOAD_STOPPED');
      assert.match(String(stopped?.nextStep), /continues this base/);
      const loadedFirst = await twin.target.query<{ table_name: string }>('SELECT table_name FROM pgtwin.run_chunks');
      assert.deepEqual(
        loadedFirst.rows.map((r) => r.table_name),
        ['public.items'],
      );
      await writeFile(part, original);
      const report = await run();
      assert.equal(report.base.loaded?.resumed, true);
      const counts = await twin.target.query<{ items: string; notes: string; chunks: string }>(
        'SELECT (SELECT count(*) FROM public.items)::text AS items, (SELECT count(*) FROM public.notes)::text AS notes, (SELECT count(*) FROM pgtwin.run_chunks)::text AS chunks',
      );
      assert.deepEqual(counts.rows[0], { items: '3', notes: '2', chunks: '2' });
      const pk = await twin.target.query("SELECT 1 FROM pg_constraint WHERE conname = 'items_pkey'");
      assert.equal(pk.rowCount, 1, 'the post-data ran once the rows were in');
    } finally {
      await twin.drop();
    }
  });

  it('refuses a second apply on the same twin while one runs', async () => {
    const controller = new AbortController();
    const first = apply(undefined, { follow: true, signal: controller.signal, recreate: true });
    first.catch(() => undefined);
    // The first holds the twin from its first statement on; wait until it has recorded its base.
    for (let i = 0; i < 200; i++) {
      const r = await dbs.target.query("SELECT 1 FROM pgtwin.archive_twin WHERE status = 'loaded' AND base = '000001-0000000000000100'");
      if (r.rowCount === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(await codeOf(apply()), 'TARGET_BUSY');
    controller.abort();
    await first;
  });
});
