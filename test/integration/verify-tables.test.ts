import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';
import { readCatalog } from '../../src/catalog/read-catalog.js';
import type { TableCatalog } from '../../src/catalog/table-facts.js';
import { verifyTables } from '../../src/verify/verify-tables.js';
import type { CopiedTable } from '../../src/verify/copied-table.js';

describe('verifyTables', () => {
  let dbs: TestDatabases;
  let source: TableCatalog;
  let target: TableCatalog;
  const table = (key: string, extra: Partial<CopiedTable> = {}): CopiedTable => {
    const s = source.tables.get(key);
    assert.ok(s !== undefined, key);
    return { key, source: s, target: target.tables.get(key) ?? s, columns: s.columns.map((c) => c.name), maskedColumns: [], ...extra };
  };
  const verify = (tables: CopiedTable[]) => verifyTables({ source: dbs.source, target: dbs.target, tables });

  before(async () => {
    dbs = await createTestDatabases('verify_tables');
    await onBoth(
      dbs,
      `CREATE TABLE items (id int PRIMARY KEY, name text, secret text, at timestamptz);
       CREATE TABLE events (id int PRIMARY KEY, kind text);
       CREATE TABLE parent (id int);
       CREATE TABLE child (extra text) INHERITS (parent);
       CREATE TABLE parted (id int, v text) PARTITION BY RANGE (id);
       CREATE TABLE parted_low PARTITION OF parted FOR VALUES FROM (0) TO (50);
       CREATE TABLE parted_high PARTITION OF parted FOR VALUES FROM (50) TO (100);`,
    );
    await dbs.source.query(`CREATE TABLE only_on_source (id int)`);
    await dbs.source.query(`INSERT INTO only_on_source VALUES (1), (2)`);
    await dbs.source.query(
      `INSERT INTO items SELECT g, 'item ' || g, 'secret ' || g, timestamptz '2024-05-01 12:00+02' + g * interval '1 hour' FROM generate_series(1, 100) g`,
    );
    // The target's session runs in another time zone: the checksum must not care.
    await dbs.target.query(`SET TimeZone = 'America/New_York'`);
    await dbs.target.query(
      `INSERT INTO items SELECT g, 'item ' || g, 'masked', timestamptz '2024-05-01 12:00+02' + g * interval '1 hour' FROM generate_series(1, 100) g`,
    );
    await dbs.source.query(`INSERT INTO events SELECT g, 'k' || g FROM generate_series(1, 50) g`);
    await dbs.target.query(`INSERT INTO events SELECT g, 'k' || g FROM generate_series(1, 20) g`);
    await onBoth(
      dbs,
      `INSERT INTO parent VALUES (1), (2), (3); INSERT INTO child VALUES (4, 'a'), (5, 'b'); INSERT INTO parted SELECT g, 'v' || g FROM generate_series(0, 99) g`,
    );
    [source, target] = await Promise.all([readCatalog(dbs.source, 'tables'), readCatalog(dbs.target, 'tables')]);
  });
  after(async () => dbs.drop());

  it('matches a copy whose masked columns differ, and follows the sync filters and table kinds', async () => {
    const result = await verify([
      table('public.items', { maskedColumns: ['secret'] }),
      table('public.events', { where: 'id <= 20' }),
      table('public.parent'),
      table('public.child'),
      table('public.parted'),
    ]);
    assert.equal(result.mismatches, 0, JSON.stringify(result.tables));
    const items = result.tables.find((t) => t.table === 'public.items');
    assert.deepEqual(items, {
      table: 'public.items',
      status: 'match',
      sourceRows: 100,
      targetRows: 100,
      comparedColumns: ['id', 'name', 'at'],
      checksumCompared: true,
    });
    assert.deepEqual(
      result.tables.map((t) => [t.table, t.targetRows]),
      [
        ['public.items', 100],
        ['public.events', 20],
        ['public.parent', 3],
        ['public.child', 2],
        ['public.parted', 100],
      ],
    );
  });

  it('compares only the count of a table copied with a limit', async () => {
    const result = await verify([table('public.events', { limit: 20 })]);
    assert.deepEqual(result.tables[0], {
      table: 'public.events',
      status: 'match',
      sourceRows: 20,
      targetRows: 20,
      comparedColumns: ['id', 'kind'],
      checksumCompared: false,
    });
    const short = await verify([table('public.events', { limit: 30 })]);
    assert.equal(short.tables[0]?.status, 'row-count-differs');
  });

  it('reports missing rows, changed values and missing tables', async () => {
    await dbs.target.query(`UPDATE items SET name = 'changed' WHERE id = 5`);
    const changed = await verify([
      table('public.items', { maskedColumns: ['secret'] }),
      table('public.events'),
      table('public.only_on_source'),
    ]);
    assert.deepEqual(
      changed.tables.map((t) => [t.table, t.status, t.sourceRows, t.targetRows]),
      [
        ['public.items', 'checksum-differs', 100, 100],
        ['public.events', 'row-count-differs', 50, 20],
        ['public.only_on_source', 'missing-on-target', 2, 0],
      ],
    );
    assert.equal(changed.mismatches, 3);
    const maskedOnly = await verify([table('public.items', { maskedColumns: ['secret', 'name'] })]);
    assert.equal(maskedOnly.tables[0]?.status, 'match', 'a masked column is not compared');
  });
});
