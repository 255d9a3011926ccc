/**
 * Database defaults that change how values print (ALTER DATABASE ... SET
 * DateStyle, bytea_output, ...) must not reach what pgtwin masks, copies,
 * checksums or looks for: every session sets its own (src/pg/session-settings.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';
import { openClient } from '../../src/pg/connect.js';
import { toEndpoint } from '../../src/pg/endpoint.js';
import { startupOptions, TEXT_FORMS } from '../../src/pg/session-settings.js';

const SECRET = '0c7e5d3b1a2f4e6d8c9b0a1f2e3d4c5b6a7f8e9d0c1b2a3f4e5d6c7b8a9f0e1d';

const CONFIG = `
anonymize:
  people:
    email: email
    born: { strategy: date, days: 30 }
    avatar: 'null'
    label: { strategy: template, template: 'token {{token}}' }
`;

const DDL = `
CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL, born date, seen timestamptz, score float8, waited interval,
                     token bytea, avatar bytea, label text, born_text text, avatar_hex text);
CREATE TABLE contacts (id int PRIMARY KEY, person_email text);`;

interface VerifyJson {
  ok: boolean;
  tables: Array<{ table: string; status: string }>;
  leaks: null | { leaks: number; findings: Array<{ table: string; column: string; origin: string; count: number }> };
}

describe('session settings against database defaults', () => {
  let dbs: TestDatabases;
  let dir: string;
  const env = { PGTWIN_SECRET: SECRET };

  before(async () => {
    dbs = await createTestDatabases('session_settings');
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-settings-'));
    await writeFile(join(dir, 'pgtwin.yaml'), CONFIG);
    await dbs.source.query(DDL);
    // born_text and avatar_hex hold the ISO and hex text of the masked born and
    // avatar: leaks the scan must find. Written by this session (server defaults).
    await dbs.source.query(
      `INSERT INTO people
       SELECT g, 'p' || g || '@mail.example.net', date '1980-01-13' + g * 17, timestamptz '2024-03-01 10:00:00.123456+00' + g * interval '77 minutes',
              g / 7.0::float8, g * interval '1 day 3 hours 5.25 seconds', decode(lpad(to_hex(g * 4099), 8, '0') || '5c00ff', 'hex'),
              decode('00ff5c' || lpad(to_hex(g), 6, '0'), 'hex'), 'label ' || g, NULL, NULL
       FROM generate_series(1, 200) g`,
    );
    await dbs.source.query(`UPDATE people SET born_text = born::text, avatar_hex = avatar::text WHERE id % 10 = 0`);
    await dbs.source.query(`INSERT INTO contacts SELECT g, 'p' || g || '@mail.example.net' FROM generate_series(1, 200, 40) g`);
    // Every new session on these databases now prints values another way.
    await dbs.source.query(
      `ALTER DATABASE ${dbs.name} SET DateStyle = 'SQL, DMY'; ALTER DATABASE ${dbs.name} SET TimeZone = 'America/New_York';
       ALTER DATABASE ${dbs.name} SET IntervalStyle = 'sql_standard'; ALTER DATABASE ${dbs.name} SET extra_float_digits = 0;
       ALTER DATABASE ${dbs.name} SET bytea_output = 'escape'`,
    );
    await dbs.target.query(
      `ALTER DATABASE ${dbs.name} SET DateStyle = 'German'; ALTER DATABASE ${dbs.name} SET TimeZone = 'Asia/Tokyo';
       ALTER DATABASE ${dbs.name} SET IntervalStyle = 'iso_8601'; ALTER DATABASE ${dbs.name} SET extra_float_digits = -3`,
    );
  });
  after(async () => {
    await dbs.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives every session pgtwin opens the text forms, whatever the database defaults', async () => {
    const source = await openClient(toEndpoint({ name: 'source', url: dbs.sourceUrl }, 'source', {}), { readOnly: true });
    try {
      for (const setting of TEXT_FORMS) {
        const shown = await source.query<{ value: string }>(`SELECT current_setting($1) AS value`, [setting.name]);
        assert.equal(shown.rows[0]?.value, setting.value, setting.name);
      }
    } finally {
      await source.end();
    }
  });

  it('gives the replication connection the same text forms in its startup options', async () => {
    const url = new URL(dbs.sourceUrl);
    url.searchParams.set('replication', 'database');
    const walsender = new pg.Client({ connectionString: url.toString(), options: startupOptions(TEXT_FORMS) });
    await walsender.connect();
    try {
      for (const setting of TEXT_FORMS) {
        const shown = await walsender.query<Record<string, string>>(`SHOW ${setting.name}`);
        assert.equal(Object.values(shown.rows[0] ?? {})[0], setting.value, setting.name);
      }
    } finally {
      await walsender.end();
    }
  });

  it('syncs, masks dates and templates as ISO and hex text, verifies, and finds exactly the planted leaks', async () => {
    const sync = await pgtwin(['sync', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--yes'], { cwd: dir, env });
    assert.equal(sync.code, 0, sync.stderr);

    // This test's sessions predate the ALTER DATABASEs: server defaults (ISO, hex).
    const source = await dbs.source.query<{ id: number; born: string; token: string; seen: string; score: number; waited: string }>(
      `SELECT id, born::text AS born, token::text AS token, seen::text AS seen, score, waited::text AS waited FROM people ORDER BY id`,
    );
    const target = await dbs.target.query<{ id: number; born: string; label: string; seen: string; score: number; waited: string }>(
      `SELECT id, born::text AS born, label, seen::text AS seen, score, waited::text AS waited FROM people ORDER BY id`,
    );
    assert.equal(target.rows.length, 200);
    const day = 86_400_000;
    target.rows.forEach((row, i) => {
      const from = source.rows[i];
      assert.ok(from !== undefined && from.id === row.id);
      // The date strategy read ISO text from a day-first source and shifted it within 30 days.
      const shift = Math.abs(Date.parse(row.born) - Date.parse(from.born)) / day;
      assert.ok(shift >= 1 && shift <= 30, `${from.born} -> ${row.born}`);
      // A template reading a bytea column writes its hex form, as follow's stream prints it.
      assert.equal(row.label, `token ${from.token}`);
      assert.deepEqual([row.seen, row.score, row.waited], [from.seen, from.score, from.waited]);
    });

    const verify = await pgtwin(['verify', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, '--leaks', '--json'], { cwd: dir, env });
    const report = JSON.parse(verify.stdout) as VerifyJson;
    assert.deepEqual(report.tables.map((t) => [t.table, t.status]).sort(), [
      ['public.contacts', 'match'],
      ['public.people', 'match'],
    ]);
    assert.deepEqual(report.leaks?.findings.map((f) => [f.table, f.column, f.origin, f.count]).sort(), [
      ['public.contacts', 'person_email', 'public.people.email', 5],
      ['public.people', 'avatar_hex', 'public.people.avatar', 20],
      ['public.people', 'born_text', 'public.people.born', 20],
    ]);
    // Only the leaks fail it (exit 5); the tables match.
    assert.equal(verify.code, 5, verify.stderr);
    assert.equal(report.ok, false);
  });
});
