/**
 * pgtwin capture against the real source (wal_level=logical) into a
 * directory archive: a masked base and masked change files in which no
 * source value of a masked column appears anywhere (every file decompressed
 * and scanned), masked values equal to what sync writes for the same rows,
 * --once taking exactly the transactions committed before it, and a new
 * column without a rule stopping capture before any of its values is written.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { archiveTexts, changeRecords } from '../support/archive-files.js';
import { loadSettings } from '../../src/config/index.js';
import { openStore } from '../../src/store/index.js';
import { runCapture, type CaptureSummary } from '../../src/capture/capture.js';
import { runSync } from '../../src/sync/sync.js';
import { PgtwinError } from '../../src/errors.js';
import type { BaseManifest } from '../../src/archive/manifest.js';

const SECRET = '7c2e9a4f1b6d3e8a0c5f2b7d4e9a1c6f3b8d0e5a2c7f4b9d1e6a3c8f0b5d2e7a';
const RULES = `strict: true
anonymize:
  accounts:
    email: email
    name: name
keep:
  accounts: [id, note]
  events: [n, payload]
`;

describe('pgtwin capture', () => {
  let dbs: TestDatabases;
  let dir: string;
  let archive: string;
  const env = { PGTWIN_SECRET: SECRET };

  const capture = async (
    options: { once?: boolean; config?: string; signal?: AbortSignal; note?: (message: string) => void } = {},
  ): Promise<CaptureSummary> => {
    if (options.config !== undefined) await writeFile(join(dir, 'pgtwin.yaml'), options.config);
    const settings = await loadSettings({ cwd: dir, env, overrides: { source: dbs.sourceUrl, target: dbs.targetUrl } });
    const store = await openStore(archive, { env, create: true });
    try {
      return await runCapture({
        settings,
        env,
        signal: options.signal ?? new AbortController().signal,
        store,
        once: options.once ?? true,
        newBase: false,
        spoolDir: dir,
        maxFileAgeMs: 100,
        maxFileBytes: 64 * 1024,
        maxPartBytes: 32 * 1024,
        statusIntervalMs: 100,
        observer: { note: options.note },
      });
    } finally {
      await store.close();
    }
  };

  before(async () => {
    dbs = await createTestDatabases('capture');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-capture-'));
    archive = join(dir, 'archive');
    await writeFile(join(dir, 'pgtwin.yaml'), RULES);
    await dbs.source.query(`
      CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, name text, note text);
      CREATE TABLE events (n int, payload text);
      ALTER TABLE events REPLICA IDENTITY FULL;
      INSERT INTO accounts SELECT g, 'person' || g || '@source.example', 'Source Person ' || g, 'n' || g FROM generate_series(1, 3000) g;
      INSERT INTO events SELECT g, 'e' || g FROM generate_series(1, 2000) g;
      CREATE PUBLICATION pgtwin FOR TABLE accounts, events;`);
  });
  after(async () => {
    await dbs.source
      .query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = current_database()`)
      .catch(() => undefined);
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a masked base in bounded parts, then exactly the transactions committed before --once, masked as sync masks them', async () => {
    const first = await capture();
    assert.equal(first.base?.tables, 2);
    assert.equal(first.base?.rows, 5000);
    assert.ok((first.base?.parts ?? 0) > 2, `parts bounded in size: ${first.base?.parts}`);

    await dbs.source.query(`INSERT INTO accounts VALUES (5001, 'late5001@source.example', 'Late Person', 'x')`);
    await dbs.source.query(`UPDATE accounts SET email = 'moved7@source.example', note = 'u' WHERE id = 7`);
    await dbs.source.query(`BEGIN; DELETE FROM accounts WHERE id = 8; UPDATE accounts SET id = 9009 WHERE id = 9; COMMIT`);
    await dbs.source.query(`UPDATE events SET payload = 'changed' WHERE n = 3`);
    await dbs.source.query(`DELETE FROM events WHERE n = 4`);
    const second = await capture();
    assert.equal(second.base, undefined);
    assert.equal(second.transactions, 5);
    const records = (await changeRecords(archive)).map((r) => r.record);
    assert.equal(records.filter((r) => r.t === 'begin').length, 5, 'each transaction once');
    assert.deepEqual(
      records.filter((r) => r.t !== 'header' && r.t !== 'trailer' && r.t !== 'begin' && r.t !== 'commit').map((r) => r.t),
      ['insert', 'update', 'delete', 'update', 'update', 'delete'],
    );

    // Nothing more to take: a --once with no new transaction writes no file.
    const third = await capture();
    assert.equal(third.files, 0);

    // sync of the same source state with the same key and rules: the twin's masked values are the archive's.
    const settings = await loadSettings({ cwd: dir, env, overrides: { source: dbs.sourceUrl, target: dbs.targetUrl } });
    await runSync({ settings, env, confirm: async () => true });
    const twin = await dbs.target.query<{ id: string; email: string; name: string }>('SELECT id::text, email, name FROM accounts');
    const synced = new Map(twin.rows.map((r) => [r.id, r]));
    const texts = await archiveTexts(archive);
    const baseName = [...texts.keys()].find((k) => k.endsWith('base.json')) ?? '';
    const base = JSON.parse(texts.get(baseName) ?? '{}') as BaseManifest;
    const accounts = base.tables.find((t) => t.key === 'public.accounts');
    const columns = accounts?.columns.map((c) => c.name) ?? [];
    let compared = 0;
    for (const part of accounts?.parts ?? []) {
      for (const line of (texts.get(part.name) ?? '').split('\n').filter((l) => l !== '')) {
        const fields = line.split('\t');
        const row = Object.fromEntries(columns.map((c, i) => [c, fields[i]]));
        const now = synced.get(row['id'] ?? '');
        // Rows the changes touched since the base differ; every other one is byte for byte the twin's.
        if (now === undefined || ['7', '8', '9'].includes(row['id'] ?? '')) continue;
        assert.equal(row['email'], now.email);
        assert.equal(row['name'], now.name);
        compared++;
      }
    }
    assert.equal(compared, 2997);
    const insert = records.find((r) => r.t === 'insert');
    assert.ok(insert?.t === 'insert');
    assert.equal(insert.new['email'], synced.get('5001')?.email);
    assert.equal(insert.new['name'], synced.get('5001')?.name);
    const moved = records.find((r) => r.t === 'update' && r.table === 'accounts' && r.new['id'] === '7');
    assert.ok(moved?.t === 'update');
    assert.equal(moved.new['email'], synced.get('7')?.email);

    // Every byte of every file, decompressed: no source value of a masked column.
    const source = await dbs.source.query<{ email: string; name: string }>('SELECT email, name FROM accounts');
    const secrets = [...source.rows.flatMap((r) => [r.email, r.name]), 'person8@source.example', 'Source Person 8', 'Source Person 9'];
    const all = [...texts.values()].join('\n');
    assert.ok(all.length > 100_000);
    const leaked = secrets.filter((value) => all.includes(value));
    assert.deepEqual(leaked, []);
  });

  it('stops at a new column without a rule before writing any of its values, and records the column once a rule is given', async () => {
    const before = await changeRecords(archive);
    // Capturing when the column arrives: the stream's relation message stops it.
    const stop = new AbortController();
    let streaming: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (streaming = resolve));
    const running = capture({ once: false, signal: stop.signal, note: (m) => /archiving the changes/.test(m) && streaming() });
    running.catch(() => undefined);
    await Promise.race([started, running]);
    await dbs.source.query(`INSERT INTO accounts VALUES (6000, 'p6000@source.example', 'Before Phone', 'x')`);
    await dbs.source.query(`ALTER TABLE accounts ADD COLUMN phone text`);
    await dbs.source.query(`INSERT INTO accounts VALUES (6001, 'p6001@source.example', 'Phone Person', 'x', '+1 555 0100 6001')`);
    const timeout = setTimeout(() => stop.abort(), 20_000);
    await assert.rejects(running, (error: unknown) => {
      assert.ok(error instanceof PgtwinError);
      assert.equal(error.code, 'SCHEMA_DRIFT');
      assert.match(error.details.join('\n'), /public\.accounts\.phone: new on the source/);
      assert.match(error.nextStep ?? '', /rule or a keep: entry.*start capture again/);
      return true;
    });
    clearTimeout(timeout);
    assert.ok(![...(await archiveTexts(archive)).values()].some((t) => t.includes('0100 6001')));

    // Started again with the column still unreviewed: strict planning refuses it before anything is read.
    await assert.rejects(capture(), (error: unknown) => {
      assert.ok(error instanceof PgtwinError);
      assert.match(`${error.message} ${error.details.join(' ')}`, /accounts\.phone/);
      return true;
    });
    assert.ok(![...(await archiveTexts(archive)).values()].some((t) => t.includes('0100 6001')));

    const summary = await capture({ config: RULES.replace('    name: name\n', '    name: name\n    phone: phone\n') });
    // The insert before the column came is archived before the drift stopped capture, or now; the one after it now.
    const inserted6000 = (await changeRecords(archive)).filter((r) => r.record.t === 'insert' && r.record.new['id'] === '6000');
    assert.equal(inserted6000.length, 1);
    assert.ok(summary.transactions >= 1);
    const after = (await changeRecords(archive)).slice(before.length).map((r) => r.record);
    const schema = after.findIndex((r) => r.t === 'schema');
    const insert = after.findIndex((r) => r.t === 'insert' && r.new['id'] === '6001');
    assert.ok(schema >= 0 && schema < insert, 'the schema record comes before the change');
    const record = after[schema];
    assert.ok(record?.t === 'schema');
    assert.deepEqual(
      record.columns.map((c) => c.name),
      ['id', 'email', 'name', 'note', 'phone'],
    );
    const inserted = after[insert];
    assert.ok(inserted?.t === 'insert');
    assert.notEqual(inserted.new['phone'], '+1 555 0100 6001');
    assert.ok(![...(await archiveTexts(archive)).values()].some((t) => t.includes('0100 6001')));
  });

  it('drops a slot of this archive that no complete base uses (a base cut off before its manifest), so it holds no WAL', async () => {
    const manifest = JSON.parse((await archiveTexts(archive)).get('pgtwin-archive.json') ?? '{}') as { archiveId: string };
    const stale = `pgtwin_archive_${manifest.archiveId.replace(/-/g, '').slice(0, 16)}_2`;
    await dbs.source.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [stale]);
    await capture({ config: RULES.replace('    name: name\n', '    name: name\n    phone: phone\n') });
    const left = await dbs.source.query(`SELECT slot_name FROM pg_replication_slots WHERE database = current_database() ORDER BY 1`);
    assert.deepEqual(
      left.rows.map((r: { slot_name: string }) => r.slot_name),
      [stale.replace(/_2$/, '_1')],
    );
  });
});
