/**
 * A target user without CREATE on the database: the first sync says what to
 * grant; once an admin creates schema pgtwin for that user (the other fix the
 * message offers), the sync works.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';
import { assertTablesEqual } from '../support/compare.js';

describe('the pgtwin state schema for a user without CREATE on the target database', () => {
  let dbs: TestDatabases;
  const role = `twin_${randomBytes(3).toString('hex')}`;
  const password = 'Twin-pass-' + randomBytes(4).toString('hex');
  let roleUrl = '';
  before(async () => {
    dbs = await createTestDatabases('state_schema');
    await onBoth(dbs, `CREATE TABLE items (id int PRIMARY KEY, label text)`);
    await dbs.source.query(`INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 100) g`);
    await dbs.target.query(
      `CREATE ROLE ${role} LOGIN PASSWORD '${password}'; REVOKE CREATE ON DATABASE ${dbs.name} FROM PUBLIC; ALTER TABLE items OWNER TO ${role}`,
    );
    const url = new URL(dbs.targetUrl);
    url.username = role;
    url.password = password;
    roleUrl = url.toString();
  });
  after(async () => {
    await dbs.drop();
    // Roles belong to the server, not the database.
    const admin = new pg.Client({ connectionString: process.env['PGTWIN_TEST_TARGET_URL'] });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`).finally(() => admin.end());
  });

  it('says what to grant, then works once an admin has created the schema for the user', async () => {
    const denied = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', roleUrl, '--yes']);
    assert.equal(denied.code, 1, denied.stderr);
    assert.match(denied.stderr, /cannot create its state schema `pgtwin`/);
    assert.match(denied.stderr, /create schema pgtwin owned by that user/);
    assert.ok(!denied.stderr.includes(password));
    await dbs.target.query(`CREATE SCHEMA pgtwin AUTHORIZATION ${role}`);
    const ok = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', roleUrl, '--yes']);
    assert.equal(ok.code, 0, ok.stderr);
    await assertTablesEqual(dbs, ['public.items']);
  });
});
