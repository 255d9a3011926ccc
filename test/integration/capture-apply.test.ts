/**
 * End to end: `pgtwin capture` writes a masked archive of a real source
 * (base, then the changes after it), `pgtwin apply` builds a twin from it
 * with no source and no key, and that twin equals, row for row, a twin that
 * `sync` builds from the same source state with the same key and config.
 * The same, with the archive in each store: a directory, an SFTP server and
 * an S3-compatible server, each started by the test.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { generateTestKey, startSftpServer, type SftpTestServer } from '../support/sftp-server.js';
import { loadSettings } from '../../src/config/index.js';
import { openStore, type OpenStoreOptions } from '../../src/store/index.js';
import { runCapture } from '../../src/capture/capture.js';
import { runApply } from '../../src/replay/apply.js';
import { runSync } from '../../src/sync/sync.js';
import { checkArchive } from '../../src/archive/archive-check.js';
import { tableChecksum } from '../../src/verify/table-checksum.js';

const SECRET = '5d1e8b3a6f9c2e7b4a1d8f5c2b9e6a3d0f7c4b1e8a5d2f9c6b3e0a7d4f1c8b5e';
const RULES = `strict: true
anonymize:
  accounts:
    email: email
    name: name
keep:
  accounts: [id, note, balance]
  events: [n, payload]
  tickets: [id, label]
`;
const TABLES = [
  { name: 'accounts', columns: ['id', 'email', 'name', 'note', 'balance', 'tier'] },
  { name: 'events', columns: ['n', 'payload'] },
  { name: 'tickets', columns: ['id', 'label'] },
];

/** Where the archive goes, and what a client of that store needs in its environment. */
interface ArchivePlace {
  readonly location: string;
  readonly env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

const PLACES: readonly (readonly [string, (dir: string) => Promise<ArchivePlace>])[] = [
  ['a directory', async (dir) => ({ location: join(dir, 'archive'), env: {}, stop: async () => undefined })],
  [
    'an SFTP server',
    async (dir) => {
      const key = generateTestKey();
      const server: SftpTestServer = await startSftpServer({ user: 'archiver', clientKey: key });
      const home = join(dir, 'home');
      await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 });
      await writeFile(join(home, '.ssh', 'id_ed25519'), key.privateKey, { mode: 0o600 });
      await writeFile(join(home, '.ssh', 'known_hosts'), `${server.knownHostsLine()}\n`);
      await mkdir(join(server.root, 'shop'));
      return { location: `sftp://archiver@127.0.0.1:${server.port}/shop`, env: { HOME: home }, stop: () => server.stop() };
    },
  ],
  [
    'an S3-compatible server',
    async () => {
      const server: S3TestServer = await startS3Server(['twin-archive']);
      return { location: 's3://twin-archive/shop', env: server.env, stop: () => server.stop() };
    },
  ],
];

