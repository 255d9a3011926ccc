import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';
import { assertTablesEqual } from '../support/compare.js';

describe('pgtwin sync: selection, filters and config files', () => {
  let dbs: TestDatabases;
  let dir: string;
  before(async () => {
    dbs = await createTestDatabases('selection');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-selection-'));
    await onBoth(
      dbs,
      `CREATE SCHEMA billing;
       CREATE TABLE public.accounts (id int PRIMARY KEY, region text NOT NULL);
       CREATE TABLE public.sessions (id int PRIMARY KEY, account_id int);
       CREATE TABLE public.access_log (id int, line text);
       CREATE TABLE public.error_log (id int, line text);
       CREATE TABLE billing.invoices (id int PRIMARY KEY, amount numeric);
       CREATE TABLE billing.invoice_log (id int);`,
    );
    await dbs.source.query(`
      INSERT INTO public.accounts SELECT g, CASE WHEN g % 3 = 0 THEN 'eu' ELSE 'us' END FROM generate_series(1, 300) g;
      INSERT INTO public.sessions SELECT g, g % 300 FROM generate_series(1, 1000) g;
      INSERT INTO public.access_log SELECT g, 'a' FROM generate_series(1, 5) g;
      INSERT INTO public.error_log SELECT g, 'e' FROM generate_series(1, 5) g;
      INSERT INTO billing.invoices SELECT g, g FROM generate_series(1, 50) g;
      INSERT INTO billing.invoice_log SELECT g FROM generate_series(1, 5) g;`);
  });
  after(async () => dbs.drop());

  const count = async (table: string): Promise<number> => Number((await dbs.target.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

  it('include and exclude globs pick the tables, qualified and bare', async () => {
    const result = await pgtwin([
      'sync',
      '--from',
      dbs.sourceUrl,
      '--to',
      dbs.targetUrl,
      '--tables',
      'public.*,billing.invoices',
      '--exclude',
      '*_log',
      '--yes',
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const tables = (JSON.parse(result.stdout) as { tables: Array<{ table: string }> }).tables.map((t) => t.table).sort();
    assert.deepEqual(tables, ['billing.invoices', 'public.accounts', 'public.sessions']);
    assert.equal(await count('public.access_log'), 0);
    assert.equal(await count('billing.invoice_log'), 0);
    await assertTablesEqual(dbs, tables);
  });

  it('applies per-table where and limit from pgtwin.yaml, with environments and ${VAR}', async () => {
    await writeFile(
      join(dir, 'pgtwin.yaml'),
      `environments:
  production: { url: "\${PROD_URL}" }
  staging: { url: "\${STAGING_URL}" }
source: production
target: staging
tables:
  include: [accounts, sessions]
  filters:
    accounts: { where: "region = 'eu'" }
    public.sessions: { limit: 10 }
`,
    );
    const result = await pgtwin(['sync', '--yes'], { cwd: dir, env: { PROD_URL: dbs.sourceUrl, STAGING_URL: dbs.targetUrl } });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await count('public.accounts'), 100);
    assert.equal(await count(`public.accounts WHERE region <> 'eu'`), 0);
    assert.equal(await count('public.sessions'), 10);
    assert.match(result.stderr, /public\.accounts: 100 rows/);
  });

  it('reads pgtwin.toml and the Confiture dict shape', async () => {
    const tomlDir = await mkdtemp(join(tmpdir(), 'pgtwin-toml-'));
    await writeFile(
      join(tomlDir, 'pgtwin.toml'),
      `source = "${dbs.sourceUrl}"\ntarget = "${dbs.targetUrl}"\ntables = ["invoices"]\nbatch_size = 5000\nshow_progress = false\n`,
    );
    const result = await pgtwin(['sync', '--yes', '--json'], { cwd: tomlDir });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      (JSON.parse(result.stdout) as { tables: Array<{ table: string }> }).tables.map((t) => t.table),
      ['billing.invoices'],
    );
  });

  it('refuses a where clause that is not valid SQL before writing anything', async () => {
    const before = await count('public.accounts');
    const badDir = await mkdtemp(join(tmpdir(), 'pgtwin-badwhere-'));
    await writeFile(join(badDir, 'pgtwin.yaml'), `tables:\n  include: [accounts]\n  filters:\n    accounts: { where: "regoin = 'eu'" }\n`);
    const result = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes'], { cwd: badDir });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /regoin/);
    assert.match(result.stderr, /next: /);
    assert.equal(await count('public.accounts'), before);
  });

  it('an FK from an unselected table is reported before writing; --cascade includes it', async () => {
    await dbs.source.query(`DELETE FROM public.sessions WHERE account_id = 0`);
    await dbs.target.query(`TRUNCATE public.sessions, public.accounts`);
    await onBoth(
      dbs,
      `ALTER TABLE public.sessions ADD CONSTRAINT sessions_account_fkey FOREIGN KEY (account_id) REFERENCES public.accounts (id)`,
    );
    const refused = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--tables', 'accounts', '--yes']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /public\.sessions \(sessions_account_fkey -> public\.accounts\)/);
    assert.match(refused.stderr, /--cascade/);
    const cascaded = await pgtwin([
      'sync',
      '--from',
      dbs.sourceUrl,
      '--to',
      dbs.targetUrl,
      '--tables',
      'accounts',
      '--cascade',
      '--yes',
      '--json',
    ]);
    assert.equal(cascaded.code, 0, cascaded.stderr);
    assert.deepEqual((JSON.parse(cascaded.stdout) as { tables: Array<{ table: string }> }).tables.map((t) => t.table).sort(), [
      'public.accounts',
      'public.sessions',
    ]);
    await assertTablesEqual(dbs, ['public.accounts', 'public.sessions']);
  });

  it('a filter that orphans child rows fails with the foreign key named, and a fixed rerun restores it', async () => {
    const cfg = await mkdtemp(join(tmpdir(), 'pgtwin-orphans-'));
    await writeFile(
      join(cfg, 'pgtwin.yaml'),
      `tables:\n  include: [accounts, sessions]\n  filters:\n    accounts: { where: "region = 'eu'" }\n`,
    );
    const failed = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes'], { cwd: cfg });
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /sessions_account_fkey/);
    assert.match(failed.stderr, /filter the child table/);
    const pending = await dbs.target.query('SELECT constraint_name FROM pgtwin.pending_foreign_keys');
    assert.deepEqual(pending.rows, [{ constraint_name: 'sessions_account_fkey' }]);
    const fixed = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--tables', 'accounts,sessions', '--yes']);
    assert.equal(fixed.code, 0, fixed.stderr);
    const fks = await dbs.target.query(`SELECT convalidated FROM pg_constraint WHERE conname = 'sessions_account_fkey'`);
    assert.deepEqual(fks.rows, [{ convalidated: true }]);
    assert.equal((await dbs.target.query('SELECT count(*)::int AS n FROM pgtwin.pending_foreign_keys')).rows[0].n, 0);
  });
});
