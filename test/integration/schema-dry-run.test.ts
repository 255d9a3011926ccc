import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';
import { TEST_PASSWORD } from '../support/constants.js';
import { TYPE_MATRIX_DDL } from '../support/type-matrix.js';

describe('pgtwin schema: --dry-run, --recreate and refusals', () => {
  let dbs: TestDatabases;
  before(async () => {
    dbs = await createTestDatabases('schema_dry_run');
    await dbs.source.query(TYPE_MATRIX_DDL);
  });
  after(async () => dbs.drop());

  async function userObjectCount(): Promise<number> {
    const result = await dbs.target.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast'))
            + (SELECT count(*) FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public') AND nspname NOT LIKE 'pg\\_%')
            + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public') AS n`,
    );
    return Number(result.rows[0]?.n);
  }

  it('--dry-run prints the DDL in an order that works and writes nothing', async () => {
    const before = await userObjectCount();
    const result = await pgtwin(['schema', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--dry-run']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await userObjectCount(), before, 'nothing was written');
    assert.equal(before, 0);
    const sql = result.stdout;
    const at = (fragment: string): number => {
      const i = sql.indexOf(fragment);
      assert.ok(i >= 0, `the DDL contains ${fragment}`);
      return i;
    };
    const order = [
      'CREATE SCHEMA IF NOT EXISTS "Sales Data"',
      `CREATE TYPE "public"."mood" AS ENUM ('sad', 'ok', 'happy', 'it''s complicated')`,
      'CREATE DOMAIN "public"."positive_int" AS integer',
      'CREATE TYPE "public"."address" AS ("street" text, "zip" text, "tags" text[])',
      'CREATE SEQUENCE "public"."empty_table_id_seq"',
      'CREATE TABLE "public"."events" (',
      'CREATE TABLE "public"."events_2024" PARTITION OF "public"."events" FOR VALUES FROM',
      'CREATE TABLE "public"."events_default" PARTITION OF "public"."events" DEFAULT',
      'ALTER SEQUENCE "public"."empty_table_id_seq" OWNED BY "public"."empty_table"."id"',
      '-- post-data',
      'ALTER TABLE "public"."events" ADD CONSTRAINT "events_pkey" PRIMARY KEY (id, at)',
      'ADD CONSTRAINT "warehouses_main_bin_fkey" FOREIGN KEY (main_bin) REFERENCES inventory.bins(id)',
    ];
    const positions = order.map(at);
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
      'in dependency order',
    );
    assert.ok(at('CREATE TYPE "public"."mood"') < at('CREATE TABLE "public"."everything"'));
    assert.ok(at(`ADD CONSTRAINT "Customers_pkey"`) < at('"Customers_referrer_fkey"'), 'keys before the foreign keys that need them');
    assert.match(sql, /"id" integer GENERATED ALWAYS AS IDENTITY \(SEQUENCE NAME "public"\."everything_id_seq" /);
    assert.match(sql, /"doubled" integer GENERATED ALWAYS AS \(\("with space" \* 2\)\) STORED/);
    assert.ok(!sql.includes('events_2024_pkey'), "partitions' keys come with the parent's");
    assert.ok(!sql.includes(TEST_PASSWORD));
  });

  it('--dry-run --json gives the same statements, split into pre-data and post-data', async () => {
    const result = await pgtwin([
      'schema',
      '--from',
      dbs.sourceUrl,
      '--to',
      dbs.targetUrl,
      '--dry-run',
      '--json',
      '--tables',
      'inventory.*',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const plan = JSON.parse(result.stdout) as {
      dryRun: boolean;
      preData: Array<{ kind: string; object: string }>;
      postData: Array<{ kind: string; object: string }>;
    };
    assert.equal(plan.dryRun, true);
    assert.deepEqual(
      plan.preData.map((s) => `${s.kind} ${s.object}`),
      ['schema schema inventory', 'table table inventory.bins', 'table table inventory.warehouses'],
    );
    assert.deepEqual(
      plan.postData.map((s) => s.kind),
      ['constraint', 'constraint', 'foreign-key', 'foreign-key'],
    );
  });

  it('--recreate without --yes and without a terminal refuses (exit 5) and drops nothing', async () => {
    await dbs.target.query(
      `CREATE SCHEMA inventory; CREATE TABLE inventory.bins (id int, note text); INSERT INTO inventory.bins VALUES (1, 'keep me')`,
    );
    const result = await pgtwin(['schema', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--tables', 'inventory.*', '--recreate']);
    assert.equal(result.code, 5, result.stderr);
    assert.match(result.stderr, /no terminal to confirm/);
    assert.match(result.stderr, /table inventory\.bins/);
    assert.match(result.stderr, /\nnext: .*--yes/);
    const kept = await dbs.target.query(`SELECT note FROM inventory.bins`);
    assert.deepEqual(kept.rows, [{ note: 'keep me' }]);
    const warehouses = await dbs.target.query(`SELECT to_regclass('inventory.warehouses') IS NULL AS missing`);
    assert.equal(warehouses.rows[0].missing, true, 'nothing else was created either');
  });

  it('without --recreate an existing table is left alone; with --recreate --yes it is rebuilt from the source', async () => {
    const kept = await pgtwin(['schema', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--tables', 'inventory.*', '--json']);
    assert.equal(kept.code, 0, kept.stdout + kept.stderr);
    const columns = async (): Promise<string[]> =>
      (
        await dbs.target.query<{ attname: string }>(
          `SELECT attname FROM pg_attribute WHERE attrelid = 'inventory.bins'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
        )
      ).rows.map((r) => r.attname);
    assert.deepEqual(await columns(), ['id', 'note'], 'left alone');

    const diff = await pgtwin(['diff', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--tables', 'inventory.*']);
    assert.equal(diff.code, 4, diff.stdout);

    const rebuilt = await pgtwin([
      'schema',
      '--from',
      dbs.sourceUrl,
      '--to',
      dbs.targetUrl,
      '--tables',
      'inventory.*',
      '--recreate',
      '--yes',
    ]);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.deepEqual(await columns(), ['id', 'warehouse_id']);
    const again = await pgtwin(['diff', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--tables', 'inventory.*']);
    assert.equal(again.code, 0, again.stdout);
  });

  it('refuses a remote target and the source itself (exit 5), as sync does', async () => {
    const remote = await pgtwin([
      'schema',
      '--from',
      dbs.sourceUrl,
      '--to',
      `postgres://app:${TEST_PASSWORD}@db.example.invalid:5432/staging`,
    ]);
    assert.equal(remote.code, 5, remote.stderr);
    assert.match(remote.stderr, /not on this machine/);
    assert.ok(!remote.stderr.includes(TEST_PASSWORD));
    const same = await pgtwin(['schema', '--from', dbs.sourceUrl, '--to', dbs.sourceUrl.replace('127.0.0.1', 'localhost'), '--dry-run']);
    assert.equal(same.code, 5, same.stderr);
    assert.match(same.stderr, /is the source database itself/);
  });
});
