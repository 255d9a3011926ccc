/**
 * pgtwin follow against the real source (wal_level=logical): the snapshot /
 * stream hand-off under concurrent writes, convergence with masking, an
 * unchanged TOASTed value, schema drift, and the slot's confirmed position
 * never passing what the twin has committed. `events` has no key and is
 * insert-only: a duplicate or a loss there shows in its count.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { waitForTwin, type ComparedTable } from '../support/converge.js';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin, spawnPgtwin } from '../support/cli.js';
import { loadSettings } from '../../src/config/index.js';
import { runFollow, type FollowSummary } from '../../src/follow/follow.js';
import { PgtwinError } from '../../src/errors.js';
import { compileMasks, MaskingKey } from '../../src/anonymize/index.js';

const SECRET = '3b8f1d6c9a2e4f7b0c5d8e1a3f6b9c2d4e7a0b3c6d9e2f5a8b1c4d7e0f3a6b9c';
const DDL = `
  CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, balance numeric(12,2), note text, seen timestamptz, born date);
  CREATE TABLE events (n int, payload text);
  CREATE TABLE docs (id int PRIMARY KEY, title text, body text);
  CREATE TABLE scratch (id int PRIMARY KEY, v text);`;

describe('pgtwin follow', () => {
  let dbs: TestDatabases;
  let dir: string;
  const slot = `pgtwin_t_${randomBytes(4).toString('hex')}`;
  const env = { PGTWIN_SECRET: SECRET };

  const start = async (warnings: string[] = []): Promise<{ stop: () => Promise<FollowSummary>; done: Promise<FollowSummary> }> => {
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
      sequencesIntervalMs: 500,
      observer: { warning: (m) => warnings.push(m) },
    });
    // Observed by the test that stops it; this keeps an early failure from being an unhandled rejection.
    done.catch(() => undefined);
    return {
      done,
      stop: async () => {
        controller.abort(new Error('test stop'));
        return done;
      },
    };
  };
  const streaming = async (): Promise<void> => {
    for (let i = 0; i < 300; i++) {
      const r = await dbs.target
        .query(`SELECT status FROM pgtwin.follow_state WHERE slot = $1`, [slot])
        .catch(() => ({ rows: [] as { status: string }[] }));
      if (r.rows[0]?.status === 'streaming') return;
      await sleep(100);
    }
    throw new Error('follow did not start streaming');
  };
  const converged = (tables: readonly ComparedTable[], timeoutMs = 30_000): Promise<void> => waitForTwin(dbs, tables, timeoutMs);
  const ALL = [
    { name: 'accounts', columns: ['id', 'balance', 'note', 'seen', 'born'] },
    { name: 'events', columns: ['n', 'payload'] },
    { name: 'docs', columns: ['id', 'title', 'body'] },
    { name: 'scratch', columns: ['id', 'v'] },
  ];

  before(async () => {
    dbs = await createTestDatabases('follow');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-follow-'));
    await writeFile(join(dir, 'pgtwin.yaml'), 'anonymize:\n  accounts:\n    email: email\n');
    await dbs.source.query(DDL);
    // A source whose sessions print dates day-first in another zone: the stream must still arrive intact.
    await dbs.source.query(
      `ALTER DATABASE ${dbs.name} SET DateStyle = 'SQL, DMY'; ALTER DATABASE ${dbs.name} SET TimeZone = 'America/New_York'`,
    );
    await dbs.source.query(
      `INSERT INTO accounts SELECT g, 'a' || g || '@source.example', g, 'n' || g, timestamptz '2024-03-01 10:00:00.123456+00' + g * interval '1 hour', date '1980-01-13' + g FROM generate_series(1, 2000) g`,
    );
    await dbs.source.query(`INSERT INTO events SELECT g % 100, 'e' || g FROM generate_series(1, 5000) g`);
    await dbs.source.query(
      `INSERT INTO docs VALUES (1, 'big', (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 20000)))`,
    );
    await dbs.source.query(`CREATE PUBLICATION pgtwin FOR TABLE accounts, events, docs, scratch`);
  });
  after(async () => {
    await dbs.source
      .query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1`, [slot])
      .catch(() => undefined);
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('hands off from the snapshot to the stream without losing or repeating a change, masked, under concurrent writes', async () => {
    let writing = true;
    let k = 0;
    const writer = (async () => {
      const w = new pg.Client({ connectionString: dbs.sourceUrl });
      await w.connect();
      try {
        while (writing) {
          k++;
          await w.query('BEGIN');
          await w.query(`INSERT INTO events VALUES ($1::int, 'w' || $1::text)`, [k]);
          await w.query(
            `INSERT INTO accounts VALUES ($1::bigint, 'new' || $1::text || '@source.example', $1::numeric, 'x') ON CONFLICT (id) DO NOTHING`,
            [100000 + k],
          );
          await w.query(
            `UPDATE accounts SET balance = balance + 1, note = 'u' || $1::text, seen = clock_timestamp(), born = date '1990-12-31' + $1::int WHERE id = $2`,
            [k, 1 + ((k * 7) % 2000)],
          );
          if (k % 5 === 0) await w.query(`DELETE FROM accounts WHERE id = $1`, [100000 + k - 3]);
          if (k % 11 === 0) await w.query(`UPDATE accounts SET id = id + 500000 WHERE id = $1`, [1 + ((k * 13) % 2000)]);
          await w.query('COMMIT');
        }
      } finally {
        await w.end();
      }
    })();
    await sleep(300);
    const follow = await start();
    await streaming();
    await sleep(1500);
    writing = false;
    await writer;
    await dbs.source.query(`INSERT INTO scratch SELECT g, 'v' FROM generate_series(1, 50) g`);
    await dbs.source.query(`TRUNCATE scratch`);
    await dbs.source.query(`INSERT INTO scratch VALUES (1, 'after truncate')`);
    await converged(ALL);
    const summary = await follow.stop();
    assert.ok(summary.initialSync !== undefined, 'the twin was loaded from the slot snapshot');
    assert.ok(summary.changes > 0, 'changes were streamed after the snapshot');

    const key = new MaskingKey(Buffer.from(SECRET, 'hex'));
    const mask = compileMasks(new Map([['email', { strategy: 'email', options: {} }]]), [{ name: 'email', type: 'text' }], {
      table: 'public.accounts',
      key,
    }).get(0);
    assert.ok(mask !== undefined);
    const [source, target] = await Promise.all([
      dbs.source.query<{ id: string; email: string }>('SELECT id, email FROM accounts ORDER BY id'),
      dbs.target.query<{ id: string; email: string }>('SELECT id, email FROM accounts ORDER BY id'),
    ]);
    assert.deepEqual(
      target.rows.map((r) => [r.id, r.email]),
      source.rows.map((r) => [r.id, mask(r.email, { field: () => null })]),
      'masked columns equal masking the source values',
    );
  });

  it('keeps an unchanged TOASTed value when another column of its row is updated', async () => {
    const follow = await start();
    await streaming();
    await dbs.source.query(`UPDATE docs SET title = 'renamed' WHERE id = 1`);
    await converged([{ name: 'docs', columns: ['id', 'title', 'body'] }]);
    const body = await dbs.target.query<{ n: number }>(`SELECT length(body) AS n FROM docs WHERE id = 1`);
    assert.equal(body.rows[0]?.n, 640000);
    await follow.stop();
  });

  it('never confirms to the source a position the twin has not committed', async () => {
    const follow = await start();
    await streaming();
    await converged(ALL);
    const blocker = new pg.Client({ connectionString: dbs.targetUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
      const before = (await dbs.source.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]?.lsn;
      await dbs.source.query(`INSERT INTO events VALUES (-1, 'blocked')`);
      await sleep(1500); // several status reports and keepalives go by
      const confirmed = await dbs.source.query<{ behind: boolean }>(
        `SELECT confirmed_flush_lsn <= $2::pg_lsn AS behind FROM pg_replication_slots WHERE slot_name = $1`,
        [slot, before],
      );
      assert.equal(confirmed.rows[0]?.behind, true, 'the slot stays at or before the blocked transaction');
      await blocker.query('ROLLBACK');
      await converged(ALL);
      await sleep(600);
      const after = await dbs.source.query<{ passed: boolean }>(
        `SELECT confirmed_flush_lsn > $2::pg_lsn AS passed FROM pg_replication_slots WHERE slot_name = $1`,
        [slot, before],
      );
      assert.equal(after.rows[0]?.passed, true, 'once committed, the position moves on');
    } finally {
      await blocker.end();
      await follow.stop();
    }
  });

  it('stops on schema drift naming the column, keeps its position, and resumes after the fix', async () => {
    const follow = await start();
    await streaming();
    await dbs.source.query(`ALTER TABLE accounts ADD COLUMN nickname text`);
    await dbs.source.query(`INSERT INTO accounts (id, email, nickname) VALUES (900001, 'drift@source.example', 'nick')`);
    await dbs.source.query(`INSERT INTO events VALUES (-2, 'after drift')`);
    const error = await follow.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof PgtwinError, String(error));
    assert.equal(error.code, 'SCHEMA_DRIFT');
    assert.match(error.details.join('\n'), /public\.accounts\.nickname: new on the source/);
    await dbs.target.query(`ALTER TABLE accounts ADD COLUMN nickname text`);
    const again = await start();
    await streaming();
    await converged([...ALL, { name: 'accounts', columns: ['id', 'balance', 'note', 'nickname'] }]);
    await again.stop();
  });

  it('converges after kill -9 at random points and restarts: no change lost, none applied twice', async () => {
    const args = ['follow', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--slot', slot, '--yes'];
    let writing = true;
    const writer = (async () => {
      const w = new pg.Client({ connectionString: dbs.sourceUrl });
      await w.connect();
      try {
        for (let k = 0; writing; k++) {
          await w.query(`INSERT INTO events SELECT $1::int, 'k' || g FROM generate_series(1, 3) g`, [k]);
          await w.query(`UPDATE accounts SET balance = balance + 1 WHERE id = $1`, [1 + (k % 2000)]);
        }
      } finally {
        await w.end();
      }
    })();
    try {
      for (const delay of [300, 900, 1500]) {
        const child = spawnPgtwin(args, { cwd: dir, env });
        await child.waitFor(/following slot/);
        await sleep(delay);
        child.kill('SIGKILL');
        await child.done;
      }
    } finally {
      writing = false;
      await writer;
    }
    const last = spawnPgtwin(args, { cwd: dir, env });
    await last.waitFor(/following slot/);
    await converged(ALL);
    const stopped = await pgtwin(['stop'], { cwd: dir });
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stdout, /Stopped/);
    const result = await last.done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /follow stopped at/);
    const state = await dbs.target.query(`SELECT status FROM pgtwin.follow_state WHERE slot = $1`, [slot]);
    assert.equal(state.rows[0]?.status, 'stopped');
    const status = await pgtwin(['status', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--json'], { cwd: dir, env });
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout) as { follows: { slot: string; status: string; source: { active: boolean } | null }[] };
    assert.equal(report.follows.find((f) => f.slot === slot)?.status, 'stopped');
  });
});
