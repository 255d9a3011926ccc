/**
 * Large objects: the tables hold only their OIDs, so sync copies the objects
 * themselves, with the same OIDs and content, under the run's snapshot, read
 * by a source user that is not a superuser (owner, or granted SELECT). They
 * can hold personal files, so strict mode refuses a source that has some
 * until `large_objects:` says copy, empty or skip; the plan and the report
 * say how many and how large.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';
import { loadSettings } from '../../src/config/index.js';
import { runSync } from '../../src/sync/sync.js';

interface LoRow {
  oid: string;
  size: number;
  md5: string;
}

describe('sync of large objects', () => {
  let dbs: TestDatabases;
  let dir: string;
  const role = `lo_owner_${randomBytes(3).toString('hex')}`;
  const password = 'Lo-pass-' + randomBytes(4).toString('hex');
  let ownerUrl = '';
  const big = 2 * 1024 * 1024 + 12345;

  const objects = async (client: pg.Client): Promise<LoRow[]> =>
    (
      await client.query<LoRow>(
        `SELECT oid::text AS oid, octet_length(lo_get(oid)) AS size, md5(lo_get(oid)) AS md5 FROM pg_largeobject_metadata ORDER BY oid`,
      )
    ).rows;
  const config = async (text: string): Promise<string> => {
    const cfg = await mkdtemp(join(dir, 'cfg-'));
    await writeFile(join(cfg, 'pgtwin.yaml'), `tables:\n  include: [docs]\nkeep:\n  docs: [id, file]\n${text}`);
    return cfg;
  };
  const sync = (cwd: string, ...extra: string[]) => pgtwin(['sync', '--from', ownerUrl, '--to', dbs.targetUrl, '--yes', ...extra], { cwd });

  before(async () => {
    dbs = await createTestDatabases('large_objects');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-lo-'));
    for (const client of [dbs.source, dbs.target]) await client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await dbs.target.query(`CREATE TABLE docs (id int PRIMARY KEY, file oid)`);
    await dbs.source.query(`CREATE TABLE docs (id int PRIMARY KEY, file oid); GRANT SELECT ON docs TO ${role}`);
    // Owned by the source user: small, larger than one piece, empty; one of
    // someone else's, granted to it; one it may not read.
    await dbs.source.query(`SET ROLE ${role}`);
    await dbs.source.query(
      `SELECT lo_from_bytea(71001, 'a scanned passport'::bytea), lo_from_bytea(71002, decode(repeat(md5('x'), ${Math.ceil(big / 16)}), 'hex')), lo_from_bytea(71003, '')`,
    );
    await dbs.source.query(`RESET ROLE`);
    await dbs.source.query(
      `SELECT lo_from_bytea(71004, 'granted'::bytea), lo_from_bytea(71005, 'not readable'::bytea); GRANT SELECT ON LARGE OBJECT 71004 TO ${role}`,
    );
    await dbs.source.query(`INSERT INTO docs VALUES (1, 71001), (2, 71002), (3, 71003), (4, 71004)`);
    const url = new URL(dbs.sourceUrl);
    url.username = role;
    url.password = password;
    ownerUrl = url.toString();
  });
  after(async () => {
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
    for (const admin of ['PGTWIN_TEST_SOURCE_URL', 'PGTWIN_TEST_TARGET_URL']) {
      const client = new pg.Client({ connectionString: process.env[admin] });
      await client.connect();
      await client.query(`DROP ROLE IF EXISTS ${role}`).finally(() => client.end());
    }
  });

  it('strict mode refuses at plan time, saying what to write; nothing is written', async () => {
    const cfg = await config('strict: true\n');
    const result = await sync(cfg);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /The source holds 5 large objects, and strict mode wants a decision for them/);
    assert.match(result.stderr, /next: Add one line to pgtwin\.yaml: `large_objects: copy`.*`large_objects: empty`.*`large_objects: skip`/);
    assert.equal((await dbs.target.query('SELECT count(*)::int AS n FROM pg_largeobject_metadata')).rows[0].n, 0);
  });

  it('copy refuses, naming it, an object the source user may not read', async () => {
    const result = await sync(await config('strict: true\nlarge_objects: copy\n'));
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`The source user ${role} may not read some of the large objects`));
    assert.match(result.stderr, /- 71005 \(owner postgres\)/);
    assert.match(result.stderr, /GRANT SELECT ON LARGE OBJECT <oid>/);
  });

  it('copies them with the same OIDs, content, owner and grants, in pieces, and says so in plan and report', async () => {
    await dbs.source.query('SELECT lo_unlink(71005)');
    await dbs.target.query(`SELECT lo_from_bytea(99999, 'stale object of an earlier sync'::bytea)`);
    const cfg = await config('strict: true\nlarge_objects: copy\n');
    const plan = await pgtwin(['plan', '--from', ownerUrl, '--to', dbs.targetUrl], { cwd: cfg });
    assert.equal(plan.code, 0, plan.stderr);
    const expectedBytes = (await objects(dbs.source)).reduce((sum, o) => sum + o.size, 0);
    assert.match(plan.stdout, /4 large objects on the source: copied with their OIDs and content \(2\.1 MB\) \(large_objects: copy\)\./);
    const result = await sync(cfg, '--json');
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { largeObjects: { decision: string; count: number; bytes: number } };
    assert.deepEqual(report.largeObjects, { decision: 'copy', count: 4, bytes: expectedBytes });
    assert.ok(expectedBytes > big);
    assert.deepEqual(await objects(dbs.target), await objects(dbs.source), 'same OIDs and content; the stale object is gone');
    const owners = await dbs.target.query(
      `SELECT oid::text AS oid, pg_get_userbyid(lomowner) AS owner FROM pg_largeobject_metadata ORDER BY oid`,
    );
    assert.deepEqual(
      owners.rows.map((r) => r.owner),
      [role, role, role, 'postgres'],
    );
    const granted = await dbs.target
      .query(`SELECT has_largeobject_privilege('${role}', 71004, 'SELECT') AS ok`)
      .catch(async () => dbs.target.query(`SELECT lomacl::text LIKE '%${role}=r/%' AS ok FROM pg_largeobject_metadata WHERE oid = 71004`));
    assert.equal(granted.rows[0].ok, true, 'the grant came along');
    const joined = await dbs.target.query(`SELECT count(*)::int AS n FROM docs d JOIN pg_largeobject_metadata m ON m.oid = d.file`);
    assert.equal(joined.rows[0].n, 4, 'every copied OID points at an object');
    const again = await sync(cfg);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Synced 1 table, 4 rows, 4 large objects \(2\.1 MB\) in/);
    assert.deepEqual(await objects(dbs.target), await objects(dbs.source), 'a second sync replaces them');
  });

  it('empty keeps the OIDs without content; skip leaves them out; unset outside strict mode copies with a warning', async () => {
    const empty = await sync(await config('large_objects: empty\n'), '--json');
    assert.equal(empty.code, 0, empty.stderr);
    assert.deepEqual((JSON.parse(empty.stdout) as { largeObjects: unknown }).largeObjects, { decision: 'empty', count: 4, bytes: 0 });
    assert.deepEqual(
      (await objects(dbs.target)).map((o) => [o.oid, o.size]),
      [
        ['71001', 0],
        ['71002', 0],
        ['71003', 0],
        ['71004', 0],
      ],
    );

    await dbs.target.query('SELECT lo_unlink(oid) FROM pg_largeobject_metadata');
    const skip = await sync(await config('large_objects: skip\n'), '--json');
    assert.equal(skip.code, 0, skip.stderr);
    assert.equal((JSON.parse(skip.stdout) as { largeObjects: unknown }).largeObjects, null);
    assert.deepEqual(await objects(dbs.target), []);

    const unset = await sync(await config(''));
    assert.equal(unset.code, 0, unset.stderr);
    assert.match(unset.stderr, /warning: the source holds 4 large objects: copied as they are, since large_objects is not set/);
    assert.deepEqual(await objects(dbs.target), await objects(dbs.source));
  });

  it('reads them under the snapshot of the tables: changes made on the source during the sync do not reach the target', async () => {
    const cfg = await config('large_objects: copy\n');
    const before = await objects(dbs.source);
    const settings = await loadSettings({ cwd: cfg, env: {}, overrides: { source: dbs.sourceUrl, target: dbs.targetUrl } });
    // A write in progress on a target object holds the sync's large-object
    // step (its removal of the target's objects waits for it) until the
    // source has changed: the step then reads after the change.
    await dbs.target.query(`SELECT lo_from_bytea(99998, 'held'::bytea)`);
    const holder = new pg.Client({ connectionString: dbs.targetUrl });
    await holder.connect();
    try {
      await holder.query(`BEGIN; SELECT lo_put(99998, 0, 'x'::bytea)`);
      let sourceChanged: (() => void) | undefined;
      const changed = new Promise<void>((resolve) => (sourceChanged = resolve));
      const syncing = runSync({
        settings,
        env: {},
        confirm: async () => true,
        observer: {
          tableStarted: () => {
            void dbs.source
              .query(
                `SELECT lo_put(71001, 0, 'CHANGED'::bytea), lo_from_bytea(71009, 'created after the snapshot'::bytea), lo_unlink(71003)`,
              )
              .then(() => sourceChanged?.());
          },
        },
      });
      await changed;
      await holder.query('COMMIT');
      const report = await syncing;
      assert.equal(report.largeObjects?.count, 4);
      assert.deepEqual(await objects(dbs.target), before);
      assert.notDeepEqual(await objects(dbs.source), before, 'the source really changed during the sync');
    } finally {
      await holder.end();
    }
  });
});
