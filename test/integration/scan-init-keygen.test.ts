/**
 * `pgtwin scan`, `init` and `keygen` as a user runs them: a source with
 * personal data, config files in temporary directories, and checks that no
 * sampled value, password or key ever reaches the output.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkStrict, loadMaskingKey } from '../../src/anonymize/index.js';
import { loadSettings, resolveEndpoint, type Settings } from '../../src/config/index.js';
import { configuredKeep, configuredRules } from '../../src/scan/index.js';
import { freePort } from '../../src/pg/embedded-server.js';
import { pgtwin, type CliResult } from '../support/cli.js';
import { TEST_PASSWORD } from '../support/constants.js';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';

const ROWS = 60;
const CARDS = ['4111 1111 1111 1111', '5500-0000-0000-0004', '340000000000009', '6011000000000004'];
const FIRST = ['James', 'Mary', 'John', 'Patricia', 'Robert'];
const LAST = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones'];

interface ScanJson {
  source: string;
  sampleSize: number;
  summary: { tables: number; columns: number; piiColumns: number };
  tables: Array<{
    table: string;
    sampledRows: number | null;
    problem: string | null;
    columns: Array<{
      column: string;
      type: string;
      findings: Array<{
        kind: string;
        confidence: string;
        evidence: string[];
        suggestion: { strategy: string; options: Record<string, unknown> };
      }>;
      decision: { kind: string; rule?: { strategy: string } } | null;
    }>;
  }>;
  written: { path: string; created: boolean; rules: number; kept: number } | null;
}

/** Every column of the scanned tables is masked or kept: what strict mode demands of a sync. */
function strictProblems(settings: Settings, tables: Record<string, string[]>): string[] {
  return Object.entries(tables).flatMap(([name, columns]) => {
    const table = { schema: 'public', name };
    const rules = configuredRules(settings.anonymize, table);
    return checkStrict(
      `public.${name}`,
      columns.map((c) => ({ name: c })),
      rules,
      [...configuredKeep(settings.keep, table)],
    ).map((p) => p.message);
  });
}

