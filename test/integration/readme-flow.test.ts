/**
 * The README's "five minutes to a twin" as a user types it: keygen, init with
 * a URL (its password must not land in the file), plan, sync into the
 * embedded local twin, verify --leaks. Only the local server's port is
 * changed, so the test never touches a developer's own `local`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';
import { TEST_PASSWORD } from '../support/constants.js';
import { freePort } from '../../src/pg/embedded-server.js';

describe('the README quick start against a real source', () => {
  let dbs: TestDatabases;
  let dir: string;
  const env = (): Record<string, string> => ({ PRODUCTION_PASSWORD: new URL(dbs.sourceUrl).password });
  before(async () => {
    dbs = await createTestDatabases('readme');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-readme-'));
    await dbs.source.query(`
      CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, phone text, full_name text, signup_ip inet, created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id), amount numeric(10,2), status text NOT NULL);
      INSERT INTO customers (id, email, phone, full_name, signup_ip)
        SELECT g, 'person' || g || '@mail.example.org', '+1 415 555 ' || lpad(g::text, 4, '0'), (ARRAY['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra'])[1 + g % 4] || ' ' || g, ('10.1.' || (g % 250) || '.' || (g % 200))::inet
        FROM generate_series(1, 800) g;
      INSERT INTO orders SELECT g, 1 + g % 800, g * 1.5, (ARRAY['paid', 'shipped'])[1 + g % 2] FROM generate_series(1, 3000) g;`);
  });
  after(async () => {
    await pgtwin(['local', 'destroy', '--yes'], { cwd: dir, env: env() });
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keygen, init, plan, sync, verify --leaks: a masked twin without a password in any file', async () => {
    const keygen = await pgtwin(['keygen'], { cwd: dir });
    assert.equal(keygen.code, 0, keygen.stderr);
    const init = await pgtwin(['init', '--from', dbs.sourceUrl], { cwd: dir, env: env() });
    assert.equal(init.code, 0, init.stderr);
    const written = await readFile(join(dir, 'pgtwin.yaml'), 'utf8');
    assert.ok(!written.includes(TEST_PASSWORD), 'no password in pgtwin.yaml');
    assert.match(written, /strict: true/);
    assert.match(written, /^secret_file: /m);

    // The one change to the README flow: a free port for this test's local server.
    const doc = parseDocument(written);
    doc.setIn(['environments', 'local'], { embedded: true, port: await freePort() });
    await writeFile(join(dir, 'pgtwin.yaml'), doc.toString());

    const plan = await pgtwin(['plan'], { cwd: dir, env: env() });
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /public\.customers .*masked: .*email/);
    const sync = await pgtwin(['sync', '--yes'], { cwd: dir, env: env() });
    assert.equal(sync.code, 0, sync.stderr);
    const verify = await pgtwin(['verify', '--leaks'], { cwd: dir, env: env() });
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    for (const output of [keygen, init, plan, sync, verify]) assert.ok(!(output.stdout + output.stderr).includes(TEST_PASSWORD));
  });
});
