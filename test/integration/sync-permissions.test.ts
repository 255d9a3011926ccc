/** A source user who may read a table but not its sequence is stopped at plan time, told what to grant, and nothing is written. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';

describe('source permissions checked before anything is written', () => {
  let dbs: TestDatabases;
  const role = `reader_${randomBytes(3).toString('hex')}`;
  const password = 'Reader-pass-' + randomBytes(4).toString('hex');
  let readerUrl = '';
  before(async () => {
    dbs = await createTestDatabases('permissions');
    await onBoth(dbs, `CREATE TABLE tickets (id bigserial PRIMARY KEY, title text)`);
    await dbs.source.query(`INSERT INTO tickets (title) SELECT 't' || g FROM generate_series(1, 20) g`);
    await dbs.target.query(`INSERT INTO tickets (title) VALUES ('kept')`);
    await dbs.source.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'; GRANT SELECT ON tickets TO ${role}`);
    const url = new URL(dbs.sourceUrl);
    url.username = role;
    url.password = password;
    readerUrl = url.toString();
  });
  after(async () => {
    await dbs.drop();
    const admin = new pg.Client({ connectionString: process.env['PGTWIN_TEST_SOURCE_URL'] });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`).finally(() => admin.end());
  });

  it('names the sequence and the GRANT, and leaves the target as it was', async () => {
    const result = await pgtwin(['sync', '--from', readerUrl, '--to', dbs.targetUrl, '--yes']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /may not read a sequence of the selected tables; nothing was written/);
    assert.match(result.stderr, /public\.tickets_id_seq \(public\.tickets\.id\)/);
    assert.match(result.stderr, new RegExp(`next: On the source: GRANT SELECT ON SEQUENCE "public"\\."tickets_id_seq" TO ${role};`));
    const rows = await dbs.target.query(`SELECT title FROM tickets`);
    assert.deepEqual(rows.rows, [{ title: 'kept' }]);
  });
});
