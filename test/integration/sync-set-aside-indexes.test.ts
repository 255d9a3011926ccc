/**
 * Keys and indexes of twin tables loaded again (src/snapshot/set-aside-indexes.ts):
 * dropped for the load and recorded, built again on the rows exactly as they
 * were (constraints, unique and expression indexes, replica identity, CLUSTER
 * mark, comments, statistics targets); kept where something depends on them or
 * the table is small; rebuilt by the next run after an interrupted one; and a
 * unique index the copied rows break is reported and left pending, rows in.
 *
 * The copy is held back by an advisory lock its `where` filter takes on the
 * source, so the test looks at the target mid-load without depending on timing.
 * The source tables pass the size threshold with few rows: padded rows are
 * inserted and deleted, which leaves the relation's size behind.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';

const LOAD_LOCK = 71_101;
const held = `pg_advisory_xact_lock_shared(${LOAD_LOCK}) IS NOT NULL`;

async function until(what: string, check: () => Promise<boolean>, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const TABLES = `
  CREATE TABLE people (id bigint PRIMARY KEY, email text NOT NULL, name text, code text NOT NULL, pad text,
                       CONSTRAINT people_email_key UNIQUE (email));
  CREATE UNIQUE INDEX people_code_key ON people (code);
  CREATE INDEX people_lower_name ON people (lower(name)) WITH (fillfactor = 70);
  CREATE TABLE grouped (id int PRIMARY KEY, name text, pad text);
  CREATE INDEX grouped_name_idx ON grouped (name);
  CREATE TABLE small (id int PRIMARY KEY, name text);`;

/** Rows that are kept, and enough padded rows deleted to pass 8 MB on disk. */
const SOURCE_ROWS = `
  INSERT INTO people SELECT g, 'p' || g || '@example.com', 'Name ' || g, 'c' || g, repeat('x', 1000) FROM generate_series(1, 9000) g;
  DELETE FROM people WHERE id > 300;
  UPDATE people SET pad = NULL;
  INSERT INTO grouped SELECT g, 'Name ' || (g % 10), repeat('y', 1000) FROM generate_series(1, 9000) g;
  DELETE FROM grouped WHERE id > 200;
  INSERT INTO small SELECT g, 'n' || g FROM generate_series(1, 50) g;`;

/** What the twin's indexes look like, to compare before and after a run. */
const INDEX_FACTS = `
  SELECT c.relname AS table_name, ic.relname AS index_name, pg_get_indexdef(i.indexrelid) AS definition,
         con.conname, pg_get_constraintdef(con.oid) AS constraint_definition,
         obj_description(i.indexrelid, 'pg_class') AS index_comment, obj_description(con.oid, 'pg_constraint') AS constraint_comment,
         i.indisreplident, i.indisclustered, c.relreplident::text,
         (SELECT array_agg(coalesce(a.attstattarget::int, -1) ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = i.indexrelid) AS stats
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
    LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = c.oid
   WHERE c.relname IN ('people', 'grouped', 'small') AND c.relnamespace = 'public'::regnamespace
   ORDER BY 1, 2`;

