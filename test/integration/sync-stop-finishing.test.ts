/**
 * A stop that arrives after the copy, during the finishing steps (here: the
 * foreign key of a created table, held up by a lock on the table it
 * references), ends the run at a step boundary with exit 130, says what is
 * done and what is left, and `--resume` does only what is left: it creates
 * no key or index twice. SIGTERM delivered more than once (a process-group
 * kill under `timeout`) is one stop request, not "exit at once": the stop is
 * as clean as for one.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin, spawnPgtwin, type SpawnedCli } from '../support/cli.js';
import { assertTablesEqual } from '../support/compare.js';

describe('sync: a stop during the finishing steps', () => {
  let dbs: TestDatabases;
  let locker: pg.Client;
  const args = (...extra: string[]): string[] => ['--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--tables', 'parent,child', ...extra];

  before(async () => {
    dbs = await createTestDatabases('stop_finishing');
    const ref = `CREATE TABLE ref (id int PRIMARY KEY); INSERT INTO ref SELECT g FROM generate_series(1, 5) g`;
    await dbs.source.query(ref);
    await dbs.target.query(ref);
    await dbs.source.query(`
      CREATE TABLE parent (id serial PRIMARY KEY, name text);
      CREATE TABLE child (id serial PRIMARY KEY, parent_id int REFERENCES parent (id), ref_id int REFERENCES ref (id));
      CREATE INDEX child_parent_idx ON child (parent_id);
      INSERT INTO parent (name) SELECT 'p' || g FROM generate_series(1, 200) g;
      INSERT INTO child (parent_id, ref_id) SELECT 1 + g % 200, 1 + g % 5 FROM generate_series(1, 1000) g;`);
    locker = new pg.Client({ connectionString: dbs.targetUrl });
    await locker.connect();
  });
  after(async () => {
    await locker.end();
    await dbs.drop();
  });

  /** Holds `ref` so that adding child's foreign key to it waits; resolves once the sync waits on it. */
  const blockFinishing = async (): Promise<void> => {
    await locker.query('BEGIN; LOCK TABLE ref IN EXCLUSIVE MODE');
  };
  const waitUntilBlocked = async (child: SpawnedCli): Promise<void> => {
    let exited = false;
    void child.done.then(() => (exited = true));
    for (;;) {
      assert.equal(exited, false, 'the sync ended before it reached the finishing steps');
      const waiting = await dbs.target.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%REFERENCES%ref%'`,
      );
      if (waiting.rows[0].n > 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const expectCleanStop = async (child: SpawnedCli): Promise<void> => {
    await locker.query('COMMIT');
    const result = await child.done;
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, /pgtwin: error: The sync was interrupted after every row was copied; the twin is not finished yet\./);
    assert.match(result.stderr, /- done: rows copied, foreign keys restored/);
    assert.match(result.stderr, /- left: .*sequences set, tables analyzed/);
    assert.match(result.stderr, /next: Run the same command with --resume/);
    assert.doesNotMatch(result.stderr, /exiting at once/);
    const run = await dbs.target.query(`SELECT status FROM pgtwin.runs ORDER BY id DESC LIMIT 1`);
    assert.equal(run.rows[0].status, 'interrupted');
  };
  const expectResumeCompletes = async (): Promise<void> => {
    const resumed = await pgtwin(['sync', ...args('--resume', '--json')]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const constraints = await dbs.target.query(
      `SELECT conname FROM pg_constraint WHERE contype IN ('p', 'f') AND conrelid IN ('parent'::regclass, 'child'::regclass) ORDER BY conname`,
    );
    assert.deepEqual(
      constraints.rows.map((r) => r.conname),
      ['child_parent_id_fkey', 'child_pkey', 'child_ref_id_fkey', 'parent_pkey'],
    );
    assert.equal((await dbs.target.query(`SELECT to_regclass('child_parent_idx') IS NOT NULL AS ok`)).rows[0].ok, true);
    const next = await dbs.target.query(`SELECT nextval('parent_id_seq')::int AS n`);
    assert.equal(next.rows[0].n, 201, 'sequences were set by the resume');
    const run = await dbs.target.query(`SELECT status FROM pgtwin.runs ORDER BY id DESC LIMIT 1`);
    assert.equal(run.rows[0].status, 'succeeded');
    await assertTablesEqual(dbs, ['public.parent', 'public.child']);
  };

  it('SIGINT after the copy stops between steps with exit 130, and --resume finishes without creating anything twice', async () => {
    await blockFinishing();
    const child = spawnPgtwin(['sync', ...args('--yes')]);
    await waitUntilBlocked(child);
    child.kill('SIGINT');
    await expectCleanStop(child);
    await expectResumeCompletes();
  });

  it('repeated SIGTERMs (a process-group kill) are one stop request: the same clean stop, then --resume finishes', async () => {
    await dbs.target.query('DROP TABLE child, parent');
    await blockFinishing();
    const child = spawnPgtwin(['sync', ...args('--yes')]);
    await waitUntilBlocked(child);
    child.kill('SIGTERM');
    child.kill('SIGTERM');
    // The kernel may merge two signals sent at once into one; a repeat after
    // the stop has visibly begun is surely a second delivery.
    await child.waitFor(/SIGTERM received, stopping cleanly/);
    child.kill('SIGTERM');
    await expectCleanStop(child);
    await expectResumeCompletes();
  });
});
