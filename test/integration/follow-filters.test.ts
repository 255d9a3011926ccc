/**
 * Filters hold while following: a `where:` table gets only the rows its
 * filter keeps (inserts inside and outside, updates moving rows in, with an
 * unchanged TOASTed column, and out, key moves, deletes), with and without a
 * key; a `limit:` table follows only the rows the first load copied. The
 * twin must equal `SELECT ... WHERE <filter>` on the source, masked columns
 * compared through the masking engine.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { loadSettings } from '../../src/config/index.js';
import { runFollow, type FollowSummary } from '../../src/follow/follow.js';
import { PgtwinError } from '../../src/errors.js';
import { compileMasks, MaskingKey } from '../../src/anonymize/index.js';

const SECRET = '5c1e7a9b3d2f4e6a8b0c1d3e5f7a9b2c4d6e8f0a1b3c5d7e9f2a4b6c8d0e1f3a';
/** On a masked column too: evaluated over the source's values, before masking. */
const ORDERS_FILTER = "region = 'eu' AND amount < 1000 AND email NOT LIKE 'skip%'";
const CONFIG = `
tables:
  filters:
    orders: { where: "${ORDERS_FILTER}" }
    logs: { where: "level <> 'debug'" }
    events: { limit: 5 }
    visits: { where: "kind <> 'bot'", limit: 4 }
anonymize:
  orders:
    email: email
`;

/** Rows as text, in key order; `where` picks the source rows the twin must hold. */
async function rowsOf(client: pg.Client, sql: string): Promise<string[]> {
  return (await client.query<{ r: string }>(sql)).rows.map((row) => row.r);
}

