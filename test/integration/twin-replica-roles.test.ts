/**
 * A target role that is not a superuser (PostgreSQL 18 target): without
 * `GRANT SET ON PARAMETER session_replication_role` and without owning the
 * tables, sync and follow refuse before anything is written and name the
 * GRANT; owning the tables, a sync turns their triggers off inside its own
 * transactions (and they are on again after); with the GRANT, both work.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';
import { loadSettings } from '../../src/config/index.js';
import { runFollow } from '../../src/follow/follow.js';
import { PgtwinError } from '../../src/errors.js';

const TWIN_TRIGGERS = `
  CREATE TABLE twin_side (what text);
  CREATE FUNCTION twin_stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.last_update = timestamptz '1999-09-09 09:09:09+00'; RETURN NEW; END $$;
  CREATE FUNCTION twin_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO twin_side VALUES (TG_OP); RETURN NULL; END $$;
  CREATE TRIGGER twin_stamp BEFORE INSERT OR UPDATE ON notes FOR EACH ROW EXECUTE FUNCTION twin_stamp();
  CREATE TRIGGER twin_note AFTER INSERT OR UPDATE ON notes FOR EACH ROW EXECUTE FUNCTION twin_note();
  CREATE TRIGGER twin_truncate AFTER TRUNCATE ON notes FOR EACH STATEMENT EXECUTE FUNCTION twin_note();`;

describe('a target role that is not a superuser', () => {
  let dbs: TestDatabases;
  let dir: string;
  let roleUrl = '';
  const role = `twin_w_${randomBytes(3).toString('hex')}`;
  const password = 'Writer-pass-' + randomBytes(4).toString('hex');
  const slot = `pgtwin_w_${randomBytes(4).toString('hex')}`;

  const rows = async (client: pg.Client): Promise<string> =>
    (await client.query<{ t: string | null }>(`SELECT string_agg(n::text, E'\\n' ORDER BY n.id) AS t FROM notes n`)).rows[0]?.t ?? '';
  const side = async (): Promise<number> =>
    Number((await dbs.target.query<{ n: string }>('SELECT count(*) AS n FROM twin_side')).rows[0]?.n);
  const slotExists = async (): Promise<boolean> =>
    ((await dbs.source.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot])).rowCount ?? 0) > 0;

  before(async () => {
    dbs = await createTestDatabases('replica_roles');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-roles-'));
    await dbs.source.query(`CREATE TABLE notes (id int PRIMARY KEY, body text, last_update timestamptz NOT NULL);
      INSERT INTO notes SELECT g, 'note ' || g, timestamptz '2020-01-01 00:00:00+00' + g * interval '1 hour' FROM generate_series(1, 40) g;
      CREATE PUBLICATION pgtwin FOR TABLE notes`);
    await dbs.target.query(`CREATE TABLE notes (id int PRIMARY KEY, body text, last_update timestamptz NOT NULL);
      INSERT INTO notes VALUES (999, 'kept', '2000-01-01 00:00:00+00');`);
    await dbs.target.query(TWIN_TRIGGERS);
    await dbs.target.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}';
      GRANT CREATE ON DATABASE ${dbs.name} TO ${role};
      GRANT USAGE ON SCHEMA public TO ${role};
      GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON notes, twin_side TO ${role}`);
    const url = new URL(dbs.targetUrl);
    url.username = role;
    url.password = password;
    roleUrl = url.toString();
  });
  after(async () => {
    await dbs.source
      .query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1`, [slot])
      .catch(() => undefined);
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: process.env['PGTWIN_TEST_TARGET_URL'] });
    await admin.connect();
    try {
      await admin.query(`REVOKE SET ON PARAMETER session_replication_role FROM ${role}`).catch(() => undefined);
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
    } finally {
      await admin.end();
    }
  });

  it('without the GRANT: sync refuses, names the GRANT, and writes nothing', async () => {
    const result = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', roleUrl, '--yes'], { cwd: dir });
    assert.equal(result.code, 5, result.stderr);
    assert.match(
      result.stderr,
      /may not set session_replication_role = replica, and the twin has triggers or rules that would rewrite the rows pgtwin writes; nothing was written/,
    );
    assert.match(result.stderr, /trigger twin_stamp on public\.notes \(not owned by this role\)/);
    assert.match(result.stderr, new RegExp(`GRANT SET ON PARAMETER session_replication_role TO "${role}";`));
    assert.equal(await rows(dbs.target), `(999,kept,"2000-01-01 00:00:00+00")`);
    assert.equal(await side(), 0);
    // The plan says so too, before anyone is asked to confirm a truncation.
    const plan = await pgtwin(['plan', '--from', dbs.sourceUrl, '--to', roleUrl], { cwd: dir });
    assert.equal(plan.code, 5, plan.stderr);
    assert.match(plan.stderr, /GRANT SET ON PARAMETER session_replication_role/);
  });

  it('without the GRANT: follow refuses before creating its slot or loading anything', async () => {
    const settings = await loadSettings({ cwd: dir, env: {}, overrides: { source: dbs.sourceUrl, target: roleUrl } });
    const controller = new AbortController();
    const done = runFollow({ settings, env: {}, signal: controller.signal, confirm: async () => true, slot });
    // A follow that was not refused would stream until stopped: stop it, so the test fails instead of hanging.
    const outcome = await Promise.race([
      done.then(
        () => 'followed',
        (error: unknown) => error,
      ),
      sleep(20_000).then(() => 'still following'),
    ]);
    controller.abort(new Error('test stop'));
    await done.catch(() => undefined);
    assert.ok(outcome instanceof PgtwinError && outcome.code === 'TWIN_TRIGGERS_WOULD_FIRE', String(outcome));
    assert.match(outcome.nextStep ?? '', /GRANT SET ON PARAMETER session_replication_role/);
    assert.equal(await slotExists(), false);
    assert.equal(await rows(dbs.target), `(999,kept,"2000-01-01 00:00:00+00")`);
    assert.equal(await side(), 0);
  });

  it('owning the tables, without the GRANT: sync turns the triggers off only inside its transactions', async () => {
    await dbs.target.query(`ALTER TABLE notes OWNER TO ${role}`);
    try {
      const result = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', roleUrl, '--yes'], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /the triggers of public\.notes are turned off inside each load transaction/);
      assert.equal(await rows(dbs.target), await rows(dbs.source));
      assert.equal(await side(), 0);
      const enabled = await dbs.target.query(
        `SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'notes'::regclass AND NOT tgisinternal ORDER BY tgname`,
      );
      assert.deepEqual(enabled.rows, [
        { tgname: 'twin_note', tgenabled: 'O' },
        { tgname: 'twin_stamp', tgenabled: 'O' },
        { tgname: 'twin_truncate', tgenabled: 'O' },
      ]);
    } finally {
      // Changing the owner folds the role's grants into ownership: give them back.
      await dbs.target.query(`ALTER TABLE notes OWNER TO postgres; GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON notes TO ${role}`);
    }
  });

  it('with GRANT SET ON PARAMETER session_replication_role: sync and follow keep the source rows as they are', async () => {
    await dbs.target.query(`DELETE FROM notes; INSERT INTO notes VALUES (999, 'kept', '2000-01-01 00:00:00+00'); DELETE FROM twin_side`);
    await dbs.target.query(`GRANT SET ON PARAMETER session_replication_role TO ${role}`);
    const result = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', roleUrl, '--yes'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await rows(dbs.target), await rows(dbs.source));
    assert.equal(await side(), 0);

    const settings = await loadSettings({ cwd: dir, env: {}, overrides: { source: dbs.sourceUrl, target: roleUrl } });
    const controller = new AbortController();
    const done = runFollow({
      settings,
      env: {},
      signal: controller.signal,
      confirm: async () => true,
      slot,
      maxBatchDelayMs: 50,
      statusIntervalMs: 200,
    });
    let failed: unknown;
    done.catch((error: unknown) => (failed = error));
    try {
      for (let i = 0; i < 300 && failed === undefined && !(await slotExists()); i++) await sleep(100);
      if (failed !== undefined) throw failed;
      await dbs.source.query(
        `INSERT INTO notes VALUES (41, 'new', '2021-01-01 00:00:00+00'); UPDATE notes SET body = body || '!' WHERE id <= 5`,
      );
      let same = false;
      for (let i = 0; i < 300 && failed === undefined && !same; i++) {
        same = (await rows(dbs.target)) === (await rows(dbs.source));
        if (!same) await sleep(100);
      }
      if (failed !== undefined) throw failed;
      assert.equal(await rows(dbs.target), await rows(dbs.source));
      assert.equal(await side(), 0);
    } finally {
      controller.abort(new Error('test stop'));
      await done.catch(() => undefined);
    }
  });
});
