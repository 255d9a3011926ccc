import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';
import { assertTablesEqual } from '../support/compare.js';
import { TYPE_MATRIX_DATA, TYPE_MATRIX_DDL, TYPE_MATRIX_TABLES } from '../support/type-matrix.js';

describe('pgtwin sync: every type and table shape', () => {
  let dbs: TestDatabases;
  before(async () => {
    dbs = await createTestDatabases('types');
    await onBoth(dbs, TYPE_MATRIX_DDL);
    await dbs.source.query(TYPE_MATRIX_DATA);
  });
  after(async () => dbs.drop());

  it('copies row for row (count + checksum per table), twice in a row', async () => {
    for (let round = 0; round < 2; round++) {
      const result = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes', '--json', '--jobs', '3']);
      assert.equal(result.code, 0, result.stderr);
      const report = JSON.parse(result.stdout) as { tables: Array<{ table: string; rows: number }> };
      assert.deepEqual(report.tables.map((t) => t.table).sort(), [...TYPE_MATRIX_TABLES].sort());
      await assertTablesEqual(dbs, TYPE_MATRIX_TABLES);
    }
  });

  it('keeps every foreign key, valid, and the children with their parents', async () => {
    const fks = await dbs.target.query<{ conname: string; convalidated: boolean }>(
      `SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f' AND conparentid = 0 AND connamespace <> 'pgtwin'::regnamespace ORDER BY conname`,
    );
    assert.deepEqual(
      fks.rows.map((r) => r.conname),
      ['Customers_referrer_fkey', 'bins_warehouse_id_fkey', 'events_customer_id_fkey', 'warehouses_main_bin_fkey'],
    );
    assert.ok(fks.rows.every((r) => r.convalidated));
    const orphans = await dbs.target.query(
      `SELECT count(*)::int AS n FROM inventory.bins b LEFT JOIN inventory.warehouses w ON w.id = b.warehouse_id WHERE w.id IS NULL`,
    );
    assert.equal(orphans.rows[0].n, 0);
    const counts = await dbs.target.query(
      `SELECT (SELECT count(*) FROM inventory.bins)::int AS bins, (SELECT count(*) FROM "Sales Data"."Customers")::int AS customers`,
    );
    assert.deepEqual(counts.rows[0], { bins: 200, customers: 302 });
  });

  it('routes partitioned rows into the partitions and recomputes generated columns', async () => {
    const parts = await dbs.target.query(
      `SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM public.events GROUP BY 1 ORDER BY 1`,
    );
    const sourceParts = await dbs.source.query(
      `SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM public.events GROUP BY 1 ORDER BY 1`,
    );
    assert.deepEqual(parts.rows, sourceParts.rows);
    const generated = await dbs.target.query(
      `SELECT count(*)::int AS n FROM public.everything WHERE doubled IS DISTINCT FROM "with space" * 2`,
    );
    assert.equal(generated.rows[0].n, 0);
  });

  it('ends identity columns and sequences at the source values', async () => {
    for (const [sql, expected] of [
      [`SELECT last_value::int AS v FROM public.everything_id_seq`, 2003],
      [`SELECT last_value::int AS v FROM public.empty_table_id_seq`, 77],
      [`SELECT last_value::int AS v FROM "Sales Data"."Customers_CustomerID_seq"`, 300],
    ] as const) {
      const row = await dbs.target.query(sql);
      assert.equal(row.rows[0].v, expected, sql);
    }
    const inserted = await dbs.target.query(`INSERT INTO public.everything (txt) VALUES ('new') RETURNING id`);
    assert.equal(inserted.rows[0].id, 2004);
  });

  it('analyzes the loaded tables', async () => {
    const stats = await dbs.target.query(`SELECT count(*)::int AS n FROM pg_stats WHERE schemaname = 'inventory' AND tablename = 'bins'`);
    assert.ok(stats.rows[0].n > 0);
  });
});
