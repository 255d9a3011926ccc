/**
 * The first use of pgtwin: a production URL and an empty target. sync creates
 * every selected table from the source's catalog (keys, indexes and foreign
 * keys after the load), then `pgtwin diff` finds no difference; and without
 * --to, the twin is the embedded `local` server, started on demand.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';
import { assertTablesEqual } from '../support/compare.js';
import { TYPE_MATRIX_DATA, TYPE_MATRIX_DDL, TYPE_MATRIX_TABLES } from '../support/type-matrix.js';
import { freePort } from '../../src/pg/embedded-server.js';

const SECRET = '9c1e5a7b3d2f4e6a8b0c1d3e5f7a9b2c4d6e8f0a1b3c5d7e9f2a4b6c8d0e1f3a';

describe('pgtwin sync into an empty database', () => {
  let dbs: TestDatabases;
  before(async () => {
    dbs = await createTestDatabases('sync_creates');
    await dbs.source.query(TYPE_MATRIX_DDL);
    await dbs.source.query(TYPE_MATRIX_DATA);
  });
  after(async () => dbs.drop());
  const args = (...extra: string[]): string[] => ['--from', dbs.sourceUrl, '--to', dbs.targetUrl, ...extra];

  it('plan says which tables it would create, and writes nothing', async () => {
    const result = await pgtwin(['plan', ...args()]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`${TYPE_MATRIX_TABLES.length} tables would be created from the source's catalog`));
    const tables = await dbs.target.query(
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
    );
    assert.equal(tables.rows[0].n, 0);
  });

  it('creates the schema, loads identical data, and diff finds no difference', async () => {
    const result = await pgtwin(['sync', ...args('--yes', '--json')]);
    assert.equal(result.code, 0, result.stderr);
    await assertTablesEqual(dbs, TYPE_MATRIX_TABLES);
    const invalid = await dbs.target.query(`SELECT count(*)::int AS n FROM pg_constraint WHERE NOT convalidated`);
    assert.equal(invalid.rows[0].n, 0, 'every constraint valid');
    const fks = async (client: pg.Client): Promise<number> =>
      (
        await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND conparentid = 0 AND conrelid::regclass::text NOT LIKE 'pgtwin.%'`,
        )
      ).rows[0]?.n ?? -1;
    assert.equal(await fks(dbs.target), await fks(dbs.source));
    const diff = await pgtwin(['diff', ...args()]);
    assert.equal(diff.code, 0, diff.stdout + diff.stderr);
  });

  it('a second sync creates nothing and still matches', async () => {
    const plan = await pgtwin(['plan', ...args('--json')]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.equal((JSON.parse(plan.stdout) as { schema: unknown }).schema, null);
    const result = await pgtwin(['sync', ...args('--yes')]);
    assert.equal(result.code, 0, result.stderr);
    await assertTablesEqual(dbs, TYPE_MATRIX_TABLES);
  });

  it('--recreate rebuilds a table that drifted (after asking), then diff is clean', async () => {
    const table = TYPE_MATRIX_TABLES[0] ?? '';
    const [schema, name] = table.split('.') as [string, string];
    await dbs.target.query(`ALTER TABLE ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(name)} ADD COLUMN drift_only_here int`);
    assert.equal((await pgtwin(['diff', ...args()])).code, 4);
    const refused = await pgtwin(['sync', ...args('--recreate', '--tables', table)]);
    assert.equal(refused.code, 5, refused.stderr);
    const result = await pgtwin(['sync', ...args('--recreate', '--yes', '--cascade', '--tables', table)]);
    assert.equal(result.code, 0, result.stderr);
    const diff = await pgtwin(['diff', ...args()]);
    assert.equal(diff.code, 0, diff.stdout + diff.stderr);
    await assertTablesEqual(dbs, TYPE_MATRIX_TABLES);
  });
});

describe('pgtwin sync without a target: the embedded local server', () => {
  let dbs: TestDatabases;
  let dir: string;
  before(async () => {
    dbs = await createTestDatabases('sync_local');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-sync-local-'));
    await writeFile(
      join(dir, 'pgtwin.yaml'),
      `environments:\n  local: { embedded: true, port: ${await freePort()} }\nanonymize:\n  people:\n    email: email\n`,
    );
    await dbs.source.query(`CREATE TABLE people (id int PRIMARY KEY, email text UNIQUE NOT NULL, city text);
      INSERT INTO people SELECT g, 'p' || g || '@source.example', 'City ' || (g % 7) FROM generate_series(1, 300) g`);
  });
  after(async () => {
    await pgtwin(['local', 'destroy', '--yes'], { cwd: dir });
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts the local server, creates the table, masks, and leaves the server running', async () => {
    const result = await pgtwin(['sync', '--from', dbs.sourceUrl, '--yes'], { cwd: dir, env: { PGTWIN_SECRET: SECRET } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /starting the local server/);
    const url = (await pgtwin(['local', 'url'], { cwd: dir })).stdout.trim();
    const client = new pg.Client({ connectionString: url.replace(/\/postgres$/, '/postgres') });
    await client.connect();
    try {
      const rows = await client.query<{ n: number; leaked: number; cities: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE email LIKE '%@source.example')::int AS leaked, count(DISTINCT city)::int AS cities FROM people`,
      );
      assert.deepEqual(rows.rows[0], { n: 300, leaked: 0, cities: 7 });
      const pk = await client.query(
        `SELECT count(*)::int AS n FROM pg_constraint WHERE conrelid = 'people'::regclass AND contype IN ('p', 'u')`,
      );
      assert.equal(pk.rows[0].n, 2, 'primary key and unique constraint built after the load');
    } finally {
      await client.end();
    }
    const status = await pgtwin(['local', 'status'], { cwd: dir });
    assert.match(status.stdout, /running/);
    assert.ok(!result.stderr.includes(url.split('@')[0] ?? 'x'), 'the password is not printed');
  });
});
