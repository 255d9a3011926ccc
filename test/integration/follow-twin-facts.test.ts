/**
 * readTwinFacts against a real catalog: which tables must update row by row
 * (a unique index besides the key, checked immediately, on the table or any
 * of its partitions; an exclusion constraint), which tables a foreign key
 * links (partitions counted as their root), and column types without their
 * modifier.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { readTwinFacts } from '../../src/apply/twin-facts.js';
import type { TablePlan } from '../../src/plan/plan.js';

const DDL = `
  CREATE TABLE plain (id int PRIMARY KEY, v varchar(20), n numeric(10,2), c char(4), b bit(3), a int[]);
  CREATE TABLE uniq (id int PRIMARY KEY, email text UNIQUE);
  CREATE TABLE deferred (id int PRIMARY KEY, email text UNIQUE DEFERRABLE);
  CREATE TABLE expr (id int PRIMARY KEY, email text);
  CREATE UNIQUE INDEX ON expr (lower(email));
  CREATE TABLE booking (id int PRIMARY KEY, room int, EXCLUDE USING btree (room WITH =));
  CREATE TABLE parted (id int, k int, PRIMARY KEY (id, k)) PARTITION BY LIST (k);
  CREATE TABLE parted_1 PARTITION OF parted FOR VALUES IN (1);
  CREATE TABLE parted_2 PARTITION OF parted FOR VALUES IN (2);
  CREATE UNIQUE INDEX ON parted_2 (id);
  CREATE TABLE owner (id int PRIMARY KEY);
  CREATE TABLE pet (id int PRIMARY KEY, owner_id int REFERENCES owner);
  CREATE TABLE toy (id int PRIMARY KEY, pet_id int REFERENCES pet);
  CREATE TABLE stamp (id int, k int, owner_id int REFERENCES owner, PRIMARY KEY (id, k)) PARTITION BY LIST (k);
  CREATE TABLE stamp_1 PARTITION OF stamp FOR VALUES IN (1);
  CREATE TABLE lone (id int PRIMARY KEY);`;

const plan = (name: string): TablePlan =>
  ({ key: `public.${name}`, target: { schema: 'public', name, primaryKey: ['id'] } }) as unknown as TablePlan;

describe('readTwinFacts', () => {
  let dbs: TestDatabases;
  before(async () => {
    dbs = await createTestDatabases('twin_facts');
    await dbs.target.query(DDL);
  });
  after(async () => dbs.drop());

  it('reads types, row-ordered tables and foreign-key groups from the twin catalog', async () => {
    const names = ['plain', 'uniq', 'deferred', 'expr', 'booking', 'parted', 'owner', 'pet', 'toy', 'stamp', 'lone', 'absent'];
    const facts = await readTwinFacts(dbs.target, names.map(plan));
    // Without a modifier, and never a name that implies one (bare `character` or `bit` would mean length 1).
    assert.deepEqual(Object.fromEntries(facts.columnTypes.get('public.plain') ?? []), {
      id: 'integer',
      v: 'character varying',
      n: 'numeric',
      c: 'bpchar',
      b: '"bit"',
      a: 'integer[]',
    });
    assert.deepEqual([...facts.rowOrderedUpdates].sort(), [
      'public.absent',
      'public.booking',
      'public.expr',
      'public.parted',
      'public.uniq',
    ]);
    const group = (name: string): string | undefined => facts.orderGroup.get(`public.${name}`);
    assert.equal(group('pet'), group('owner'));
    assert.equal(group('toy'), group('owner'));
    assert.equal(group('stamp'), group('owner'), 'a partitioned table joins through its root');
    assert.notEqual(group('lone'), group('owner'));
    assert.equal(group('lone'), 'public.lone');
  });
});
