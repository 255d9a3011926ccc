/**
 * pgtwin follow applying many rows per statement (src/apply/change-runs.ts)
 * on a real twin: runs with keys that come back, key changes inside a run,
 * insert then delete of one key, rows the twin lacks inside a multi-row
 * UPDATE and DELETE (counted, not fatal), unchanged TOASTed values mixed into
 * a run, a table without a key, tables linked by a foreign key, a masked
 * unique column and a composite key. The changes are written while follow is
 * stopped, so they arrive as one backlog and share batches and statements;
 * then more while it runs. The twin must equal the source afterwards.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitForTwin } from '../support/converge.js';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { loadSettings } from '../../src/config/index.js';
import { runFollow, type FollowSummary } from '../../src/follow/follow.js';
import { compileMasks, MaskingKey } from '../../src/anonymize/index.js';

const SECRET = '5c1e9a7b3d2f8e4a6b0c9d1e7f3a5b8c2d4e6f8a0b1c3d5e7f9a2b4c6d8e0f1a';
const DDL = `
  CREATE TABLE items (id int PRIMARY KEY, name varchar(12), qty numeric(10,2), at timestamptz, tags text[], data jsonb, raw bytea, flag boolean, code char(4));
  CREATE TABLE stock (id int PRIMARY KEY, qty int NOT NULL);
  CREATE TABLE docs (id int PRIMARY KEY, title text, body text);
  CREATE TABLE log (n int, payload text);
  ALTER TABLE log REPLICA IDENTITY FULL;
  CREATE TABLE parent (id int PRIMARY KEY, name text);
  CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent, name text);
  CREATE TABLE people (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, name text);
  CREATE TABLE pairs (a int, b int, v text, PRIMARY KEY (a, b));
  CREATE TABLE ident (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n int GENERATED ALWAYS AS IDENTITY (START WITH 1000), v text);`;

const TABLES = [
  { name: 'items', columns: ['id', 'name', 'qty', 'at', 'tags', 'data', 'raw', 'flag', 'code'] },
  { name: 'stock', columns: ['id', 'qty'] },
  { name: 'docs', columns: ['id', 'title', 'body'] },
  { name: 'log', columns: ['n', 'payload'] },
  { name: 'parent', columns: ['id', 'name'] },
  { name: 'child', columns: ['id', 'parent_id', 'name'] },
  { name: 'people', columns: ['id', 'name'] },
  { name: 'pairs', columns: ['a', 'b', 'v'] },
  { name: 'ident', columns: ['id', 'n', 'v'] },
];

/** Each string is one source transaction (a multi-statement query runs as one). */
const BACKLOG = [
  // A run of inserts, a run of updates over the same rows (first row with NULLs), keys coming back, insert-delete-insert of one key.
  `INSERT INTO items SELECT g, 'n' || g, g * 1.5, timestamptz '2024-01-01 00:00:00.123456+00' + g * interval '1 minute', ARRAY['a' || g, NULL], jsonb_build_object('g', g), decode(md5(g::text), 'hex'), g % 2 = 0, 'c' || (g % 10) FROM generate_series(1, 300) g;
   UPDATE items SET qty = qty + 1, name = 'u' || id, tags = NULL, data = '{"x": "it''s \\\\ ok"}', flag = NULL WHERE id <= 300;
   UPDATE items SET qty = -qty, raw = NULL, code = 'ab' WHERE id <= 10;
   INSERT INTO items VALUES (1001, 'tmp', 1, now(), '{}', '[]', '\\x00', true, 'ab');
   DELETE FROM items WHERE id = 1001;
   INSERT INTO items VALUES (1001, 'again', 2, NULL, NULL, NULL, NULL, NULL, NULL);
   UPDATE items SET name = 'x' WHERE id = 1001;
   DELETE FROM items WHERE id BETWEEN 200 AND 250`,
  // Key changes between updates of neighbouring rows, and a swap of two keys through a third.
  `UPDATE items SET qty = qty + 1 WHERE id BETWEEN 20 AND 30;
   UPDATE items SET id = id + 10000 WHERE id = 25;
   UPDATE items SET qty = qty + 1 WHERE id IN (10025, 24, 26);
   UPDATE items SET id = -id WHERE id BETWEEN 40 AND 45;
   UPDATE items SET id = 9999 WHERE id = 50; UPDATE items SET id = 50 WHERE id = 51; UPDATE items SET id = 51 WHERE id = 9999;
   UPDATE items SET qty = 0 WHERE id BETWEEN 46 AND 60`,
  // Rows 5, 6, 7 are gone from the twin (see the test): 3 updates and 3 deletes find nothing.
  `UPDATE stock SET qty = qty + 1 WHERE id BETWEEN 1 AND 10;
   DELETE FROM stock WHERE id IN (5, 6, 7, 8, 9)`,
  // Hot rows: three rows updated sixty times in one transaction (later updates fold into earlier ones), then a
  // key change, a delete and an update of a key inserted again, each of which must end a fold.
  `DO $$ BEGIN FOR i IN 1..60 LOOP UPDATE stock SET qty = qty + i WHERE id = 11 + i % 3; END LOOP; END $$;
   UPDATE stock SET qty = qty * 2 WHERE id = 11; UPDATE stock SET id = 1011 WHERE id = 11; UPDATE stock SET qty = 7 WHERE id = 12;
   DELETE FROM stock WHERE id = 13; INSERT INTO stock VALUES (13, 1); UPDATE stock SET qty = qty + 1 WHERE id IN (12, 13)`,
  // Unchanged TOASTed bodies (not resent) next to changed ones, alternating row by row.
  `UPDATE docs SET title = 't1-' || id;
   UPDATE docs SET title = 't2-' || id, body = CASE WHEN id % 2 = 0 THEN body || 'x' ELSE body END;
   UPDATE docs SET title = 't3-' || id WHERE id > 3`,
  // No key: equal rows, changed and deleted one at a time.
  `INSERT INTO log SELECT g % 3, 'p' || (g % 3) FROM generate_series(1, 30) g;
   UPDATE log SET payload = 'changed' WHERE ctid = (SELECT ctid FROM log WHERE n = 1 LIMIT 1);
   DELETE FROM log WHERE ctid IN (SELECT ctid FROM log WHERE n = 2 LIMIT 3);
   INSERT INTO log VALUES (NULL, NULL), (NULL, NULL);
   DELETE FROM log WHERE ctid = (SELECT ctid FROM log WHERE n IS NULL LIMIT 1)`,
  // Parents and children interleaved: the twin's foreign key fails if a child lands first.
  `INSERT INTO parent VALUES (10, 'p10'); INSERT INTO child VALUES (1, 10, 'c1'); INSERT INTO parent VALUES (11, 'p11');
   INSERT INTO child VALUES (2, 11, 'c2'); INSERT INTO child VALUES (3, 10, 'c3');
   DELETE FROM child WHERE parent_id = 10; DELETE FROM parent WHERE id = 10;
   INSERT INTO parent VALUES (12, 'p12'); INSERT INTO child VALUES (4, 12, 'c4')`,
  // A masked unique column handed from row to row.
  `INSERT INTO people SELECT 100 + g, 'new' || g || '@x.example', 'n' FROM generate_series(1, 20) g;
   UPDATE people SET email = 'tmp@x.example' WHERE id = 1;
   UPDATE people SET email = 'a1@source.example' WHERE id = 2;
   UPDATE people SET email = 'a2@source.example' WHERE id = 1;
   UPDATE people SET name = 'renamed' WHERE id BETWEEN 3 AND 40;
   UPDATE people SET email = 'h@x.example' WHERE id = 40; UPDATE people SET email = 'a40@source.example' WHERE id = 3;
   DELETE FROM people WHERE id BETWEEN 101 AND 105`,
  // A composite key.
  `INSERT INTO pairs SELECT g / 10, g % 10, 'v' || g FROM generate_series(0, 99) g;
   UPDATE pairs SET v = 'w' WHERE a = 3;
   UPDATE pairs SET b = b + 100 WHERE a = 4 AND b < 3;
   DELETE FROM pairs WHERE a = 5 OR (a = 6 AND b % 2 = 0)`,
  // GENERATED ALWAYS identity columns take the source's values only with OVERRIDING SYSTEM VALUE, and can never be SET.
  `INSERT INTO ident (v) SELECT 'i' || g FROM generate_series(1, 30) g;
   UPDATE ident SET v = 'one' WHERE id = 3;
   UPDATE ident SET v = 'many' WHERE id BETWEEN 10 AND 20;
   DELETE FROM ident WHERE id IN (4, 25)`,
  `UPDATE ident SET v = 'alone' WHERE id = 7`,
  // The one way such a key moves: a new value from the sequence.
  `UPDATE ident SET id = DEFAULT, v = 'moved' WHERE id IN (8, 9)`,
];

