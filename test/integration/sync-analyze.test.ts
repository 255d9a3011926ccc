/**
 * ANALYZE during the copy (src/snapshot/table-analyzer.ts): a table is
 * analyzed as soon as its last chunk is committed, while others are still
 * loading; a table created by the run waits for its indexes (post-data) and
 * an inheritance parent for its children, so every table ends with the
 * statistics a single ANALYZE after the copy gave; and a failing ANALYZE
 * during the copy is reported by the run, not lost.
 *
 * The copy of a table is held back by an advisory lock its `where` filter
 * takes on the source (the filter runs only during the copy: the plan checks
 * it with EXPLAIN), so the order of events is set by the test, not by timing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';

const CHILD_LOCK = 71_001;
const FAST_LOCK = 71_002;
const held = (lock: number): string => `pg_advisory_xact_lock_shared(${lock}) IS NOT NULL`;

/** Polls `check` until it holds; fails the test (without waiting for the sync) after `seconds`. */
async function until(what: string, check: () => Promise<boolean>, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('sync: ANALYZE during the copy', () => {
  let dbs: TestDatabases;
  let dir: string;
  let locks: pg.Client;

  before(async () => {
    dbs = await createTestDatabases('analyze');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-analyze-'));
    await writeFile(
      join(dir, 'pgtwin.yaml'),
      `tables:\n  filters:\n    kin_child: { where: "${held(CHILD_LOCK)}" }\n    fast: { where: "${held(FAST_LOCK)}" }\noptions:\n  jobs: 4\n`,
    );
    const existing = `CREATE TABLE kin_parent (id int PRIMARY KEY, val int);
      CREATE TABLE kin_child (note text) INHERITS (kin_parent);
      CREATE TABLE fast (id int PRIMARY KEY, val int);`;
    await dbs.source.query(existing);
    await dbs.target.query(existing);
    // Only on the source: the sync creates it, and its expression index after the copy.
    await dbs.source.query(`CREATE TABLE made (id int PRIMARY KEY, name text); CREATE INDEX made_lower_idx ON made (lower(name))`);
    await dbs.source.query(`
      INSERT INTO kin_parent SELECT g, 1 + g % 10 FROM generate_series(1, 3000) g;
      INSERT INTO kin_child SELECT 3000 + g, 11 + g % 10, 'c' FROM generate_series(1, 3000) g;
      INSERT INTO fast SELECT g, g FROM generate_series(1, 500) g;
      INSERT INTO made SELECT g, 'Name ' || (g % 7) FROM generate_series(1, 500) g;`);
    locks = new pg.Client({ connectionString: dbs.sourceUrl });
    await locks.connect();
  });
  after(async () => {
    await locks.end();
    await dbs.drop();
  });

  const lastAnalyzed = async (table: string): Promise<boolean> => {
    const r = await dbs.target.query(`SELECT last_analyze IS NOT NULL AS done FROM pg_stat_user_tables WHERE relid = $1::regclass`, [
      table,
    ]);
    return r.rows[0]?.done === true;
  };
  /** The table's chunk is committed in the running sync (false until the sync has made its state tables). */
  const committed = async (table: string): Promise<boolean> => {
    const r = await dbs.target
      .query(
        `SELECT EXISTS (SELECT 1 FROM pgtwin.run_chunks c JOIN pgtwin.runs r ON r.id = c.run_id WHERE r.status = 'running' AND c.table_name = $1) AS done`,
        [table],
      )
      .catch(() => undefined);
    return r?.rows[0]?.done === true;
  };

  it('analyzes a copied table while another is still loading, and leaves parents and created tables for the end', async () => {
    await locks.query(`SELECT pg_advisory_lock(${CHILD_LOCK}), pg_advisory_lock(${FAST_LOCK})`);
    const sync = pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes', '--json'], { cwd: dir });
    try {
      // The parent's own rows are in; its child is held back. Then fast is let go: the
      // analyzer takes tables in the order their copy ends, so once fast is analyzed,
      // the parent (done before it) has had its turn.
      await until('kin_parent copied', () => committed('public.kin_parent'));
      await until('made copied', () => committed('public.made'));
      await locks.query(`SELECT pg_advisory_unlock(${FAST_LOCK})`);
      await until('fast analyzed while kin_child is still being copied', () => lastAnalyzed('fast'));
      assert.equal(await committed('public.kin_child'), false, 'kin_child is still held back');
      assert.equal(await lastAnalyzed('kin_parent'), false, 'a parent is not analyzed while its children load');
      assert.equal(await lastAnalyzed('made'), false, 'a created table is analyzed after its indexes are built');
    } finally {
      await locks.query('SELECT pg_advisory_unlock_all()');
    }
    const result = await sync;
    assert.equal(result.code, 0, result.stderr);

    for (const table of ['kin_parent', 'kin_child', 'fast', 'made']) assert.equal(await lastAnalyzed(table), true, `${table} analyzed`);
    // The parent's statistics over the whole hierarchy include the child's values (11..20).
    const inherited = await dbs.target.query(
      `SELECT histogram_bounds::text::int[] AS bounds, most_common_vals::text::int[] AS common FROM pg_stats
        WHERE tablename = 'kin_parent' AND attname = 'val' AND inherited`,
    );
    const values = [...(inherited.rows[0]?.common ?? []), ...(inherited.rows[0]?.bounds ?? [])] as number[];
    assert.ok(
      values.some((v) => v > 10),
      `inherited statistics of kin_parent cover kin_child: ${JSON.stringify(inherited.rows)}`,
    );
    // Statistics on the expression of an index exist only if ANALYZE ran after the index was built.
    const expression = await dbs.target.query(`SELECT count(*)::int AS n FROM pg_stats WHERE tablename = 'made_lower_idx'`);
    assert.equal(expression.rows[0].n, 1, 'statistics on the index expression lower(name)');
  });

  it('reports a failing ANALYZE of a table analyzed during the copy, and --resume finishes once it is fixed', async () => {
    // Extended statistics on an expression are computed by ANALYZE only, never while rows are written.
    await dbs.target.query(`
      CREATE FUNCTION boom(int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom %', $1; END $$;
      CREATE STATISTICS fast_boom ON (boom(val)) FROM fast`);
    const failed = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes', '--tables', 'fast,made'], { cwd: dir });
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /All rows were copied, but ANALYZE of public\.fast failed: boom/);
    assert.match(failed.stderr, /next: .*--resume/);
    const run = await dbs.target.query(`SELECT status FROM pgtwin.runs ORDER BY id DESC LIMIT 1`);
    assert.equal(run.rows[0].status, 'failed');

    await dbs.target.query('DROP STATISTICS fast_boom');
    const resumed = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes', '--tables', 'fast,made', '--resume'], {
      cwd: dir,
    });
    assert.equal(resumed.code, 0, resumed.stderr);
    const count = await dbs.target.query('SELECT count(*)::int AS n FROM fast');
    assert.equal(count.rows[0].n, 500);
  });
});
