import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';
import { TEST_PASSWORD } from '../support/constants.js';

const SECRET = '5f0e8a1c2b3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7';

interface VerifyJson {
  ok: boolean;
  tables: Array<{ table: string; status: string; sourceRows: number; targetRows: number }>;
  leaks: null | {
    leaks: number;
    findings: Array<{
      kind: string;
      table: string;
      column: string;
      origin: string;
      count: number;
      examples: Array<{ key?: Record<string, string>; value?: string }>;
    }>;
  };
  error: null | { code: string };
}

describe('pgtwin verify', () => {
  let dbs: TestDatabases;
  let dir: string;
  const verify = (extra: readonly string[] = []) =>
    pgtwin(['verify', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, ...extra], { cwd: dir });
  const json = (stdout: string): VerifyJson => JSON.parse(stdout) as VerifyJson;

  before(async () => {
    dbs = await createTestDatabases('verify_cli');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-verify-'));
    await onBoth(
      dbs,
      `CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, note text);
       CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id), total numeric(12,2));`,
    );
    await dbs.source.query(
      `INSERT INTO users (email, note) SELECT 'user' || g || '@example.org', 'customer since ' || (2000 + g % 20) FROM generate_series(1, 300) g`,
    );
    await dbs.source.query(`INSERT INTO orders (user_id, total) SELECT 1 + g % 300, g * 1.25 FROM generate_series(1, 900) g`);
  });
  after(async () => {
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('passes right after a sync, and says so', async () => {
    const sync = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes'], { cwd: dir });
    assert.equal(sync.code, 0, sync.stderr);
    const result = await verify();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /public\.users\s+300 rows\s+ok/);
    assert.match(result.stdout, /public\.orders\s+900 rows\s+ok/);
    assert.match(result.stdout, /All tables match\. \(Leaks not checked: add --leaks\.\)/);
    const leaks = await verify(['--leaks', '--json']);
    assert.equal(leaks.code, 0, leaks.stderr);
    const report = json(leaks.stdout);
    assert.equal(report.ok, true);
    assert.deepEqual(report.leaks?.findings, []);
    for (const r of [result, leaks]) assert.ok(!r.stdout.includes(TEST_PASSWORD) && !r.stderr.includes(TEST_PASSWORD));
  });

  it('fails with exit 1 when a row is missing on the target', async () => {
    await dbs.target.query('DELETE FROM orders WHERE id = 17');
    const result = await verify();
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /public\.orders\s+899 rows\s+DIFFERS: 900 rows on the source, 899 on the target/);
    assert.match(result.stderr, /pgtwin: error: 1 table on the target differs from the source\./);
    assert.match(result.stderr, /next: Run pgtwin sync again/);
    const asJson = await verify(['--json', '--tables', 'orders']);
    assert.equal(asJson.code, 1);
    assert.equal(json(asJson.stdout).error?.code, 'VERIFY_MISMATCH');
    const other = await verify(['--exclude', 'orders', '--tables', 'users', '--cascade']);
    assert.equal(other.code, 1, '--cascade brings orders back in, as for sync');
    assert.match(other.stderr, /--cascade added public\.orders/);
  });

  it('rejects leak-check flags without --leaks and a bad --min-length', async () => {
    const alone = await verify(['--show-values']);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--show-values belongs to the leak check/);
    const zero = await verify(['--leaks', '--min-length', '0']);
    assert.equal(zero.code, 2);
    const help = await pgtwin(['help', 'verify']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: pgtwin verify/);
  });

  it('with masking: no leak after a sync, then finds a value in clear and a row that kept its value (exit 5)', async () => {
    await writeFile(join(dir, 'pgtwin.yaml'), 'anonymize:\n  users:\n    email: email\n');
    const sync = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes'], {
      cwd: dir,
      env: { PGTWIN_SECRET: SECRET },
    });
    assert.equal(sync.code, 0, sync.stderr);
    const clean = await verify(['--leaks', '--json']);
    assert.equal(clean.code, 0, clean.stderr);
    const report = json(clean.stdout);
    assert.deepEqual(report.leaks?.findings, []);
    assert.ok(
      report.tables.every((t) => t.status === 'match'),
      'the unmasked columns still match',
    );

    await dbs.target.query(`UPDATE users SET email = 'user7@example.org' WHERE id = 7`);
    await dbs.target.query(`UPDATE users SET note = 'user8@example.org' WHERE id = 9`);
    const leaked = await verify(['--leaks']);
    assert.equal(leaked.code, 5, leaked.stderr);
    assert.match(leaked.stdout, /LEAK public\.users\.note: 1 value of public\.users\.email in clear\n\s+row id=9/);
    assert.match(leaked.stdout, /LEAK public\.users\.email: 1 row kept its own source value\n\s+row id=7/);
    assert.match(leaked.stderr, /pgtwin: error: 2 values of masked source columns are readable in the target\./);
    assert.match(leaked.stderr, /next: .*anonymize:/);
    assert.ok(
      !leaked.stdout.includes('user7@example.org') && !leaked.stderr.includes('user7@example.org'),
      'values are not printed by default',
    );
    assert.ok(!leaked.stdout.includes(TEST_PASSWORD) && !leaked.stderr.includes(TEST_PASSWORD));

    const shown = await verify(['--leaks', '--show-values', '--json']);
    assert.equal(shown.code, 5);
    const findings = json(shown.stdout).leaks?.findings ?? [];
    assert.deepEqual(
      findings.map((f) => [f.kind, f.column, f.count, f.examples]),
      [
        ['in-clear', 'note', 1, [{ key: { id: '9' }, value: 'user8@example.org' }]],
        ['kept-source-value', 'email', 1, [{ key: { id: '7' }, value: 'user7@example.org' }]],
      ],
    );
    assert.equal(json(shown.stdout).error?.code, 'LEAKS_FOUND');
  });
});
