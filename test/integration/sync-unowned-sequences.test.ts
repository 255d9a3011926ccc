/**
 * A sequence that no column owns or draws from (an application's invoice
 * counter) still carries state: sync sets it to the source's value when it is
 * in the schema of a selected table; one the target lacks is created by the
 * schema step first. Sequences of other schemas are left alone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';

describe('sync of sequences that no column owns', () => {
  let dbs: TestDatabases;
  const args = (...extra: string[]): string[] => ['--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--tables', 'public.invoices', ...extra];

  before(async () => {
    dbs = await createTestDatabases('unowned_sequences');
    await onBoth(
      dbs,
      `CREATE TABLE invoices (id int PRIMARY KEY, number bigint); CREATE SEQUENCE invoice_no; CREATE SEQUENCE never_used; CREATE SCHEMA other; CREATE SEQUENCE other.counter`,
    );
    await dbs.source.query(`CREATE SEQUENCE only_on_source; SELECT setval('only_on_source', 77)`);
    await dbs.source.query(
      `SELECT setval('invoice_no', 1234); SELECT setval('other.counter', 99); INSERT INTO invoices SELECT g, nextval('invoice_no') FROM generate_series(1, 3) g`,
    );
    await dbs.target.query(`SELECT setval('never_used', 50)`);
  });
  after(async () => dbs.drop());

  it('plan lists them; sync creates the one the target lacks, sets them all and leaves other schemas alone', async () => {
    const plan = await pgtwin(['plan', ...args()]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(
      plan.stdout,
      /3 sequences set to the source's values \(3 of them owned by no column: public\.invoice_no, public\.never_used, public\.only_on_source\)\./,
    );
    const result = await pgtwin(['sync', ...args('--yes', '--json')]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { sequences: number; warnings: string[] };
    assert.equal(report.sequences, 3);
    assert.ok(!report.warnings.some((w) => /only_on_source/.test(w)), result.stdout);
    const values = await dbs.target.query(
      `SELECT nextval('invoice_no')::int AS invoice, nextval('never_used')::int AS never, nextval('other.counter')::int AS other, nextval('only_on_source')::int AS created`,
    );
    assert.deepEqual(values.rows[0], { invoice: 1238, never: 1, other: 1, created: 78 });
  });
});
