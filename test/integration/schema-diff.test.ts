import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';

interface DiffJson {
  equal: boolean;
  differences: Array<{
    table: string;
    kind: string;
    object: string | null;
    source: string | null;
    target: string | null;
    blocking: boolean;
    message: string;
  }>;
}

describe('pgtwin diff', () => {
  let dbs: TestDatabases;
  before(async () => {
    dbs = await createTestDatabases('schema_diff');
    await dbs.source.query(`
      CREATE TABLE public.users (id int PRIMARY KEY, email text NOT NULL, age int, created date DEFAULT current_date);
      CREATE INDEX users_email_idx ON public.users (lower(email));
      CREATE INDEX users_created_idx ON public.users (created);
      CREATE TABLE public.orders (id int PRIMARY KEY, user_id int REFERENCES public.users (id));
      CREATE TABLE public.audit (id int);`);
    await dbs.target.query(`
      CREATE TABLE public.users (id int PRIMARY KEY, email varchar(200) NOT NULL, created date, nickname text NOT NULL);
      CREATE INDEX another_name_same_index ON public.users (created);
      CREATE TABLE public.orders (id int PRIMARY KEY, user_id int);
      CREATE TABLE public.leftover (id int);`);
  });
  after(async () => dbs.drop());

  it('lists a missing column, an extra column, a type difference and a missing index, and exits 4', async () => {
    const result = await pgtwin(['diff', '--from', dbs.sourceUrl, '--to', dbs.targetUrl]);
    assert.equal(result.code, 4, result.stdout + result.stderr);
    const out = result.stdout;
    assert.match(out, /^public\.users$/m);
    assert.match(out, /column age \(integer\): missing on the target/);
    assert.match(out, /column nickname \(text\): exists only on the target \(NOT NULL without a default.*\[blocks sync\]/);
    assert.match(out, /column email: text on the source, character varying\(200\) on the target {2}\[blocks sync\]/);
    assert.match(out, /column created: default CURRENT_DATE on the source, no default on the target/);
    assert.match(
      out,
      /index users_email_idx: missing on the target \(CREATE INDEX users_email_idx ON public\.users USING btree \(lower\(email\)\)\)/,
    );
    assert.ok(!out.includes('users_created_idx'), 'an index with the same definition under another name is no difference');
    assert.match(out, /foreign key orders_user_id_fkey: missing on the target/);
    assert.match(out, /^public\.audit\n {2}- missing on the target/m);
    assert.match(out, /^public\.leftover\n {2}- exists only on the target/m);
    assert.match(result.stderr, /schema differs from the source's in \d+ places \(\d+ would make a sync fail\)/);
    assert.match(result.stderr, /\nnext: .*pgtwin schema/);
  });

  it('gives the same differences as JSON, with structure', async () => {
    const result = await pgtwin(['diff', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--tables', 'users', '--json']);
    assert.equal(result.code, 4, result.stderr);
    const report = JSON.parse(result.stdout) as DiffJson;
    assert.equal(report.equal, false);
    const summary = report.differences.map((d) => `${d.kind} ${d.object ?? ''}${d.blocking ? ' blocking' : ''}`).sort();
    assert.deepEqual(summary, [
      'column-default created',
      'column-type email blocking',
      'extra-column nickname blocking',
      'missing-column age',
      'missing-index users_email_idx',
    ]);
    const type = report.differences.find((d) => d.kind === 'column-type');
    assert.deepEqual([type?.table, type?.source, type?.target], ['public.users', 'text', 'character varying(200)']);
  });

  it('exits 0 when the selected tables match', async () => {
    await dbs.target.query(`CREATE TABLE public.audit (id int)`);
    const result = await pgtwin(['diff', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--tables', 'audit']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /1 table compared\.\n\nThe target matches the source: no differences\./);
  });

  it('writes nothing and accepts a target it only reads', async () => {
    const state = await dbs.target.query(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'pgtwin'`);
    assert.equal(state.rows[0].n, 0);
  });
});
