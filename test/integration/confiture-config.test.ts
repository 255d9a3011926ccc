/**
 * A config written for Confiture runs through `pgtwin plan` and `pgtwin sync`
 * unchanged where its meaning is clear. The file joins the reference's
 * confiture.yaml (confiture-api-reference.md, "Configuration") and the sync
 * config of its ProductionSyncer examples (confiture-production-syncer-api.md,
 * `sync()` and "Configuration Example"; `parallelism`, `checkpoint_file` and
 * `verbose` from confiture-advanced-patterns.md), adapted only to name the
 * test servers and this test's tables (and `"null"` quoted: in YAML a bare
 * `null` is no value, in Python's dict it was the string).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';

const SECRET = '7a1c3e5f9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a';

function confitureYaml(target: URL): string {
  return `# confiture.yaml
version: 1

environments:
  local:
    database:
      host: ${target.hostname}
      port: ${target.port}
      database: ${decodeURIComponent(target.pathname.slice(1))}
      user: ${decodeURIComponent(target.username)}
      password: ${decodeURIComponent(target.password)}

    schema_dirs:
      - db/schema

  production:
    database:
      url: \${DATABASE_URL}  # Environment variable

tables: ["users", "orders", "products"]
anonymize:
  users:
    email: email           # Hash-based anonymization
    phone: phone           # Phone format preserved
    ssn: redact            # Replace with [REDACTED]
    password_hash: "null"  # Set to NULL
    first_name: fake       # Realistic fake name
  orders:
    credit_card: redact
    billing_address: redact
batch_size: 5000
show_progress: true
parallelism: 3
checkpoint_file: sync_checkpoint.json
verbose: true
`;
}

describe('a Confiture config through plan and sync', () => {
  let dbs: TestDatabases;
  let dir: string;
  const env = (): Record<string, string> => ({ PGTWIN_SECRET: SECRET, DATABASE_URL: dbs.sourceUrl });
  const cli = ([command = '', ...argv]: readonly string[]) =>
    pgtwin([command, '--config', 'confiture.yaml', '--from', 'production', '--to', 'local', ...argv], { cwd: dir, env: env() });
  const count = async (table: string): Promise<number> =>
    (await dbs.target.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n ?? -1;

  before(async () => {
    dbs = await createTestDatabases('confiture_cfg');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-confiture-'));
    await onBoth(
      dbs,
      `CREATE TABLE users (id integer PRIMARY KEY, email text UNIQUE, phone text, ssn text, password_hash text, first_name text, contact text);
       CREATE TABLE orders (id integer PRIMARY KEY, user_id integer REFERENCES users (id), credit_card text, billing_address text);
       CREATE TABLE products (id integer PRIMARY KEY, name text, price numeric, sku text);`,
    );
    const firstNames = ['Alice', 'Bruno', 'Chiara', 'Dmitri', 'Emma', 'Farid'];
    await dbs.source.query(
      `INSERT INTO users SELECT g, 'user' || g || '@corp.example', '+1-555-01' || lpad(g::text, 2, '0'), '123-45-' || lpad(g::text, 4, '0'),
              md5(g::text), ($1::text[])[1 + g % 6], ($2::text[])[1 + g % 3] FROM generate_series(1, 60) g`,
      [firstNames, ['Alice Johnson', 'Robert Smith', 'Maria Garcia']],
    );
    await dbs.source.query(
      `INSERT INTO orders SELECT g, 1 + g % 60, '4111 1111 1111 1111', g || ' Main Street' FROM generate_series(1, 200) g`,
    );
    await dbs.source.query(
      `INSERT INTO products SELECT g, 'product ' || g, g * 1.5, 'SKU-' || lpad(g::text, 4, '0') FROM generate_series(1, 10) g`,
    );
    await writeFile(join(dir, 'confiture.yaml'), confitureYaml(new URL(dbs.targetUrl)));
  });
  after(async () => {
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('plan: reads it, shows each masked column with its strategy and the kind inferred for `fake`, and what batch_size means', async () => {
    const result = await cli(['plan']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /public\.users \(7 columns, .*masked: email, phone, ssn, password_hash, first_name\)/);
    assert.match(result.stdout, /^ {4}email: email$/m);
    assert.match(result.stdout, /^ {4}password_hash: null$/m);
    // The evidence is the detector's (anonymize/detect.ts) own words.
    assert.match(result.stdout, /^ {4}first_name: fake, kind first_name \(inferred: column name `first_name` suggests [^)]*first name\)$/m);
    assert.match(result.stdout, /^ {4}credit_card: redact$/m);
    assert.match(
      result.stdout,
      /batch_size 5000: `follow` applies at most 5000 changes in one target transaction; `sync` copies each table .* with one COPY stream/,
    );
    assert.match(result.stdout, /checkpoint_file .*sync_checkpoint\.json: /);
    assert.doesNotMatch(
      result.stdout + result.stderr,
      new RegExp(decodeURIComponent(new URL(dbs.targetUrl).password)),
      'the password from `database:` is never shown',
    );
    const json = JSON.parse((await cli(['plan', '--json'])).stdout) as {
      tables: { table: string; masks: { column: string; strategy: string; kind: string | null; kindInferredFrom: string | null }[] }[];
    };
    const users = json.tables.find((t) => t.table === 'public.users');
    const firstName = users?.masks.find((m) => m.column === 'first_name');
    assert.deepEqual(
      { ...firstName, kindInferredFrom: undefined },
      { column: 'first_name', strategy: 'fake', kind: 'first_name', kindInferredFrom: undefined, inheritedFrom: null, owner: null },
    );
    assert.match(firstName?.kindInferredFrom ?? '', /column name `first_name` suggests [^)]*first name/);
  });

  it('infers a kind from sampled values when the name says nothing, and refuses with the kinds when nothing does', async () => {
    const base = await readFile(join(dir, 'confiture.yaml'), 'utf8');
    const withContact = base.replace('    first_name: fake       # Realistic fake name\n', '    first_name: fake\n    contact: fake\n');
    await writeFile(join(dir, 'contact.yaml'), withContact);
    const inferred = await pgtwin(['plan', '--config', 'contact.yaml', '--from', 'production', '--to', 'local'], { cwd: dir, env: env() });
    assert.equal(inferred.code, 0, inferred.stderr);
    assert.match(inferred.stdout, /^ {4}contact: fake, kind name \(inferred: \d+ of \d+ sampled values look like personal names\)$/m);

    await writeFile(join(dir, 'opaque.yaml'), base.replace('  orders:\n', '  products:\n    sku: fake\n  orders:\n'));
    const refused = await pgtwin(['plan', '--config', 'opaque.yaml', '--from', 'production', '--to', 'local'], { cwd: dir, env: env() });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /public\.products\.sku: `fake` needs a `kind`, and none can be inferred from the column's name, type or 10 sampled values; write one: \{strategy: fake, kind: <name \| full_name \| first_name \| .*\| username.*>\}/,
    );
  });

  it('sync: copies and masks as the plan said, with --where/--limit per table, and removes its checkpoint file', async () => {
    const result = await cli(['sync', '--yes', '--where', 'orders=id % 2 = 0 AND id > 10', '--limit', 'products=3']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /pgtwin: copying 3 tables/, 'verbose: one line per phase');
    assert.equal(await count('users'), 60);
    assert.equal(await count('orders'), 95);
    assert.equal(await count('products'), 3);
    const users = await dbs.target.query<{ email: string; ssn: string; password_hash: string | null; first_name: string }>(
      'SELECT email, ssn, password_hash, first_name FROM users ORDER BY id',
    );
    const sourceFirstNames = (await dbs.source.query<{ first_name: string }>('SELECT first_name FROM users ORDER BY id')).rows.map(
      (r) => r.first_name,
    );
    users.rows.forEach((row, i) => {
      assert.doesNotMatch(row.email, /corp\.example/);
      assert.equal(row.password_hash, null);
      assert.doesNotMatch(row.ssn, /\d{3}-\d{2}-\d{4}/);
      assert.match(row.first_name, /^\S+$/, 'a first name, not a full name');
      assert.notEqual(row.first_name, sourceFirstNames[i]);
    });
    await assert.rejects(access(join(dir, 'sync_checkpoint.json')), 'a successful run leaves no checkpoint');
  });

  it('checkpoint_file: a run that failed part way leaves it, and the next sync resumes that run', async () => {
    const base = await readFile(join(dir, 'confiture.yaml'), 'utf8');
    // A constant the numeric column rejects: the products copy fails after the target was truncated.
    await writeFile(
      join(dir, 'confiture.yaml'),
      base.replace('  orders:\n', '  products:\n    price: { strategy: constant, value: "not a number" }\n  orders:\n'),
    );
    const failed = await cli(['sync', '--yes']);
    assert.equal(failed.code, 1, failed.stderr);
    const mark = JSON.parse(await readFile(join(dir, 'sync_checkpoint.json'), 'utf8')) as { pgtwin: string; target: string };
    assert.equal(mark.pgtwin, 'sync checkpoint');
    assert.doesNotMatch(JSON.stringify(mark), new RegExp(decodeURIComponent(new URL(dbs.targetUrl).password)));

    // The same columns masked, by a value the column takes: the stopped run can be finished.
    await writeFile(
      join(dir, 'confiture.yaml'),
      base.replace('  orders:\n', '  products:\n    price: { strategy: constant, value: "0" }\n  orders:\n'),
    );
    const resumed = await cli(['sync', '--yes']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /the checkpoint file .*sync_checkpoint\.json marks an unfinished sync into .*: resuming it/);
    assert.match(resumed.stderr, /resuming run \d+: [123] of 3 chunks left to copy/);
    assert.equal(await count('products'), 10);
    assert.equal((await dbs.target.query<{ n: number }>('SELECT count(*)::int AS n FROM products WHERE price = 0')).rows[0]?.n, 10);
    await assert.rejects(access(join(dir, 'sync_checkpoint.json')));
    await writeFile(join(dir, 'confiture.yaml'), base);

    // Confiture's own checkpoint means nothing to pgtwin: said, not overwritten.
    await writeFile(join(dir, 'sync_checkpoint.json'), '{"table": "users", "offset": 5000}');
    const foreign = await cli(['sync', '--yes']);
    assert.equal(foreign.code, 2, foreign.stderr);
    assert.match(foreign.stderr, /sync_checkpoint\.json was not written by pgtwin/);
    await rm(join(dir, 'sync_checkpoint.json'));
  });
});
