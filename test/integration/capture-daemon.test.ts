/**
 * `pgtwin capture` as a long-running daemon against the real source: it
 * reconnects after its walsender and source session are terminated mid-stream
 * (no transaction lost, none archived twice), and it writes new bases on
 * request (--new-base) and on a schedule (--new-base-after, at the start of a
 * --once and while streaming with --follow), each continuing the change
 * chain, so that twins of older bases keep applying and an empty twin starts
 * from the newest base. Every twin is compared with the source (the kept
 * columns equal, no source value of a masked column), and the archive is
 * checked by `archive verify` and scanned for source values.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { archiveTexts, changeRecords } from '../support/archive-files.js';
import { loadSettings } from '../../src/config/index.js';
import { openStore } from '../../src/store/index.js';
import { runCapture, type CaptureRequest, type CaptureSummary } from '../../src/capture/capture.js';
import { checkArchive } from '../../src/archive/archive-check.js';
import type { BaseManifest } from '../../src/archive/manifest.js';
import { runApply, type ApplyReport } from '../../src/replay/apply.js';
import { tableChecksum } from '../../src/verify/table-checksum.js';

const SECRET = '3e8a1c6f4b9d2e7a0c5f8b3d6e1a4c9f2b7d0e5a8c3f6b1d4e9a2c7f0b5d8e3a';
const RULES = `strict: true
anonymize:
  accounts:
    email: email
    name: name
keep:
  accounts: [id, note]
  events: [n, payload]
`;
const KEPT = [
  { name: 'accounts', columns: ['id', 'note'] },
  { name: 'events', columns: ['n', 'payload'] },
];
const ALL = [
  { name: 'accounts', columns: ['id', 'email', 'name', 'note'] },
  { name: 'events', columns: ['n', 'payload'] },
];

type Options = Partial<Pick<CaptureRequest, 'once' | 'newBase' | 'newBaseAfterMs' | 'now' | 'signal' | 'observer'>>;

describe('pgtwin capture as a daemon: reconnects and new bases', () => {
  let dbs: TestDatabases;
  let fresh: TestDatabases;
  let dir: string;
  let archive: string;
  const env = { PGTWIN_SECRET: SECRET };

  const capture = async (options: Options = {}): Promise<CaptureSummary> => {
    const settings = await loadSettings({ cwd: dir, env, overrides: { source: dbs.sourceUrl } });
    const store = await openStore(archive, { env, create: true });
    try {
      return await runCapture({
        settings,
        env,
        signal: new AbortController().signal,
        store,
        once: true,
        newBase: false,
        spoolDir: dir,
        maxFileAgeMs: 100,
        maxFileBytes: 4 * 1024,
        statusIntervalMs: 100,
        ...options,
      });
    } finally {
      await store.close();
    }
  };

  /** capture --follow in the background, until stop() (the Ctrl-C of the command). */
  const startFollowing = (
    options: Options = {},
  ): { stop: () => Promise<CaptureSummary>; streaming: Promise<void>; reconnects: string[] } => {
    const stopper = new AbortController();
    const reconnects: string[] = [];
    let streamingNow: () => void = () => undefined;
    const streaming = new Promise<void>((resolve) => (streamingNow = resolve));
    const running = capture({
      ...options,
      once: false,
      signal: stopper.signal,
      observer: {
        ...options.observer,
        note: (message) => {
          options.observer?.note?.(message);
          if (/^archiving the changes of slot/.test(message)) streamingNow();
        },
        reconnecting: (reason) => reconnects.push(reason),
      },
    });
    running.catch(() => undefined);
    return {
      streaming: Promise.race([streaming, running.then(() => undefined)]),
      reconnects,
      stop: async () => {
        stopper.abort();
        return running;
      },
    };
  };

  const apply = async (targetUrl: string): Promise<ApplyReport> => {
    const settings = await loadSettings({ cwd: dir, env: {}, overrides: { target: targetUrl } });
    const store = await openStore(archive, { env: {} });
    try {
      return await runApply({ settings, env: {}, store, confirm: async () => true });
    } finally {
      await store.close();
    }
  };

  /** Polls (no fixed sleeps) until `done`, failing after a generous bound so that a hang is a failure, not a stuck suite. */
  const waitFor = async (what: string, done: () => Promise<boolean>): Promise<void> => {
    const giveUpAt = Date.now() + 30_000;
    while (!(await done())) {
      if (Date.now() > giveUpAt) assert.fail(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const archivedAccountIds = async (): Promise<string[]> =>
    (await changeRecords(archive)).flatMap(({ record }) =>
      record.t === 'insert' && record.table === 'accounts' ? [record.new['id'] ?? ''] : [],
    );
  const archived = (id: number) => async (): Promise<boolean> => (await archivedAccountIds()).includes(String(id));

  const insertAccounts = async (from: number, to: number): Promise<void> => {
    // One transaction per row: many small commits across the stream, as a live source writes them.
    for (let id = from; id <= to; id++)
      await dbs.source.query(
        `INSERT INTO accounts VALUES ($1::int, 'p' || $1::int || '@source.example', 'Source Person ' || $1::int, 'n' || $1::int)`,
        [id],
      );
    await dbs.source.query(`INSERT INTO events SELECT g, 'e' || g FROM generate_series($1::int, $2::int) g`, [from, to]);
  };

  const bases = async (): Promise<BaseManifest[]> =>
    [...(await archiveTexts(archive)).entries()]
      .filter(([name]) => name.startsWith('bases/') && name.endsWith('/base.json'))
      .map(([, text]) => JSON.parse(text) as BaseManifest)
      .sort((a, b) => a.name.localeCompare(b.name));
  const slots = async (): Promise<string[]> =>
    (
      await dbs.source.query<{ slot_name: string }>(
        'SELECT slot_name FROM pg_replication_slots WHERE database = current_database() ORDER BY 1',
      )
    ).rows.map((r) => r.slot_name.replace(/^pgtwin_archive_[0-9a-f]+_/, 'slot '));

  const verified = async (): Promise<void> => {
    const store = await openStore(archive, { env: {} });
    try {
      const check = await checkArchive(store);
      assert.deepEqual(check.problems, [], 'archive verify finds no problem');
    } finally {
      await store.close();
    }
  };

  /** The kept columns as the source has them, row for row; no source value of a masked column. */
  const sameAsSource = async (twin: pg.Client): Promise<void> => {
    for (const table of KEPT) {
      const at = { schema: 'public', name: table.name };
      const [got, want] = await Promise.all([
        tableChecksum(twin as unknown as pg.Client, at, table.columns),
        tableChecksum(dbs.source as unknown as pg.Client, at, table.columns),
      ]);
      assert.deepEqual(got, want, `${table.name}: the twin's kept columns differ from the source`);
    }
    const leaked = await twin.query(`SELECT 1 FROM accounts WHERE email LIKE '%@source.example' OR name LIKE 'Source Person%'`);
    assert.equal(leaked.rowCount, 0, 'no source value of a masked column in the twin');
  };

  const noSourceValueInArchive = async (): Promise<void> => {
    const all = [...(await archiveTexts(archive)).values()].join('\n');
    const source = await dbs.source.query<{ email: string; name: string }>('SELECT email, name FROM accounts');
    assert.deepEqual(
      source.rows.flatMap((r) => [r.email, r.name]).filter((value) => all.includes(value)),
      [],
      'no source value of a masked column in any file of the archive',
    );
  };

  before(async () => {
    dbs = await createTestDatabases('capture_daemon');
    fresh = await createTestDatabases('capture_daemon_fresh');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-capture-daemon-'));
    archive = join(dir, 'archive');
    await writeFile(join(dir, 'pgtwin.yaml'), RULES);
    await dbs.source.query(`
      CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, name text, note text);
      CREATE TABLE events (n int, payload text);
      ALTER TABLE events REPLICA IDENTITY FULL;
      INSERT INTO accounts SELECT g, 'p' || g || '@source.example', 'Source Person ' || g, 'n' || g FROM generate_series(1, 300) g;
      INSERT INTO events SELECT g, 'e' || g FROM generate_series(1, 300) g;
      CREATE PUBLICATION pgtwin FOR TABLE accounts, events;`);
  });
  after(async () => {
    await dbs.source
      .query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = current_database()`)
      .catch(() => undefined);
    await dbs.drop();
    await fresh.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reconnects after its walsender and source session are terminated mid-stream, losing and doubling nothing', async (t) => {
    const daemon = startFollowing();
    t.after(() => daemon.stop().catch(() => undefined));
    await daemon.streaming;
    await insertAccounts(1001, 1020);
    await waitFor('the first changes are archived', archived(1020));
    // Mid-stream: transactions on their way (some in a file not stored yet) when the connections go.
    await insertAccounts(1021, 1040);
    const killed = await dbs.source.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name IN ('pgtwin follow', 'pgtwin capture')`,
    );
    assert.ok((killed.rowCount ?? 0) >= 2, 'the walsender and the source session were terminated');
    await insertAccounts(1041, 1060);
    await waitFor('the changes after the reconnect are archived', archived(1060));
    const summary = await daemon.stop();

    assert.ok(daemon.reconnects.length >= 1, 'the lost connection reached the observer');
    assert.match(daemon.reconnects[0] ?? '', /terminat|ended unexpectedly|Connection/i);
    // 60 single-row inserts and 3 of events, each once, counted across the attempts (the first one's files too).
    assert.equal(summary.transactions, 63);
    const ids = await archivedAccountIds();
    assert.equal(ids.length, 60, 'each transaction archived once');
    assert.equal(new Set(ids).size, 60);
    await verified();
    await noSourceValueInArchive();

    const report = await apply(dbs.targetUrl);
    assert.ok(report.base.loaded !== undefined, 'the empty twin was loaded from the base');
    await sameAsSource(dbs.target);
  });

  it('--new-base: a second base, the old slot dropped, the chain continued; an empty twin starts from it, a twin of the first continues', async () => {
    const [first] = await bases();
    assert.ok(first !== undefined);
    await insertAccounts(2001, 2005);
    await dbs.source.query(`UPDATE accounts SET note = 'changed', email = 'moved' || id || '@source.example' WHERE id % 50 = 0`);
    await dbs.source.query(`DELETE FROM accounts WHERE id BETWEEN 10 AND 14`);
    const made = await capture({ newBase: true });
    assert.ok(made.base !== undefined && made.base.name !== first.name, 'a new base was written');
    // 5 inserts, the events insert, the update and the delete.
    assert.equal(made.transactions, 8, "the first slot's changes up to the new base were archived first");
    assert.deepEqual(
      (await bases()).map((b) => b.name),
      [first.name, made.base.name],
    );
    assert.deepEqual(await slots(), ['slot 2'], "the first base's slot is gone");
    // Changes after the new base come from its slot, in the same chain.
    await insertAccounts(2006, 2010);
    await dbs.source.query(`UPDATE accounts SET name = 'Source Person renamed ' || id WHERE id = 2006`);
    const after = await capture();
    assert.equal(after.base, undefined);
    assert.equal(after.transactions, 7);
    await verified();
    await noSourceValueInArchive();

    const empty = await apply(fresh.targetUrl);
    assert.equal(empty.base.name, made.base.name, 'an empty twin starts from the newest base');
    await sameAsSource(fresh.target);
    const continued = await apply(dbs.targetUrl);
    assert.equal(continued.base.name, first.name);
    assert.equal(continued.base.loaded, undefined, 'the twin of the first base was not reloaded');
    assert.equal(continued.transactions, 15);
    await sameAsSource(dbs.target);
    // Masked the same way through either base.
    for (const table of ALL) {
      const at = { schema: 'public', name: table.name };
      assert.deepEqual(
        await tableChecksum(fresh.target as unknown as pg.Client, at, table.columns),
        await tableChecksum(dbs.target as unknown as pg.Client, at, table.columns),
      );
    }
  });

  it('--new-base-after: a --once capture writes a base when the newest is older than that, and not before', async () => {
    const newest = (await bases()).at(-1);
    assert.ok(newest !== undefined);
    const madeAt = Date.parse(newest.createdAt);
    const hour = 3_600_000;
    const notes: string[] = [];
    const early = await capture({ newBaseAfterMs: hour, now: () => madeAt + hour - 1000 });
    assert.equal(early.base, undefined, 'not due yet');
    await insertAccounts(3001, 3003);
    const due = await capture({ newBaseAfterMs: hour, now: () => madeAt + hour + 1000, observer: { note: (m) => notes.push(m) } });
    assert.ok(due.base !== undefined, 'due: a new base');
    assert.ok(notes.some((n) => /older than the new-base schedule/.test(n)));
    assert.equal(due.transactions, 4, 'the older slot caught up to it first');
    assert.deepEqual(await slots(), ['slot 3']);
    await verified();
  });

  it('--new-base-after with --follow: a base falling due while streaming is written between files, and the stream goes on from its slot', async (t) => {
    const newest = (await bases()).at(-1);
    assert.ok(newest !== undefined);
    const hour = 3_600_000;
    // The clock runs an hour ahead, less 300 ms, until the base is being written: it falls due 300 ms into the stream.
    let ahead = Date.parse(newest.createdAt) + hour - 300 - Date.now();
    const daemon = startFollowing({
      newBaseAfterMs: hour,
      now: () => Date.now() + ahead,
      observer: { note: (m) => /^writing base/.test(m) && (ahead = 0) },
    });
    t.after(() => daemon.stop().catch(() => undefined));
    await daemon.streaming;
    await insertAccounts(4001, 4005);
    await waitFor('a new base is written', async () => (await bases()).length === 4);
    await insertAccounts(4006, 4010);
    await waitFor('the changes after the base are archived', archived(4010));
    const summary = await daemon.stop();
    assert.equal(summary.base?.name, (await bases()).at(-1)?.name);
    assert.deepEqual(daemon.reconnects, [], 'no lost connection: the base is not a reconnect');
    assert.deepEqual(await slots(), ['slot 4']);
    const ids = await archivedAccountIds();
    assert.equal(ids.length, new Set(ids).size, 'no transaction archived twice');
    await verified();
    await noSourceValueInArchive();
    await apply(dbs.targetUrl);
    await sameAsSource(dbs.target);
  });
});