for (const [where, makePlace] of PLACES)
  describe(`capture, then apply, through ${where}: the twin sync would build`, () => {
    let dbs: TestDatabases;
    let synced: TestDatabases;
    let dir: string;
    let place: ArchivePlace;
    const env = { PGTWIN_SECRET: SECRET };
    const storeOptions = (extra: NodeJS.ProcessEnv): OpenStoreOptions => ({ env: { ...place.env, ...extra }, create: true });

    const capture = async (): Promise<void> => {
      const settings = await loadSettings({ cwd: dir, env, overrides: { source: dbs.sourceUrl, target: dbs.targetUrl } });
      const store = await openStore(place.location, storeOptions(env));
      try {
        await runCapture({
          settings,
          env,
          signal: new AbortController().signal,
          store,
          once: true,
          newBase: false,
          spoolDir: dir,
          maxFileBytes: 16 * 1024,
          maxPartBytes: 16 * 1024,
        });
      } finally {
        await store.close();
      }
    };

    before(async () => {
      dbs = await createTestDatabases('capture_apply');
      synced = await createTestDatabases('capture_apply_sync');
      dir = await mkdtemp(join(tmpdir(), 'pgtwin-capture-apply-'));
      place = await makePlace(dir);
      await writeFile(join(dir, 'pgtwin.yaml'), RULES);
      await dbs.source.query(`
      CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, name text, note text, balance numeric(12,2));
      CREATE TABLE events (n int, payload text);
      ALTER TABLE events REPLICA IDENTITY FULL;
      INSERT INTO accounts SELECT g, 'person' || g || '@source.example', 'Source Person ' || g, 'n' || g, g * 1.25 FROM generate_series(1, 2000) g;
      INSERT INTO events SELECT g % 50, 'e' || g FROM generate_series(1, 1500) g;
      CREATE TABLE tickets (id serial PRIMARY KEY, label text);
      INSERT INTO tickets (label) SELECT 't' || g FROM generate_series(1, 40) g;
      CREATE PUBLICATION pgtwin FOR TABLE accounts, events, tickets;`);
    });
    after(async () => {
      await dbs.source
        .query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = current_database()`)
        .catch(() => undefined);
      await dbs.drop();
      await synced.drop();
      await place.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('builds, from the archive alone, the twin sync builds from the source', async () => {
      await capture();
      await dbs.source.query(`
      INSERT INTO accounts SELECT g, 'late' || g || '@source.example', 'Late ' || g, NULL, 0 FROM generate_series(2001, 2300) g;
      UPDATE accounts SET email = 'moved' || id || '@source.example', balance = balance + 1 WHERE id % 7 = 0;
      BEGIN; DELETE FROM accounts WHERE id BETWEEN 100 AND 150; UPDATE accounts SET id = id + 10000 WHERE id BETWEEN 200 AND 210; COMMIT;
      UPDATE events SET payload = 'changed' WHERE n = 3;
      DELETE FROM events WHERE n = 4;
      INSERT INTO events SELECT 9, 'again' FROM generate_series(1, 20);
      INSERT INTO tickets (label) SELECT 'late' || g FROM generate_series(1, 25) g;`);
      await capture();
      // A column added on the source, reviewed in the config: capture records the table's new columns, apply adds it.
      await writeFile(join(dir, 'pgtwin.yaml'), RULES.replace('[id, note, balance]', '[id, note, balance, tier]'));
      await dbs.source.query(`ALTER TABLE accounts ADD COLUMN tier text; UPDATE accounts SET tier = 'gold' WHERE id < 60`);
      await capture();

      // No source, no key: only the twin and the archive.
      const applySettings = await loadSettings({ cwd: dir, env: {}, overrides: { target: dbs.targetUrl } });
      const store = await openStore(place.location, storeOptions({}));
      try {
        const report = await runApply({ settings: applySettings, env: {}, store });
        assert.ok(report.transactions > 0, 'the changes after the base were applied');
      } finally {
        await store.close();
      }

      const syncSettings = await loadSettings({ cwd: dir, env, overrides: { source: dbs.sourceUrl, target: synced.targetUrl } });
      await runSync({ settings: syncSettings, env, confirm: async () => true });
      for (const table of TABLES) {
        const [applied, sync] = await Promise.all([
          tableChecksum(dbs.target as unknown as pg.Client, { schema: 'public', name: table.name }, table.columns),
          tableChecksum(synced.target as unknown as pg.Client, { schema: 'public', name: table.name }, table.columns),
        ]);
        assert.deepEqual(applied, sync, `${table.name}: apply's twin and sync's twin differ`);
        assert.ok(applied.rows > 0);
      }
      const leaked = await dbs.target.query(
        `SELECT 1 FROM accounts WHERE email LIKE '%@source.example' OR name LIKE 'Source Person%' OR name LIKE 'Late %'`,
      );
      assert.equal(leaked.rowCount, 0, 'no source value of a masked column in the twin');

      // The change files carry the source's sequence values, not only the base: the twin's next id is a new one.
      const sequence = `SELECT last_value::text AS value, is_called FROM tickets_id_seq`;
      const [twinSequence, sourceSequence] = await Promise.all([dbs.target.query(sequence), dbs.source.query(sequence)]);
      assert.deepEqual(twinSequence.rows, sourceSequence.rows);
      await dbs.target.query(`INSERT INTO tickets (label) VALUES ('made in the twin')`);
      const archive = await openStore(place.location, storeOptions({}));
      try {
        assert.deepEqual((await checkArchive(archive)).problems, [], 'archive verify accepts the sequence records');
      } finally {
        await archive.close();
      }
    });
  });