describe('pgtwin scan, init and keygen', () => {
  let dbs: TestDatabases;
  let dir: string;
  const outputs: CliResult[] = [];
  const sampled: string[] = [];
  const run = async (argv: string[], env: Record<string, string> = {}, cwd = dir): Promise<CliResult> => {
    const result = await pgtwin(argv, { cwd, env });
    outputs.push(result);
    return result;
  };

  before(async () => {
    dbs = await createTestDatabases('scan_init');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-scan-'));
    await dbs.source.query(`
      CREATE TABLE public.customers (
        id int PRIMARY KEY, email text NOT NULL, contact text, full_name text, card text, plan text,
        created_at timestamptz NOT NULL DEFAULT now(), email_lower text GENERATED ALWAYS AS (lower(email)) STORED);
      CREATE TABLE public.orders (id int PRIMARY KEY, customer_id int REFERENCES public.customers (id), total numeric(10,2), status text);
      CREATE TABLE public.products (id int PRIMARY KEY, title text, price numeric(10,2));
      CREATE TABLE public.audit_log (id int, at timestamptz);`);
    for (let i = 1; i <= ROWS; i++) {
      const row = [
        i,
        `customer${i}@shop-example.com`,
        `+1-555-010-${String(1000 + i)}`,
        `${FIRST[i % 5]} ${LAST[(i * 3) % 5]}`,
        CARDS[i % 4] ?? '',
        i % 2 === 0 ? 'basic' : 'pro',
      ];
      sampled.push(String(row[1]), String(row[2]), String(row[4]));
      await dbs.source.query(
        'INSERT INTO public.customers (id, email, contact, full_name, card, plan) VALUES ($1, $2, $3, $4, $5, $6)',
        row,
      );
      await dbs.source.query('INSERT INTO public.orders VALUES ($1, $1, $3, $2)', [i, i % 3 === 0 ? 'paid' : 'open', i * 1.5]);
    }
    await dbs.source.query(`INSERT INTO public.products VALUES (1, 'Kettle', 20), (2, 'Teapot', 35.5)`);
  });

  after(async () => {
    // Nothing any command printed may hold a sampled value, the password or a key.
    const printed = outputs.map((o) => o.stdout + o.stderr).join('\n');
    for (const value of sampled) assert.ok(!printed.includes(value), `a sampled value was printed: ${value}`);
    assert.ok(!printed.includes(TEST_PASSWORD), 'the password was printed');
    await rm(dir, { recursive: true, force: true });
    await dbs.drop();
  });

  describe('scan', () => {
    it('finds emails, phones, names and card numbers, suggests rules, and leaves innocuous columns alone', async () => {
      const result = await run(['scan', '--from', dbs.sourceUrl]);
      assert.equal(result.code, 0, result.stderr);
      const out = result.stdout;
      assert.match(out, /Scanned 4 tables of postgres:\/\/.*:\*\*\*@/);
      assert.match(out, /^public\.customers {2}\(60 rows sampled\)$/m);
      assert.match(out, /^ {2}email +text {2}email, high {2}-> email$/m);
      assert.match(out, /^ {2}contact +text {2}phone, high {2}-> phone$/m);
      assert.match(out, /^ {2}full_name +text {2}name, high {2}-> name$/m);
      assert.match(out, /^ {2}card +text {2}credit card, high {2}-> credit_card$/m);
      assert.match(out, /60 of 60 sampled values look like email addresses/);
      assert.match(out, /\(3 other columns: id, plan, created_at\)/);
      assert.match(out, /^public\.products {2}\(2 rows sampled\)\n {2}nothing looks like personal data \(3 columns\)$/m);
      assert.match(out, /^public\.audit_log {2}\(no text columns: judged by column names and types\)$/m);
      assert.match(out, /Next: review the findings, then `pgtwin scan --write`/);
    });

    it('prints a JSON document with findings, evidence and decisions', async () => {
      const result = await run(['scan', '--from', dbs.sourceUrl, '--tables', 'customers,products', '--sample', '10', '--json']);
      assert.equal(result.code, 0, result.stderr);
      const report = JSON.parse(result.stdout) as ScanJson;
      assert.equal(report.sampleSize, 10);
      assert.deepEqual(report.summary, { tables: 2, columns: 11, piiColumns: 4 });
      assert.equal(report.written, null);
      const customers = report.tables.find((t) => t.table === 'public.customers');
      assert.equal(customers?.sampledRows, 10);
      const byColumn = new Map(customers?.columns.map((c) => [c.column, c]));
      assert.deepEqual(
        ['email', 'contact', 'full_name', 'card'].map((c) => [
          c,
          byColumn.get(c)?.findings[0]?.kind,
          byColumn.get(c)?.decision?.rule?.strategy,
        ]),
        [
          ['email', 'email', 'email'],
          ['contact', 'phone', 'phone'],
          ['full_name', 'name', 'name'],
          ['card', 'credit_card', 'credit_card'],
        ],
      );
      assert.equal(byColumn.get('email')?.findings[0]?.confidence, 'high');
      assert.ok(byColumn.get('email')?.findings[0]?.evidence.some((e) => /10 of 10 sampled values/.test(e)));
      assert.deepEqual(byColumn.get('plan'), { column: 'plan', type: 'text', findings: [], decision: { kind: 'keep' } });
      assert.equal(byColumn.get('email_lower')?.decision?.kind, 'generated');
    });

    it('--write adds rules and keep entries to the config, keeps its comments and rules, and strict mode passes', async () => {
      const work = await mkdtemp(join(dir, 'write-'));
      await writeFile(
        join(work, 'pgtwin.yaml'),
        [
          '# shop twin',
          'environments:',
          '  production:',
          '    url: "${SHOP_URL}"  # replica',
          'source: production',
          'anonymize:',
          '  customers:',
          '    email: hash  # hashed on purpose',
          '',
        ].join('\n'),
      );
      const env = { SHOP_URL: dbs.sourceUrl };
      const result = await run(['scan', '--write', '--exclude', 'audit_log'], env, work);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^ {2}email +text {2}email, high {2}-> already masked by pgtwin\.yaml \(hash\)$/m);
      assert.match(result.stdout, /Updated pgtwin\.yaml: added 3 rules under anonymize: and 10 columns under keep: \(3 tables\)/);
      assert.match(result.stdout, /Tip: add `strict: true`/);
      const text = await readFile(join(work, 'pgtwin.yaml'), 'utf8');
      for (const kept of ['# shop twin', '# replica', '# hashed on purpose']) assert.ok(text.includes(kept), text);
      assert.match(text, /# phone \(high\): 60 of 60 sampled values look like phone numbers\n\s+contact: phone/);
      for (const value of sampled) assert.ok(!text.includes(value), 'a sampled value was written to the file');

      const settings = await loadSettings({ cwd: work, env, overrides: {} });
      assert.deepEqual(
        [...(settings.anonymize.get('customers') ?? [])].map(([c, r]) => `${c}: ${r.strategy}`),
        ['email: hash', 'contact: phone', 'full_name: name', 'card: credit_card'],
      );
      assert.deepEqual(settings.keep.get('public.customers'), ['id', 'plan', 'created_at']);
      assert.deepEqual(settings.keep.get('public.orders'), ['id', 'customer_id', 'total', 'status']);
      assert.deepEqual(settings.keep.get('public.products'), ['id', 'title', 'price']);
      assert.deepEqual(
        strictProblems(settings, {
          customers: ['id', 'email', 'contact', 'full_name', 'card', 'plan', 'created_at'],
          orders: ['id', 'customer_id', 'total', 'status'],
          products: ['id', 'title', 'price'],
        }),
        [],
      );

      const again = await run(['scan', '--write', '--exclude', 'audit_log', '--json'], env, work);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual((JSON.parse(again.stdout) as ScanJson).written, { path: 'pgtwin.yaml', created: false, rules: 0, kept: 0 });
      assert.equal(await readFile(join(work, 'pgtwin.yaml'), 'utf8'), text, 'a second --write changes nothing');
    });

    it('--write creates pgtwin.yaml when there is none', async () => {
      const work = await mkdtemp(join(dir, 'new-'));
      const result = await run(['scan', '--from', dbs.sourceUrl, '--tables', 'customers', '--write'], {}, work);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Created pgtwin\.yaml: added 4 rules under anonymize: and 3 columns under keep:/);
      const settings = await loadSettings({ cwd: work, env: {}, overrides: {} });
      assert.equal(settings.anonymize.get('public.customers')?.get('card')?.strategy, 'credit_card');
      assert.ok(!(await readFile(join(work, 'pgtwin.yaml'), 'utf8')).includes(TEST_PASSWORD));
    });

    it('judges a table it may not read by column names only, and goes on', async () => {
      const role = `scan_reader_${dbs.name.slice(-6)}`;
      await dbs.source.query(`CREATE ROLE ${role} LOGIN PASSWORD '${TEST_PASSWORD}'; GRANT SELECT ON public.products TO ${role}`);
      try {
        const url = new URL(dbs.sourceUrl);
        url.username = role;
        const result = await run(['scan', '--from', url.toString(), '--tables', 'customers,products', '--json']);
        assert.equal(result.code, 0, result.stderr);
        const report = JSON.parse(result.stdout) as ScanJson;
        const customers = report.tables.find((t) => t.table === 'public.customers');
        assert.match(customers?.problem ?? '', /no SELECT permission/);
        assert.equal(customers?.columns.find((c) => c.column === 'email')?.findings[0]?.kind, 'email', 'the column name still counts');
        assert.equal(customers?.columns.find((c) => c.column === 'contact')?.findings.length, 0, 'no values, no phone finding');
        assert.equal(report.tables.find((t) => t.table === 'public.products')?.sampledRows, 2);
      } finally {
        await dbs.source.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
      }
    });

    it('reports a missing source and an unknown table as usage errors', async () => {
      const none = await run(['scan'], {}, await mkdtemp(join(dir, 'none-')));
      assert.equal(none.code, 2);
      assert.match(none.stderr, /No source database given/);
      const unknown = await run(['scan', '--from', dbs.sourceUrl, '--tables', 'custmers']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /custmers \(did you mean public\.customers\?\)/);
      const bad = await run(['scan', '--from', dbs.sourceUrl, '--sample', '0']);
      assert.equal(bad.code, 2);
    });
  });

  describe('keygen', () => {
    it('writes a 0600 key file in a 0700 directory, prints how to use it but never the key, and refuses to overwrite', async () => {
      const work = await mkdtemp(join(dir, 'keygen-'));
      const result = await run(['keygen'], {}, work);
      assert.equal(result.code, 0, result.stderr);
      const file = join(work, '.pgtwin', 'secret.key');
      const key = (await readFile(file, 'utf8')).trim();
      assert.match(key, /^[0-9a-f]{64}$/);
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.equal((await stat(join(work, '.pgtwin'))).mode & 0o777, 0o700);
      assert.ok(!result.stdout.includes(key) && !result.stderr.includes(key), 'the key was printed');
      assert.match(result.stdout, /^ {2}secret_file: \.pgtwin\/secret\.key$/m);
      assert.match(result.stdout, /PGTWIN_SECRET="\$\(cat \.pgtwin\/secret\.key\)"/);
      assert.match(result.stdout, /out of version control/);
      assert.equal((await loadMaskingKey({ env: {}, secretFile: file }))?.source, 'file');

      const again = await run(['keygen'], {}, work);
      assert.equal(again.code, 5);
      assert.match(again.stderr, /\.pgtwin\/secret\.key already exists; .*changes every masked value/);
      assert.equal((await readFile(file, 'utf8')).trim(), key, 'the key was not touched');

      const forced = await run(['keygen', '--force'], {}, work);
      assert.equal(forced.code, 0, forced.stderr);
      assert.match(forced.stdout, /Replaced the masking key/);
      const replaced = (await readFile(file, 'utf8')).trim();
      assert.notEqual(replaced, key);
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.ok(!forced.stdout.includes(replaced));
    });

    it('writes where --output says, creating the directory', async () => {
      const work = await mkdtemp(join(dir, 'keygen-out-'));
      const result = await run(['keygen', '--output', 'keys/shop.key'], {}, work);
      assert.equal(result.code, 0, result.stderr);
      assert.equal((await stat(join(work, 'keys', 'shop.key'))).mode & 0o777, 0o600);
      assert.match(result.stdout, /secret_file: keys\/shop\.key/);
    });
  });

  describe('keygen and git', () => {
    const hasGit = spawnSync('git', ['--version']).status === 0;
    it('warns when the key file would be committed, and not once it is ignored', { skip: !hasGit }, async () => {
      const work = await mkdtemp(join(dir, 'keygen-git-'));
      spawnSync('git', ['init', '-q'], { cwd: work });
      const result = await run(['keygen'], {}, work);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /\.pgtwin\/secret\.key is inside a git work tree and not ignored; add \.pgtwin\/ to \.gitignore/);
      await writeFile(join(work, '.gitignore'), '.pgtwin/\n');
      const ignored = await run(['keygen', '--output', '.pgtwin/other.key'], {}, work);
      assert.equal(ignored.code, 0, ignored.stderr);
      assert.equal(ignored.stderr, '');
    });
  });

  describe('init', () => {
    it('writes a loadable pgtwin.yaml without the password, with the scan rules, and refuses to overwrite it', async () => {
      const work = await mkdtemp(join(dir, 'init-'));
      const result = await run(['init', '--from', dbs.sourceUrl], {}, work);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Wrote pgtwin\.yaml: source production, target local \(the built-in embedded server\), strict: true\./);
      assert.match(result.stdout, /Scanned 4 tables of .*: 4 masking rules suggested, 12 columns listed under keep:/);
      assert.match(result.stdout, /export PRODUCTION_PASSWORD=\.\.\./);
      const text = await readFile(join(work, 'pgtwin.yaml'), 'utf8');
      assert.ok(!text.includes(TEST_PASSWORD), 'the password was written to pgtwin.yaml');
      assert.match(text, /url: "postgres:\/\/[^:]+:\$\{PRODUCTION_PASSWORD\}@/);
      assert.match(text, /^# secret_file: \.pgtwin\/secret\.key$/m);
      assert.match(text, /pgtwin keygen/);

      const env = { PRODUCTION_PASSWORD: TEST_PASSWORD };
      const settings = await loadSettings({ cwd: work, env, overrides: {} });
      assert.equal(settings.strict, true);
      assert.equal(settings.target, 'local');
      assert.equal(resolveEndpoint(settings, 'source').url, dbs.sourceUrl);
      assert.equal(settings.anonymize.get('public.customers')?.get('email')?.strategy, 'email');
      assert.deepEqual(settings.keep.get('public.audit_log'), ['id', 'at']);

      // The file's URL, with the password from the environment, reaches the source.
      const rescan = await run(['scan', '--write', '--json'], env, work);
      assert.equal(rescan.code, 0, rescan.stderr);
      assert.deepEqual((JSON.parse(rescan.stdout) as ScanJson).written, { path: 'pgtwin.yaml', created: false, rules: 0, kept: 0 });

      const again = await run(['init', '--from', dbs.sourceUrl], {}, work);
      assert.equal(again.code, 5);
      assert.match(again.stderr, /pgtwin\.yaml already exists; pgtwin init does not overwrite a config/);
      assert.equal(await readFile(join(work, 'pgtwin.yaml'), 'utf8'), text);
      const forced = await run(['init', '--force'], {}, work);
      assert.equal(forced.code, 0, forced.stderr);
      assert.equal((await loadSettings({ cwd: work, env: {}, overrides: {} })).source, undefined);
    });

    it('still writes the file when the source cannot be reached, and says so', async () => {
      const work = await mkdtemp(join(dir, 'init-down-'));
      const port = await freePort();
      const result = await run(['init', '--from', `postgres://reader:${TEST_PASSWORD}@127.0.0.1:${port}/app`], {}, work);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /warning: the source was not scanned: Cannot connect/);
      assert.match(result.stdout, /pgtwin scan --write {3}adds masking rules/);
      const settings = await loadSettings({ cwd: work, env: { PRODUCTION_PASSWORD: 'x' }, overrides: {} });
      assert.equal(settings.anonymize.size, 0);
      assert.ok(!(await readFile(join(work, 'pgtwin.yaml'), 'utf8')).includes(TEST_PASSWORD));
    });

    it('prints help for the three commands', async () => {
      for (const command of ['init', 'scan', 'keygen']) {
        const help = await run([command, '--help']);
        assert.equal(help.code, 0);
        assert.match(help.stdout, new RegExp(`^Usage: pgtwin ${command} \\[flags\\]`));
        assert.match(help.stdout, /Exit codes:/);
      }
      const main = await run(['--help']);
      for (const command of ['init', 'scan', 'keygen']) assert.match(main.stdout, new RegExp(`^ {2}${command} `, 'm'));
    });
  });
});
