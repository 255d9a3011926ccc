/**
 * Changing the table selection of a twin that already follows. `a` is
 * followed from the start; `b` (a masked column), `c` and `k` (no key, REPLICA IDENTITY FULL: a change applied twice or
 * lost shows in its count and checksum) are added to the config while a
 * writer keeps changing all four, then follow is started again: they must be
 * copied and then followed with nothing lost or applied twice, `a`
 * untouched. Then `d` is added and follow is killed while copying it. Then
 * `a` and `c` are removed: their changes are no longer applied, and
 * setup-source takes them out of the publication.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { waitForTwin } from '../support/converge.js';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin, spawnPgtwin } from '../support/cli.js';
import { loadSettings } from '../../src/config/index.js';
import { runFollow, type FollowSummary } from '../../src/follow/follow.js';
import { tableChecksum } from '../../src/verify/table-checksum.js';

const SECRET = '7a3c9e1b5d2f8a4c6e0b9d1f3a5c7e9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c';
const DDL = `
  CREATE TABLE a (id int PRIMARY KEY, v int NOT NULL, note text);
  CREATE TABLE b (id int PRIMARY KEY, email text NOT NULL, n int NOT NULL);
  CREATE TABLE c (id int PRIMARY KEY, a_id int NOT NULL, v int NOT NULL);
  CREATE TABLE k (n int, payload text);
  ALTER TABLE k REPLICA IDENTITY FULL;
  CREATE TABLE d (id int PRIMARY KEY, payload text);
  INSERT INTO a SELECT g, g, 'seed' FROM generate_series(1, 200) g;
  INSERT INTO b SELECT g, 'b' || g || '@source.example', g FROM generate_series(1, 200) g;
  INSERT INTO c SELECT g, g, g FROM generate_series(1, 200) g;
  INSERT INTO k SELECT -g, 'seed' FROM generate_series(1, 200) g;
  INSERT INTO d SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 200000) g;`;

const A = { name: 'a', columns: ['id', 'v', 'note'] };
const B = { name: 'b', columns: ['id', 'n'] };
const C = { name: 'c', columns: ['id', 'a_id', 'v'] };
const K = { name: 'k', columns: ['n', 'payload'] };
const D = { name: 'd', columns: ['id', 'payload'] };

describe('follow: changing the table selection of a followed twin', () => {
  let dbs: TestDatabases;
  let dir: string;
  const slot = `pgtwin_sel_${randomBytes(4).toString('hex')}`;
  const env = { PGTWIN_SECRET: SECRET };

  const configure = async (tables: readonly string[]): Promise<void> => {
    await writeFile(
      join(dir, 'pgtwin.yaml'),
      `tables:\n  include: [${tables.map((t) => `public.${t}`).join(', ')}]\nanonymize:\n  b:\n    email: email\n`,
    );
  };
  const setupSource = async (): Promise<string> => {
    const result = await pgtwin(['setup-source', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--slot', slot, '--yes'], {
      cwd: dir,
      env,
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    return result.stdout + result.stderr;
  };
  const start = async (notes: string[] = []): Promise<{ stop: () => Promise<FollowSummary>; done: Promise<FollowSummary> }> => {
    const settings = await loadSettings({ cwd: dir, env, overrides: { source: dbs.sourceUrl, target: dbs.targetUrl } });
    const controller = new AbortController();
    const done = runFollow({
      settings,
      env,
      signal: controller.signal,
      confirm: async () => true,
      slot,
      maxBatchDelayMs: 50,
      statusIntervalMs: 200,
      observer: { note: (m) => notes.push(m) },
    });
    done.catch(() => undefined);
    return {
      done,
      stop: async () => {
        controller.abort(new Error('test stop'));
        return done;
      },
    };
  };
  /** Polls `ready` while the follow runs; its failure, if it ends first, is the test's. */
  const until = async (follow: { done: Promise<FollowSummary> }, ready: () => Promise<boolean>): Promise<void> => {
    let ended: unknown;
    follow.done.then(
      () => (ended ??= new Error('follow ended')),
      (error: unknown) => (ended ??= error),
    );
    for (let i = 0; i < 1200; i++) {
      if (await ready()) return;
      if (ended !== undefined) throw ended;
      await sleep(100);
    }
    throw new Error('timed out waiting for follow');
  };
  const followedTables = async (): Promise<Map<string, string>> => {
    const rows = await dbs.target.query<{ table_name: string; status: string }>(
      'SELECT table_name, status FROM pgtwin.follow_tables WHERE slot = $1',
      [slot],
    );
    return new Map(rows.rows.map((r) => [r.table_name, r.status]));
  };
  const followStatus = async (): Promise<string | undefined> =>
    (await dbs.target.query<{ status: string }>('SELECT status FROM pgtwin.follow_state WHERE slot = $1', [slot])).rows[0]?.status;
  const published = async (): Promise<string[]> =>
    (
      await dbs.source.query<{ t: string }>(`SELECT tablename AS t FROM pg_publication_tables WHERE pubname = 'pgtwin' ORDER BY 1`)
    ).rows.map((r) => r.t);

  /**
   * Source transactions touching every table, each in its own transaction,
   * until `enough()` says so (checked every iteration) or a hard bound.
   */
  const writer = (tables: ReadonlySet<string>, enough: (k: number) => boolean, from: number): Promise<number> =>
    (async () => {
      const w = new pg.Client({ connectionString: dbs.sourceUrl });
      await w.connect();
      let k = from;
      try {
        for (; k < from + 20_000 && !enough(k - from); k++) {
          const id = 1000 + k;
          const old = 1 + (k % 200);
          const sql = ['BEGIN'];
          if (tables.has('a'))
            sql.push(`INSERT INTO a VALUES (${id}, ${k}, 'w'); UPDATE a SET v = v + 1, note = 'u${k}' WHERE id = ${old}`);
          if (tables.has('b'))
            sql.push(`INSERT INTO b VALUES (${id}, 'w${k}@source.example', ${k}); UPDATE b SET n = n + 1 WHERE id = ${old}`);
          if (tables.has('b') && k % 7 === 0) sql.push(`DELETE FROM b WHERE id = ${id - 3}`);
          if (tables.has('c')) sql.push(`INSERT INTO c VALUES (${id}, ${id}, ${k}); UPDATE c SET v = v + 1 WHERE id = ${old}`);
          if (tables.has('k')) sql.push(`INSERT INTO k VALUES (${k}, 'w${k}'); UPDATE k SET payload = payload || '+' WHERE n = ${k - 5}`);
          if (tables.has('k') && k % 5 === 0) sql.push(`DELETE FROM k WHERE n = ${-(1 + (k % 200))}`);
          if (tables.has('d'))
            sql.push(
              `UPDATE d SET payload = 'w${k}' WHERE id = ${1 + ((k * 7919) % 200_000)}; INSERT INTO d VALUES (${300_000 + k}, 'w${k}')`,
            );
          sql.push('COMMIT');
          await w.query(sql.join(';\n'));
        }
      } finally {
        await w.end();
      }
      return k;
    })();

  before(async () => {
    dbs = await createTestDatabases('follow_selection');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-selection-'));
    await dbs.source.query(DDL);
    await configure(['a']);
    await setupSource();
  });
  after(async () => {
    await dbs.source
      .query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1`, [slot])
      .catch(() => undefined);
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  });

  let next = 0;

  it('copies tables added to the config under a snapshot that meets the stream, then follows them, while a writer keeps changing them', async () => {
    const first = await start();
    await until(first, async () => (await followStatus().catch(() => undefined)) === 'streaming');
    await waitForTwin(dbs, [A]);
    await first.stop();
    assert.deepEqual([...(await followedTables()).entries()], [['public.a', 'following']]);

    // The writer runs through the config change, setup-source, the restart, the copy and beyond.
    let following = false;
    let afterFollowing = 0;
    const writing = writer(new Set(['a', 'b', 'c', 'k']), () => following && ++afterFollowing > 300, 0);
    await configure(['a', 'b', 'c', 'k']);
    await setupSource();
    const notes: string[] = [];
    const second = await start(notes);
    try {
      // Streaming with every table: the added ones are followed from here.
      await until(second, async () => (await followedTables()).get('public.b') === 'following');
      following = true;
      next = await writing;
      await waitForTwin(dbs, [A, B, C, K], 60_000);
    } finally {
      following = true;
      await writing.catch(() => undefined);
    }
    const summary = await second.stop();
    assert.deepEqual([...summary.tablesAdded].sort(), ['public.b', 'public.c', 'public.k']);
    assert.match(notes.join('\n'), /the table selection changed since this twin last followed: added public\.b, public\.c, public\.k/);
    assert.deepEqual([...(await followedTables()).entries()].sort(), [
      ['public.a', 'following'],
      ['public.b', 'following'],
      ['public.c', 'following'],
      ['public.k', 'following'],
    ]);
    assert.equal(await followStatus(), 'stopped');
    const leaked = await dbs.target.query<{ n: string }>(`SELECT count(*)::text AS n FROM b WHERE email LIKE '%@source.example'`);
    assert.equal(leaked.rows[0]?.n, '0', 'b.email is masked in the copy and in the stream');
  });

  it('a follow killed while copying an added table starts that table over and still converges exactly', async () => {
    await configure(['a', 'b', 'c', 'k', 'd']);
    await setupSource();
    let done = false;
    const writing = writer(new Set(['a', 'b', 'k', 'd']), () => done, next);
    try {
      const child = spawnPgtwin(['follow', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--slot', slot, '--yes'], { cwd: dir, env });
      await child.waitFor(/copying public\.d/);
      child.kill('SIGKILL');
      await child.done;
      assert.equal((await followedTables()).get('public.d'), 'copying', 'killed before the copy of d was recorded as done');
      const again = await start();
      await until(again, async () => (await followedTables()).get('public.d') === 'following');
      done = true;
      next = await writing;
      await waitForTwin(dbs, [A, B, C, K, D], 60_000);
      await again.stop();
    } finally {
      done = true;
      await writing.catch(() => undefined);
    }
    assert.equal(await followStatus(), 'stopped');
  });

  it('stops applying tables removed from the config, and setup-source takes them out of the publication', async () => {
    const before = await Promise.all([
      tableChecksum(dbs.target, { schema: 'public', name: 'a' }, A.columns),
      tableChecksum(dbs.target, { schema: 'public', name: 'c' }, C.columns),
    ]);
    await configure(['b', 'k', 'd']);
    // In the stream (still published), for a follow that no longer selects them.
    next = await writer(new Set(['a', 'c', 'b']), (k) => k >= 50, next);
    const output = await setupSource();
    assert.match(output, /DROP TABLE "public"\."a", "public"\."c"/);
    assert.deepEqual(await published(), ['b', 'd', 'k']);
    next = await writer(new Set(['a', 'b', 'k']), (k) => k >= 50, next);
    const notes: string[] = [];
    const follow = await start(notes);
    await waitForTwin(dbs, [B, K, D]);
    const summary = await follow.stop();
    assert.deepEqual([...summary.tablesRemoved].sort(), ['public.a', 'public.c']);
    assert.match(notes.join('\n'), /removed public\.a, public\.c \(no longer applied; their rows stay in the twin\)/);
    const afterwards = await Promise.all([
      tableChecksum(dbs.target, { schema: 'public', name: 'a' }, A.columns),
      tableChecksum(dbs.target, { schema: 'public', name: 'c' }, C.columns),
    ]);
    assert.deepEqual(afterwards, before, 'a and c are kept as they were, and none of their later changes was applied');
    assert.deepEqual([...(await followedTables()).keys()].sort(), ['public.b', 'public.d', 'public.k']);
    assert.equal(await followStatus(), 'stopped');
  });
});