describe('follow keeps where: and limit: filters', () => {
  let dbs: TestDatabases;
  let dir: string;
  const slot = `pgtwin_f_${randomBytes(4).toString('hex')}`;
  const env = { PGTWIN_SECRET: SECRET };

  before(async () => {
    dbs = await createTestDatabases('follow_filters');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-filters-'));
    await writeFile(join(dir, 'pgtwin.yaml'), CONFIG);
    const ddl = `
      CREATE TABLE orders (id int PRIMARY KEY, region text NOT NULL, email text NOT NULL, amount numeric(10,2) NOT NULL, notes text);
      CREATE TABLE logs (n int, level text, msg text);
      CREATE TABLE events (id int PRIMARY KEY, v text);
      CREATE TABLE visits (n int, kind text);`;
    await dbs.source.query(ddl);
    await dbs.target.query(ddl);
    await dbs.source.query(`ALTER TABLE logs REPLICA IDENTITY FULL; ALTER TABLE visits REPLICA IDENTITY FULL;
      INSERT INTO visits SELECT g, CASE WHEN g % 4 = 0 THEN 'bot' ELSE 'human' END FROM generate_series(1, 12) g;
      INSERT INTO orders SELECT g, CASE WHEN g % 2 = 1 THEN 'eu' ELSE 'us' END, 'c' || g || '@shop.example', g * 10, 'note ' || g FROM generate_series(1, 20) g;
      -- Large, incompressible notes: stored out of line (TOASTed), so an UPDATE that leaves them alone does not carry them.
      UPDATE orders SET notes = (SELECT string_agg(md5(g::text || '-' || id), '') FROM generate_series(1, 4000) g) WHERE id IN (2, 4, 11);
      INSERT INTO logs SELECT g, CASE WHEN g % 3 = 0 THEN 'debug' ELSE 'info' END, 'm' || g FROM generate_series(1, 12) g;
      INSERT INTO events SELECT g, 'v' || g FROM generate_series(1, 10) g;
      CREATE PUBLICATION pgtwin FOR TABLE orders, logs, events, visits;`);
  });
  after(async () => {
    await dbs.source
      .query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1`, [slot])
      .catch(() => undefined);
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies only the rows the filters keep, moving rows in and out as the source changes them', async () => {
    const settings = await loadSettings({ cwd: dir, env, overrides: { source: dbs.sourceUrl, target: dbs.targetUrl } });
    const controller = new AbortController();
    const warnings: string[] = [];
    const done: Promise<FollowSummary> = runFollow({
      settings,
      env,
      signal: controller.signal,
      confirm: async () => true,
      slot,
      maxBatchDelayMs: 50,
      statusIntervalMs: 200,
      observer: { warning: (m) => warnings.push(m) },
    });
    let failed: unknown;
    done.catch((error: unknown) => (failed = error));
    const copiedEvents: string[] = [];
    try {
      for (let i = 0; i < 300 && failed === undefined; i++) {
        const r = await dbs.target
          .query(`SELECT status FROM pgtwin.follow_state WHERE slot = $1`, [slot])
          .catch(() => ({ rows: [] as { status: string }[] }));
        if (r.rows[0]?.status === 'streaming') break;
        await sleep(100);
      }
      if (failed !== undefined) throw failed;
      copiedEvents.push(...(await rowsOf(dbs.target, `SELECT id::text AS r FROM events ORDER BY id`)));
      assert.equal(copiedEvents.length, 5);
      const copied = copiedEvents.map(Number);
      const copiedVisits = (await rowsOf(dbs.target, `SELECT n::text AS r FROM visits ORDER BY n`)).map(Number);
      assert.equal(copiedVisits.length, 4);
      const visitsNotCopied = Array.from({ length: 12 }, (_, i) => i + 1).filter((n) => n % 4 !== 0 && !copiedVisits.includes(n));
      const notCopied = Array.from({ length: 10 }, (_, i) => i + 1).filter((id) => !copied.includes(id));

      await dbs.source.query(`
        INSERT INTO orders VALUES (21, 'eu', 'new21@shop.example', 5, 'in'), (22, 'us', 'new22@shop.example', 5, 'out'), (23, 'eu', 'big23@shop.example', 5000, 'too big'),
          (24, 'eu', 'skip24@shop.example', 5, 'out by its masked column');
        UPDATE orders SET email = 'skip15@shop.example' WHERE id = 15;  -- moves out by its masked column
        UPDATE orders SET region = 'eu' WHERE id = 2;                -- moves in; its TOASTed notes are not in the change
        UPDATE orders SET region = 'eu', amount = 1 WHERE id = 4;    -- moves in, TOASTed notes unchanged
        UPDATE orders SET region = 'us' WHERE id = 1;                -- moves out
        UPDATE orders SET amount = 2000 WHERE id = 11;               -- moves out by another column, TOASTed notes unchanged
        UPDATE orders SET amount = amount + 1, email = 'x3@shop.example' WHERE id = 3;  -- stays in
        UPDATE orders SET amount = amount + 1 WHERE id = 6;          -- stays out
        DELETE FROM orders WHERE id IN (5, 8);                       -- one in, one out
        UPDATE orders SET id = 107 WHERE id = 7;                     -- key moves, stays in
        UPDATE orders SET id = 109, region = 'us' WHERE id = 9;      -- key moves, and out
        UPDATE orders SET id = 110, region = 'eu' WHERE id = 10;     -- key moves, and in
        INSERT INTO logs VALUES (100, 'debug', 'd'), (101, 'info', 'i');
        UPDATE logs SET level = 'debug' WHERE n = 1;                 -- out
        UPDATE logs SET level = 'warn' WHERE n = 3;                  -- in (was debug)
        UPDATE logs SET msg = 'still out' WHERE n = 6;
        DELETE FROM logs WHERE n IN (2, 9);
        INSERT INTO events VALUES (11, 'never copied');
        UPDATE events SET v = 'changed' WHERE id IN (${copied[0]}, ${notCopied[0]});
        DELETE FROM events WHERE id IN (${copied[1]}, ${notCopied[1]});
        INSERT INTO visits VALUES (100, 'human');
        UPDATE visits SET kind = 'bot' WHERE n = ${copiedVisits[0]};          -- a copied row leaves the where
        UPDATE visits SET kind = 'returning' WHERE n IN (${copiedVisits[1]}, ${visitsNotCopied[0]});
        DELETE FROM visits WHERE n IN (${copiedVisits[2]}, ${visitsNotCopied[1]});`);
      // A transaction that moves a row in and out again, and an unrelated table's change behind a filtered one.
      await dbs.source.query(
        `BEGIN; UPDATE orders SET region = 'eu' WHERE id = 12; UPDATE orders SET region = 'us' WHERE id = 12; UPDATE orders SET notes = 'short' WHERE id = 13; COMMIT`,
      );

      const orderRows = `SELECT id || '|' || region || '|' || amount || '|' || md5(coalesce(notes, '')) AS r FROM orders`;
      const expected = {
        orders: () => rowsOf(dbs.source, `${orderRows} WHERE ${ORDERS_FILTER} ORDER BY id`),
        logs: () => rowsOf(dbs.source, `SELECT n || '|' || level || '|' || msg AS r FROM logs WHERE level <> 'debug' ORDER BY n, msg`),
        events: () => rowsOf(dbs.source, `SELECT id || '|' || v AS r FROM events WHERE id IN (${copied.join(', ')}) ORDER BY id`),
        visits: () =>
          rowsOf(
            dbs.source,
            `SELECT n || '|' || kind AS r FROM visits WHERE kind <> 'bot' AND n IN (${copiedVisits.join(', ')}) ORDER BY n`,
          ),
      };
      const actual = {
        orders: () => rowsOf(dbs.target, `${orderRows} ORDER BY id`),
        logs: () => rowsOf(dbs.target, `SELECT n || '|' || level || '|' || msg AS r FROM logs ORDER BY n, msg`),
        events: () => rowsOf(dbs.target, `SELECT id || '|' || v AS r FROM events ORDER BY id`),
        visits: () => rowsOf(dbs.target, `SELECT n || '|' || kind AS r FROM visits ORDER BY n`),
      };
      const same = async (): Promise<boolean> => {
        for (const t of ['orders', 'logs', 'events', 'visits'] as const)
          if (JSON.stringify(await actual[t]()) !== JSON.stringify(await expected[t]())) return false;
        return true;
      };
      for (let i = 0; i < 300 && failed === undefined && !(await same()); i++) await sleep(100);
      if (failed !== undefined) throw failed;
      for (const t of ['orders', 'logs', 'events', 'visits'] as const)
        assert.deepEqual(await actual[t](), await expected[t](), `${t} on the twin`);

      // Masked columns: the twin holds the masked value of the source's, for exactly the filtered rows.
      const key = new MaskingKey(Buffer.from(SECRET, 'hex'));
      const mask = compileMasks(new Map([['email', { strategy: 'email', options: {} }]]), [{ name: 'email', type: 'text' }], {
        table: 'public.orders',
        key,
      }).get(0);
      assert.ok(mask !== undefined);
      const [source, target] = await Promise.all([
        dbs.source.query<{ id: number; email: string }>(`SELECT id, email FROM orders WHERE ${ORDERS_FILTER} ORDER BY id`),
        dbs.target.query<{ id: number; email: string }>('SELECT id, email FROM orders ORDER BY id'),
      ]);
      assert.deepEqual(
        target.rows.map((r) => [r.id, r.email]),
        source.rows.map((r) => [r.id, mask(r.email, { field: () => null })]),
      );
      assert.ok(target.rows.some((r) => r.id === 2) && target.rows.some((r) => r.id === 4), 'rows moved in with their TOASTed notes');
      // Rows outside a filter, or never copied, are expected to be missing: no warning about them.
      assert.deepEqual(warnings, []);
    } finally {
      controller.abort(new Error('test stop'));
      await done.catch(() => undefined);
    }
  });

  it('refuses, before creating a slot or writing, a filter that cannot be evaluated over a change', async () => {
    const other = await mkdtemp(join(tmpdir(), 'pgtwin-filters-'));
    const otherSlot = `pgtwin_g_${randomBytes(4).toString('hex')}`;
    try {
      // Valid for the snapshot's SELECT, which names the table by schema; not over a change's values.
      await writeFile(
        join(other, 'pgtwin.yaml'),
        `tables:\n  include: [orders]\n  filters:\n    orders: { where: "public.orders.region = 'eu'" }\n`,
      );
      const settings = await loadSettings({ cwd: other, env, overrides: { source: dbs.sourceUrl, target: dbs.targetUrl } });
      const before = await rowsOf(dbs.target, `SELECT id::text AS r FROM orders ORDER BY id`);
      const controller = new AbortController();
      const done = runFollow({ settings, env, signal: controller.signal, confirm: async () => true, slot: otherSlot });
      // A follow that was not refused would stream until stopped: stop it, so the test fails instead of hanging.
      const outcome = await Promise.race([
        done.then(
          () => 'followed',
          (error: unknown) => error,
        ),
        sleep(20_000).then(() => 'still following'),
      ]);
      controller.abort(new Error('test stop'));
      await done.catch(() => undefined);
      assert.ok(outcome instanceof PgtwinError && outcome.code === 'FILTER_NOT_FOLLOWABLE', String(outcome));
      assert.match(outcome.details.join('\n'), /public\.orders: where \(public\.orders\.region = 'eu'\)/);
      const slots = await dbs.source.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [otherSlot]);
      assert.equal(slots.rowCount, 0);
      assert.deepEqual(await rowsOf(dbs.target, `SELECT id::text AS r FROM orders ORDER BY id`), before);
    } finally {
      await dbs.source
        .query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1`, [otherSlot])
        .catch(() => undefined);
      await rm(other, { recursive: true, force: true });
    }
  });
});