describe('pgtwin follow: many rows per statement', () => {
  let dbs: TestDatabases;
  let dir: string;
  const slot = `pgtwin_r_${randomBytes(4).toString('hex')}`;
  const env = { PGTWIN_SECRET: SECRET };
  const warnings: string[] = [];

  const start = async (): Promise<{ stop: () => Promise<FollowSummary> }> => {
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
      observer: { warning: (m) => warnings.push(m) },
    });
    done.catch(() => undefined);
    for (let i = 0; i < 300; i++) {
      const r = await dbs.target
        .query(`SELECT status FROM pgtwin.follow_state WHERE slot = $1`, [slot])
        .catch(() => ({ rows: [] as { status: string }[] }));
      if (r.rows[0]?.status === 'streaming') break;
      await sleep(100);
    }
    return {
      stop: async () => {
        controller.abort(new Error('test stop'));
        return done;
      },
    };
  };
  const converged = (timeoutMs = 30_000): Promise<void> => waitForTwin(dbs, TABLES, timeoutMs);

  before(async () => {
    dbs = await createTestDatabases('follow_runs');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-follow-runs-'));
    await writeFile(join(dir, 'pgtwin.yaml'), 'anonymize:\n  people:\n    email: email\n');
    await dbs.source.query(DDL);
    await dbs.source.query(`INSERT INTO stock SELECT g, g FROM generate_series(1, 100) g`);
    await dbs.source.query(
      `INSERT INTO docs SELECT g, 'd' || g, (SELECT string_agg(md5(g::text || i::text), '') FROM generate_series(1, 2000) i) FROM generate_series(1, 6) g`,
    );
    await dbs.source.query(`INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 5) g`);
    await dbs.source.query(`INSERT INTO people SELECT g, 'a' || g || '@source.example', 'n' || g FROM generate_series(1, 50) g`);
    await dbs.source.query(`INSERT INTO ident (v) VALUES ('snapshot')`);
    await dbs.source.query(`CREATE PUBLICATION pgtwin FOR TABLE items, stock, docs, log, parent, child, people, pairs, ident`);
  });
  after(async () => {
    await dbs.source
      .query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1`, [slot])
      .catch(() => undefined);
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies a backlog of mixed runs and a live load, and the twin equals the source', async () => {
    // First start: slot and snapshot. The changes below then wait in the slot as one backlog.
    await (await start()).stop();
    const constraints = await dbs.target.query<{ fk: string; uniques: string }>(
      `SELECT (SELECT count(*) FROM pg_constraint WHERE conrelid = 'child'::regclass AND contype = 'f')::text AS fk,
              (SELECT count(*) FROM pg_index WHERE indrelid = 'people'::regclass AND indisunique AND NOT indisprimary)::text AS uniques`,
    );
    assert.deepEqual(
      constraints.rows[0],
      { fk: '1', uniques: '1' },
      'the twin has the foreign key and the unique index these cases are about',
    );
    await dbs.target.query(`DELETE FROM stock WHERE id IN (5, 6, 7)`);
    for (const sql of BACKLOG) await dbs.source.query(sql);
    // Many small transactions touching the same keys: they share batches, and their runs must break on each repeat.
    for (let k = 0; k < 60; k++)
      await dbs.source.query(
        `UPDATE stock SET qty = qty + ${k} WHERE id IN (${20 + (k % 4)}, ${30 + (k % 7)}); INSERT INTO log VALUES (${k}, 'k')`,
      );

    const follow = await start();
    try {
      await converged();
      // And while it runs.
      await dbs.source.query(
        `UPDATE items SET qty = qty * 2 WHERE id BETWEEN 1 AND 150; DELETE FROM items WHERE id % 7 = 0; INSERT INTO items (id, name) SELECT 2000 + g, 'live' FROM generate_series(1, 50) g`,
      );
      await dbs.source.query(`UPDATE docs SET title = 'live-' || id, body = CASE WHEN id = 3 THEN 'short now' ELSE body END`);
      await converged();
    } finally {
      await follow.stop();
    }

    const missing = await dbs.target.query<{ updates: string; deletes: string; missing: string }>(
      `SELECT sum(updates)::text AS updates, sum(deletes)::text AS deletes, sum(missing)::text AS missing FROM pgtwin.follow_metrics WHERE slot = $1 AND table_name = 'public.stock'`,
      [slot],
    );
    assert.deepEqual(
      missing.rows[0],
      // Every source change counts, folded or not: the hot-row transaction's 65 updates and 1 delete included.
      { updates: String(10 + 60 * 2 + 65), deletes: '6', missing: '6' },
      'rows the twin lacks are counted, not fatal',
    );
    assert.ok(
      warnings.some((w) => /public\.stock: update of 3 rows the twin does not have/.test(w)),
      warnings.join('\n'),
    );
    assert.ok(
      warnings.some((w) => /public\.stock: delete of 3 rows the twin does not have/.test(w)),
      warnings.join('\n'),
    );

    const body = await dbs.target.query<{ id: number; n: number }>(`SELECT id, length(body) AS n FROM docs ORDER BY id`);
    assert.deepEqual(
      body.rows.map((r) => r.n),
      [64000, 64001, 9, 64001, 64000, 64001],
      'unchanged TOASTed bodies kept, changed ones applied',
    );

    const key = new MaskingKey(Buffer.from(SECRET, 'hex'));
    const mask = compileMasks(new Map([['email', { strategy: 'email', options: {} }]]), [{ name: 'email', type: 'text' }], {
      table: 'public.people',
      key,
    }).get(0);
    assert.ok(mask !== undefined);
    const [source, target] = await Promise.all([
      dbs.source.query<{ id: string; email: string }>('SELECT id, email FROM people ORDER BY id'),
      dbs.target.query<{ id: string; email: string }>('SELECT id, email FROM people ORDER BY id'),
    ]);
    assert.deepEqual(
      target.rows.map((r) => [r.id, r.email]),
      source.rows.map((r) => [r.id, mask(r.email, { field: () => null })]),
      'masked emails equal masking the source values',
    );
  });
});
