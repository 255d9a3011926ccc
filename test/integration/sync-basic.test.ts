import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';
import { assertTablesEqual } from '../support/compare.js';
import { TEST_PASSWORD } from '../support/constants.js';
import { loadSettings } from '../../src/config/index.js';
import { runSync } from '../../src/sync/sync.js';

describe('pgtwin sync: basics', () => {
  let dbs: TestDatabases;
  before(async () => {
    dbs = await createTestDatabases('basic');
    await onBoth(
      dbs,
      `CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
       CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id), total numeric(12,2));
       CREATE TABLE audit_log (id bigserial PRIMARY KEY, line text);`,
    );
    await dbs.source.query(`INSERT INTO users (email) SELECT 'user' || g || '@example.org' FROM generate_series(1, 500) g`);
    await dbs.source.query(`INSERT INTO orders (user_id, total) SELECT 1 + g % 500, g * 1.25 FROM generate_series(1, 2000) g`);
    await dbs.source.query(`INSERT INTO audit_log (line) SELECT 'x' || g FROM generate_series(1, 10) g`);
    await dbs.target.query(`INSERT INTO users (email) VALUES ('stale@example.org')`);
  });
  after(async () => dbs.drop());

  it('copies every selected table row for row, as JSON report', async () => {
    const result = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--exclude', '*_log', '--yes', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      tables: Array<{ table: string; rows: number; bytes: number; durationMs: number; maskedColumns: string[] }>;
      totalRows: number;
      durationMs: number;
    };
    assert.deepEqual(report.tables.map((t) => [t.table, t.rows]).sort(), [
      ['public.orders', 2000],
      ['public.users', 500],
    ]);
    assert.equal(report.totalRows, 2500);
    for (const t of report.tables) {
      assert.ok(t.bytes > 0);
      assert.deepEqual(t.maskedColumns, []);
    }
    await assertTablesEqual(dbs, ['public.users', 'public.orders']);
    const log = await dbs.target.query('SELECT count(*)::int AS n FROM audit_log');
    assert.equal(log.rows[0].n, 0, 'excluded table untouched');
    assert.ok(!result.stdout.includes(TEST_PASSWORD) && !result.stderr.includes(TEST_PASSWORD));
  });

  it('leaves sequences at the source values and records the run', async () => {
    const next = await dbs.target.query(`INSERT INTO users (email) VALUES ('new@example.org') RETURNING id`);
    assert.equal(Number(next.rows[0].id), 501);
    await dbs.target.query('DELETE FROM users WHERE id = 501');
    const runs = await dbs.target.query(`SELECT status, total_rows::int AS total FROM pgtwin.runs ORDER BY id DESC LIMIT 1`);
    assert.deepEqual(runs.rows[0], { status: 'succeeded', total: 2500 });
    const fks = await dbs.target.query(
      `SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND conrelid = 'orders'::regclass`,
    );
    assert.equal(fks.rows[0].n, 1, 'foreign key restored');
    const pending = await dbs.target.query('SELECT count(*)::int AS n FROM pgtwin.pending_foreign_keys');
    assert.equal(pending.rows[0].n, 0);
  });

  it('plan prints the tables and writes nothing', async () => {
    await dbs.source.query(`INSERT INTO users (email) VALUES ('later@example.org')`);
    const result = await pgtwin(['plan', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--tables', 'users,orders']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /public\.users/);
    assert.match(result.stdout, /Nothing was written/);
    const count = await dbs.target.query('SELECT count(*)::int AS n FROM users');
    assert.equal(count.rows[0].n, 500);
  });

  it('draws progress bars on a terminal and prints a summary line', async () => {
    const result = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--tables', 'users,orders', '--yes'], {
      tty: true,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /total\s+\[#{20}\] 100%/);
    assert.match(result.stdout, /^Synced 2 tables, 2,501 rows in .* \(run \d+\)\.$/m);
  });

  it("reports the sync's own duration, without the time spent at the confirmation prompt", async () => {
    const settings = await loadSettings({
      cwd: process.cwd(),
      env: {},
      overrides: { source: dbs.sourceUrl, target: dbs.targetUrl, include: ['users', 'orders'] },
    });
    const PROMPT_MS = 1500;
    let asked = 0;
    const started = performance.now();
    const report = await runSync({
      settings,
      env: {},
      confirm: async () => {
        asked++;
        await new Promise((resolve) => setTimeout(resolve, PROMPT_MS));
        return true;
      },
    });
    const elapsed = performance.now() - started;
    assert.equal(asked, 1);
    const rows = await dbs.source.query<{ n: number }>('SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM orders) AS n');
    assert.equal(report.totalRows, Number(rows.rows[0]?.n));
    // Whatever the machine's speed: the answer took PROMPT_MS of the elapsed time, and none of it is the sync's.
    assert.ok(
      report.durationMs <= elapsed - PROMPT_MS + 1,
      `durationMs ${report.durationMs} of ${Math.round(elapsed)} ms, ${PROMPT_MS} of them at the prompt`,
    );
  });
});
