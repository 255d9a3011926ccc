/**
 * Selection edge cases: a table referenced by a source table the target does
 * not hold can be copied alone (nothing on the target would be orphaned);
 * verify accepts a subset that sync refuses, since it writes nothing; and
 * excluding one partition of a selected partitioned table, which cannot take
 * effect, is said in text and JSON.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';

describe('sync selection: referencing tables and excluded partitions', () => {
  let dbs: TestDatabases;
  const args = (...extra: string[]): string[] => ['--from', dbs.sourceUrl, '--to', dbs.targetUrl, ...extra];

  before(async () => {
    dbs = await createTestDatabases('selection_edges');
    await dbs.source.query(`
      CREATE TABLE parent (id int PRIMARY KEY);
      CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));
      INSERT INTO parent SELECT g FROM generate_series(1, 10) g;
      INSERT INTO child SELECT g, 1 + g % 10 FROM generate_series(1, 30) g;
      CREATE TABLE parted (id int, v text) PARTITION BY RANGE (id);
      CREATE TABLE parted_low PARTITION OF parted FOR VALUES FROM (0) TO (50);
      CREATE TABLE parted_high PARTITION OF parted FOR VALUES FROM (50) TO (100);
      INSERT INTO parted SELECT g, 'v' || g FROM generate_series(0, 99) g;`);
  });
  after(async () => dbs.drop());

  it('copies a referenced table alone into an empty database', async () => {
    const result = await pgtwin(['sync', ...args('--tables', 'parent', '--yes', '--json')]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await dbs.target.query('SELECT count(*)::int AS n FROM parent')).rows[0].n, 10);
    assert.equal((await dbs.target.query(`SELECT to_regclass('public.child') IS NULL AS absent`)).rows[0].absent, true);
  });

  it('refuses it once the target holds the referencing table, while verify of the same subset runs', async () => {
    const both = await pgtwin(['sync', ...args('--tables', 'parent,child', '--yes')]);
    assert.equal(both.code, 0, both.stderr);
    const refused = await pgtwin(['sync', ...args('--tables', 'parent', '--yes')]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /public\.child \(child_parent_id_fkey -> public\.parent\)/);
    const verified = await pgtwin(['verify', ...args('--tables', 'parent')]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /public\.parent\s+10 rows\s+ok/);
  });

  it('warns, in text and JSON, that an excluded partition of a selected root is copied anyway', async () => {
    const warning = /public\.parted_high is excluded, but it is a partition of public\.parted/;
    const text = await pgtwin(['sync', ...args('--tables', 'parted*', '--exclude', 'parted_high', '--yes')]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stderr, warning);
    const json = await pgtwin(['sync', ...args('--tables', 'parted*', '--exclude', 'parted_high', '--yes', '--json')]);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as { warnings: string[] };
    assert.ok(
      report.warnings.some((w) => warning.test(w)),
      json.stdout,
    );
    const plan = await pgtwin(['plan', ...args('--tables', 'parted', '--exclude', 'public.parted_low', '--json')]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.ok(
      (JSON.parse(plan.stdout) as { warnings: string[] }).warnings.some((w) => /public\.parted_low is excluded/.test(w)),
      plan.stdout,
    );
    assert.equal(
      (await dbs.target.query('SELECT count(*)::int AS n FROM parted_high')).rows[0].n,
      50,
      'the rows are copied through the root',
    );
  });
});
