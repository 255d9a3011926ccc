/**
 * Schemas nobody on the team wrote (pagila, chinook, northwind) and a fixture
 * with one of every object kind: `pgtwin sync` into an empty database gives a
 * twin whose catalog matches the source's object by object (as PostgreSQL's
 * own pg_get_*def functions print them, read by test code, not by pgtwin),
 * and `pgtwin diff` agrees, until a view is dropped on the target.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';
import { loadSample, type SampleName } from '../support/samples.js';
import { catalogDifferences, catalogObjects } from '../support/catalog-objects.js';
import { SCHEMA_KINDS_SQL, SCHEMA_KINDS_TABLES } from '../support/schema-kinds.js';
import { assertTablesEqual } from '../support/compare.js';

async function serverMajor(dbs: TestDatabases): Promise<number> {
  const r = await dbs.source.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
  return Math.floor(Number(r.rows[0]?.v ?? 0) / 10000);
}

async function assertSameCatalog(dbs: TestDatabases): Promise<number> {
  const [source, target] = await Promise.all([catalogObjects(dbs.source), catalogObjects(dbs.target)]);
  assert.deepEqual(catalogDifferences(source, target), [], 'the twin has every object of the source, defined the same way');
  return source.size;
}

for (const sample of ['pagila', 'chinook', 'northwind'] as const satisfies readonly SampleName[]) {
  describe(`pgtwin sync of the ${sample} sample database into an empty one`, () => {
    let dbs: TestDatabases;
    before(async () => {
      dbs = await createTestDatabases(`real_${sample}`);
      await loadSample(dbs.source, sample, { serverMajor: await serverMajor(dbs) });
    });
    after(async () => dbs.drop());
    const args = (...extra: string[]): string[] => ['--from', dbs.sourceUrl, '--to', dbs.targetUrl, ...extra];

    it('creates every object of the source, and diff finds no difference', async () => {
      const result = await pgtwin(['sync', ...args('--yes', '--json')]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const report = JSON.parse(result.stdout) as { complete: boolean; notCreated: unknown[] };
      assert.deepEqual(report.notCreated, []);
      assert.equal(report.complete, true);
      const objects = await assertSameCatalog(dbs);
      assert.ok(objects > 50, `${sample} has objects to compare (${objects})`);
      const diff = await pgtwin(['diff', ...args()]);
      assert.equal(diff.code, 0, diff.stdout + diff.stderr);
    });

    if (sample === 'pagila') {
      it('diff names a view dropped on the target', async () => {
        await dbs.target.query('DROP VIEW public.film_list');
        const diff = await pgtwin(['diff', ...args('--json')]);
        assert.equal(diff.code, 4, diff.stdout + diff.stderr);
        const report = JSON.parse(diff.stdout) as { differences: Array<{ kind: string; object: string }> };
        assert.deepEqual(
          report.differences.map((d) => `${d.kind} ${d.object}`),
          ['missing-object view public.film_list'],
        );
      });
    }
  });
}

describe('a schema with every object kind: pgtwin sync, then pgtwin schema', () => {
  let dbs: TestDatabases;
  let schemaOnly: TestDatabases;
  before(async () => {
    [dbs, schemaOnly] = await Promise.all([createTestDatabases('real_kinds'), createTestDatabases('real_kinds_schema')]);
    await Promise.all([dbs.source.query(SCHEMA_KINDS_SQL), schemaOnly.source.query(SCHEMA_KINDS_SQL)]);
  });
  after(async () => Promise.all([dbs.drop(), schemaOnly.drop()]));
  const args = (d: TestDatabases, ...extra: string[]): string[] => ['--from', d.sourceUrl, '--to', d.targetUrl, ...extra];

  it("sync creates every object in dependency order, copies the rows untouched by the twin's trigger, refreshes the materialized view", async () => {
    const result = await pgtwin(['sync', ...args(dbs, '--yes')]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    await assertSameCatalog(dbs);
    // bookings_touch would set updated_at to 1999-01-01 had it fired on the copied rows.
    await assertTablesEqual(dbs, SCHEMA_KINDS_TABLES);
    const refreshed = await dbs.target.query<{ n: number }>('SELECT sum(n)::int AS n FROM app.rooms_by_mood');
    assert.equal(refreshed.rows[0]?.n, 30, 'the materialized view was refreshed after the load');
    const policies = await dbs.target.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_policies WHERE tablename = 'secrets'");
    assert.equal(policies.rows[0]?.n, 2);
    const diff = await pgtwin(['diff', ...args(dbs)]);
    assert.equal(diff.code, 0, diff.stdout + diff.stderr);
  });

  it('diff reports a view in another schema dropped on the target, and a policy that differs', async () => {
    await dbs.target.query('DROP VIEW reporting.bookings_per_room');
    await dbs.target.query('ALTER POLICY own_rows ON app.secrets USING (true)');
    const diff = await pgtwin(['diff', ...args(dbs)]);
    assert.equal(diff.code, 4, diff.stdout + diff.stderr);
    assert.match(diff.stdout, /view reporting\.bookings_per_room: missing on the target/);
    assert.match(diff.stdout, /policy own_rows on app\.secrets: differs/);
  });

  it('pgtwin schema alone gives the same catalog', async () => {
    const result = await pgtwin(['schema', ...args(schemaOnly, '--yes')]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    await assertSameCatalog(schemaOnly);
  });
});
