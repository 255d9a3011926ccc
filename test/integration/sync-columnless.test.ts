/**
 * Tables with nothing to COPY: one with no column at all, one whose only
 * column the target generates. Both still hold rows, and their number is data:
 * sync copies as many rows (created on an empty target, and into existing
 * tables), and verify compares the counts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';

const SCHEMA = `CREATE TABLE nocols ();
  CREATE TABLE onlygen (g int GENERATED ALWAYS AS (7) STORED);
  CREATE TABLE genplus (id int PRIMARY KEY, twice int GENERATED ALWAYS AS (id * 2) STORED)`;

describe('sync of tables without a column to copy', () => {
  let dbs: TestDatabases;
  const count = async (client: TestDatabases['source'], table: string): Promise<number> =>
    (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n ?? -1;
  const sync = (extra: readonly string[] = []) =>
    pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes', '--json', ...extra]);
  const verify = (extra: readonly string[] = []) => pgtwin(['verify', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, ...extra]);

  before(async () => {
    dbs = await createTestDatabases('columnless');
    await dbs.source.query(SCHEMA);
    await dbs.source.query(
      `INSERT INTO nocols SELECT FROM generate_series(1, 5); INSERT INTO onlygen SELECT FROM generate_series(1, 3); INSERT INTO genplus SELECT g FROM generate_series(1, 4) g`,
    );
  });
  after(async () => dbs.drop());

  it('creates them on an empty target and copies as many rows as the source holds', async () => {
    const result = await sync();
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { tables: Array<{ table: string; rows: number }> };
    assert.deepEqual(report.tables.map((t) => [t.table, t.rows]).sort(), [
      ['public.genplus', 4],
      ['public.nocols', 5],
      ['public.onlygen', 3],
    ]);
    assert.equal(await count(dbs.target, 'nocols'), 5);
    assert.equal(await count(dbs.target, 'onlygen'), 3);
    const generated = await dbs.target.query<{ g: number }>('SELECT DISTINCT g FROM onlygen');
    assert.deepEqual(generated.rows, [{ g: 7 }], 'the target computes the generated value');
  });

  it('reloads existing tables without duplicating rows, and verify compares their counts', async () => {
    await dbs.source.query('INSERT INTO nocols DEFAULT VALUES');
    const result = await sync();
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await count(dbs.target, 'nocols'), 6);
    assert.equal(await count(dbs.target, 'onlygen'), 3);
    const same = await verify();
    assert.equal(same.code, 0, same.stdout + same.stderr);
    assert.match(same.stdout, /public\.nocols\s+6 rows/);
    await dbs.target.query('INSERT INTO nocols DEFAULT VALUES');
    const differs = await verify();
    assert.equal(differs.code, 1, differs.stdout);
    assert.match(differs.stdout, /public\.nocols\s+7 rows\s+DIFFERS: 6 rows on the source, 7 on the target/);
  });
});