describe('sync: keys and indexes set aside while a twin table is loaded again', () => {
  let dbs: TestDatabases;
  let dir: string;
  let locks: pg.Client;
  let before_: unknown[];

  const sync = (extra: string[] = [], signal?: AbortSignal) =>
    pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes', '--tables', 'people,grouped,small', ...extra], {
      cwd: dir,
      ...(signal === undefined ? {} : { signal }),
    });
  const pending = async (): Promise<string[]> => {
    const r = await dbs.target.query('SELECT index_name FROM pgtwin.pending_indexes ORDER BY 1').catch(() => undefined);
    return (r?.rows ?? []).map((row: { index_name: string }) => row.index_name);
  };
  const targetIndexes = async (): Promise<string[]> =>
    (await dbs.target.query(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`)).rows.map(
      (r: { indexname: string }) => r.indexname,
    );

  before(async () => {
    dbs = await createTestDatabases('setaside');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-setaside-'));
    await writeFile(
      join(dir, 'pgtwin.yaml'),
      `tables:\n  filters:\n    people: { where: "${held}" }\n    grouped: { where: "${held}" }\noptions:\n  jobs: 3\n`,
    );
    await dbs.source.query(TABLES);
    await dbs.source.query(SOURCE_ROWS);
    await dbs.target.query(TABLES);
    await dbs.target.query(`
      COMMENT ON CONSTRAINT people_email_key ON people IS 'one account per address';
      COMMENT ON INDEX people_lower_name IS 'case-blind search';
      ALTER INDEX people_lower_name ALTER COLUMN 1 SET STATISTICS 500;
      ALTER TABLE people REPLICA IDENTITY USING INDEX people_code_key;
      ALTER TABLE people CLUSTER ON people_lower_name;
      -- Grouping by the key makes the view depend on the primary key: it must stay.
      CREATE VIEW grouped_names AS SELECT id, name FROM grouped GROUP BY id;
      INSERT INTO people VALUES (1, 'old@example.com', 'Old', 'old', NULL);`);
    before_ = (await dbs.target.query(INDEX_FACTS)).rows;
    locks = new pg.Client({ connectionString: dbs.sourceUrl });
    await locks.connect();
  });
  after(async () => {
    await locks.end();
    await dbs.drop();
  });

  it('drops them for the load, keeps those something depends on and those of small tables, and builds them again as they were', async () => {
    await locks.query(`SELECT pg_advisory_lock(${LOAD_LOCK})`);
    let run: ReturnType<typeof sync>;
    try {
      run = sync();
      await until('indexes set aside', async () => (await pending()).length > 0);
      assert.deepEqual(await pending(), ['grouped_name_idx', 'people_code_key', 'people_email_key', 'people_lower_name', 'people_pkey']);
      // The view on grouped depends on its key; small is under the size threshold.
      assert.deepEqual(await targetIndexes(), ['grouped_pkey', 'small_pkey']);
    } finally {
      await locks.query(`SELECT pg_advisory_unlock(${LOAD_LOCK})`);
    }
    const result = await run;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /5 indexes \(keys included\) of 2 tables set aside for the load/);
    assert.deepEqual(await pending(), []);
    assert.deepEqual((await dbs.target.query(INDEX_FACTS)).rows, before_);
    const rows = await dbs.target.query('SELECT count(*)::int AS n, count(DISTINCT email)::int AS emails FROM people');
    assert.deepEqual(rows.rows[0], { n: 300, emails: 300 });
  });

  it('leaves them recorded when the run is stopped mid-load, and the next run builds them', async () => {
    await locks.query(`SELECT pg_advisory_lock(${LOAD_LOCK})`);
    const stop = new AbortController();
    try {
      const run = sync([], stop.signal);
      await until('indexes set aside', async () => (await pending()).length === 5);
      stop.abort();
      const stopped = await run;
      assert.equal(stopped.code, 130, stopped.stderr);
      assert.match(stopped.stderr, /5 keys and indexes are set aside until the next run builds them \(kept in pgtwin.pending_indexes\)/);
    } finally {
      await locks.query(`SELECT pg_advisory_unlock(${LOAD_LOCK})`);
    }
    assert.equal((await pending()).length, 5, 'the records outlive the stopped run');
    assert.deepEqual(await targetIndexes(), ['grouped_pkey', 'small_pkey']);

    // A new run (not --resume): the pending indexes are not planned as missing schema, and come back as they were.
    const again = await sync();
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await pending(), []);
    assert.deepEqual((await dbs.target.query(INDEX_FACTS)).rows, before_);
  });

  it('reports a unique index the copied rows break, keeps it pending with the rows in, and builds it once they hold', async () => {
    // Only the twin says names are unique; the source has each name ten times.
    await dbs.target.query('TRUNCATE grouped; CREATE UNIQUE INDEX grouped_name_unique ON grouped (name)');
    const failed = await sync();
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /All rows were copied, but 1 key or index set aside for the load does not hold/);
    assert.match(failed.stderr, /grouped_name_unique: could not create unique index .*: the copied rows hold duplicate values/);
    assert.doesNotMatch(failed.stderr, /Name 1\b/, 'no value of the twin in the message');
    assert.deepEqual(await pending(), ['grouped_name_unique']);
    const rows = await dbs.target.query('SELECT count(*)::int AS n FROM grouped');
    assert.equal(rows.rows[0].n, 200, 'the rows are in');

    await dbs.source.query("UPDATE grouped SET name = 'Name ' || id");
    const fixed = await sync();
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.deepEqual(await pending(), []);
    assert.ok((await targetIndexes()).includes('grouped_name_unique'));
  });
});
