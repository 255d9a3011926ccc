/**
 * A twin that cannot get every object: a function in a language the target
 * lacks, a grant to a role the target lacks, and a function the target
 * refuses when it is created (an event trigger there). The tables are still
 * created and loaded, each missing object is listed with its reason in the
 * text and JSON report, and the exit status (6) says the twin is incomplete.
 * And a database with functions and views but no table gets a twin.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';
import { assertTablesEqual } from '../support/compare.js';
import { catalogDifferences, catalogObjects } from '../support/catalog-objects.js';

const ROLE = `pgtwin_only_on_source_${randomBytes(3).toString('hex')}`;

const REFUSE_ON_TARGET = `
CREATE FUNCTION public.refuse_some() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
    IF r.object_identity LIKE '%refused_here%' THEN RAISE EXCEPTION 'the target refuses %', r.object_identity; END IF;
  END LOOP;
END $$;
CREATE EVENT TRIGGER refuse_some ON ddl_command_end WHEN TAG IN ('CREATE FUNCTION') EXECUTE FUNCTION public.refuse_some();
ALTER EVENT TRIGGER refuse_some ENABLE ALWAYS;`; // sync writes as a replica; the target's own policy still holds

describe('pgtwin sync when some objects cannot be created on the target', () => {
  let dbs: TestDatabases;
  before(async () => {
    dbs = await createTestDatabases('schema_incomplete');
    await dbs.source.query(`CREATE ROLE ${ROLE} NOLOGIN`);
    await dbs.source.query(`
      CREATE LANGUAGE source_only_lang HANDLER plpgsql_call_handler;
      CREATE TABLE public.accounts (id int PRIMARY KEY, name text NOT NULL);
      INSERT INTO public.accounts SELECT g, 'account ' || g FROM generate_series(1, 50) g;
      CREATE TABLE public.entries (id int PRIMARY KEY, account_id int REFERENCES public.accounts, amount numeric);
      INSERT INTO public.entries SELECT g, 1 + g % 50, g * 1.5 FROM generate_series(1, 200) g;
      CREATE FUNCTION public.in_missing_language() RETURNS int LANGUAGE source_only_lang AS $$ begin return 1; end $$;
      CREATE FUNCTION public.refused_here(a public.accounts) RETURNS text LANGUAGE sql AS $$ SELECT a.name $$;
      COMMENT ON FUNCTION public.refused_here(public.accounts) IS 'its comment fails with it, and is not listed twice';
      CREATE FUNCTION public.fine(a public.accounts) RETURNS text LANGUAGE sql AS $$ SELECT upper(a.name) $$;
      CREATE VIEW public.account_names AS SELECT public.fine(a) AS name FROM public.accounts a;
      GRANT SELECT ON public.accounts TO ${ROLE};
      GRANT EXECUTE ON FUNCTION public.fine(public.accounts) TO ${ROLE};`);
    await dbs.target.query(REFUSE_ON_TARGET);
  });
  after(async () => {
    await dbs.drop();
    await createTestDatabases('schema_incomplete_role').then(async (other) => {
      await other.source.query(`DROP ROLE IF EXISTS ${ROLE}`);
      await other.drop();
    });
  });
  const args = (...extra: string[]): string[] => ['--from', dbs.sourceUrl, '--to', dbs.targetUrl, ...extra];

  it('copies the tables, lists each missing object with its reason in JSON, and exits 6', async () => {
    const result = await pgtwin(['sync', ...args('--yes', '--json')]);
    assert.equal(result.code, 6, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout) as {
      complete: boolean;
      totalRows: number;
      notCreated: Array<{ object: string; reason: string }>;
    };
    assert.equal(report.complete, false);
    assert.equal(report.totalRows, 250);
    const reasons = new Map(report.notCreated.map((n) => [n.object, n.reason]));
    assert.match(
      reasons.get('function public.in_missing_language()') ?? '',
      /needs language source_only_lang: it does not exist on the target/,
    );
    assert.match(
      reasons.get('function public.refused_here(public.accounts)') ?? '',
      /the target refuses public\.refused_here\(public\.accounts\)/,
    );
    assert.match(
      reasons.get(`grant SELECT on table public.accounts to ${ROLE}`) ?? '',
      new RegExp(`role ${ROLE} does not exist on the target`),
    );
    assert.match(reasons.get(`grant EXECUTE on function public.fine(public.accounts) to ${ROLE}`) ?? '', /does not exist on the target/);
    assert.equal(report.notCreated.length, 4, JSON.stringify(report.notCreated));
    await assertTablesEqual(dbs, ['public.accounts', 'public.entries']);
    const made = await dbs.target.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_views WHERE viewname = 'account_names'");
    assert.equal(made.rows[0]?.n, 1, 'the view over the function that could be created exists');
  });

  it('says the same in text, with the incomplete exit status, and diff still sees what is missing', async () => {
    const result = await pgtwin(['sync', ...args('--yes')]);
    assert.equal(result.code, 6, result.stdout + result.stderr);
    assert.match(result.stdout, /Synced 2 tables, 250 rows/);
    assert.match(
      result.stdout,
      /Not created \(4\):\n(.*\n)* {2}- function public\.in_missing_language\(\): needs language source_only_lang: it does not exist on the target/,
    );
    assert.match(result.stderr, /SCHEMA_INCOMPLETE|the twin is incomplete/);
    const diff = await pgtwin(['diff', ...args()]);
    assert.equal(diff.code, 4, diff.stdout + diff.stderr);
    assert.match(diff.stdout, /function public\.in_missing_language\(\): missing on the target/);
    assert.match(diff.stdout, /function public\.refused_here\(public\.accounts\): missing on the target/);
  });

  it('pgtwin schema --dry-run lists what it would not create, and exits 0 (it only plans)', async () => {
    const result = await pgtwin(['schema', ...args('--dry-run')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /-- not created:\n(--.*\n)*-- {3}function public\.in_missing_language\(\): needs language source_only_lang: it does not exist on the target/,
    );
  });
});

describe('pgtwin sync of a database with functions, views and an extension but no table', () => {
  let dbs: TestDatabases;
  before(async () => {
    dbs = await createTestDatabases('no_tables');
    await dbs.source.query(`
      CREATE EXTENSION btree_gist;
      CREATE SCHEMA api;
      COMMENT ON SCHEMA api IS 'functions only';
      CREATE TYPE api.level AS ENUM ('low', 'high');
      CREATE FUNCTION api.double(x int) RETURNS int LANGUAGE sql IMMUTABLE RETURN x * 2;
      CREATE VIEW api.levels AS SELECT unnest(enum_range(NULL::api.level)) AS level, api.double(2) AS two;
      CREATE SEQUENCE api.ids;`);
  });
  after(async () => dbs.drop());

  it('gives a twin with those objects, and diff finds no difference', async () => {
    const args = ['--from', dbs.sourceUrl, '--to', dbs.targetUrl];
    const result = await pgtwin(['sync', ...args, '--yes']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /Synced 0 tables/);
    const [source, target] = await Promise.all([catalogObjects(dbs.source), catalogObjects(dbs.target)]);
    assert.deepEqual(catalogDifferences(source, target), []);
    assert.ok(target.has('view api.levels') && target.has('extension btree_gist') && target.has('sequence api.ids'));
    const diff = await pgtwin(['diff', ...args]);
    assert.equal(diff.code, 0, diff.stdout + diff.stderr);
  });

  it('still refuses include patterns that select nothing', async () => {
    const result = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes', '--tables', 'nothing_*']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /No table is selected/);
  });
});
