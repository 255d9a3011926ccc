import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { pgtwin } from '../support/cli.js';
import { TEST_PASSWORD } from '../support/constants.js';

const SCHEMA = `
CREATE TABLE customers (id int PRIMARY KEY, name text);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers);
CREATE TABLE logs (msg text, at timestamptz);
CREATE TABLE events (id int NOT NULL, body text);
CREATE UNIQUE INDEX events_id_key ON events (id);
CREATE TABLE measurements (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE SCHEMA sales;
CREATE TABLE sales.items (id int PRIMARY KEY, label text);
INSERT INTO customers VALUES (1, 'Ada'), (2, 'Grace');
INSERT INTO orders VALUES (10, 1);
INSERT INTO logs VALUES ('hello', now());
INSERT INTO sales.items VALUES (1, 'lamp');
`;

interface JsonResult {
  ready: boolean;
  applied: boolean;
  statements: string[];
  problems: Array<{ kind: string; table: string | null; message: string; fix: string }>;
}

describe('pgtwin setup-source and teardown', () => {
  let dbs: TestDatabases;
  const suffix = randomBytes(3).toString('hex');
  const replicator = `pgtwin_rep_${suffix}`;
  const plainRole = `pgtwin_plain_${suffix}`;
  const slots: string[] = [];
  const slotName = (label: string): string => {
    const name = `pgtwin_${label}_${suffix}`;
    slots.push(name);
    return name;
  };

  before(async () => {
    dbs = await createTestDatabases('setup_source');
    await dbs.source.query(SCHEMA);
  });

  after(async () => {
    // A database cannot be dropped while a slot decodes it.
    for (const slot of slots) await dropSlot(slot);
    await dbs.drop();
    const admin = new pg.Client({ connectionString: process.env['PGTWIN_TEST_SOURCE_URL'] });
    await admin.connect();
    try {
      for (const role of [replicator, plainRole]) await admin.query(`DROP ROLE IF EXISTS ${role}`);
    } finally {
      await admin.end();
    }
  });

  async function dropSlot(slot: string): Promise<void> {
    const admin = new pg.Client({ connectionString: process.env['PGTWIN_TEST_SOURCE_URL'] });
    await admin.connect();
    try {
      for (let attempt = 0; attempt < 50; attempt++) {
        const row = (
          await admin.query<{ active_pid: number | null }>('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [slot])
        ).rows[0];
        if (row === undefined) return;
        if (row.active_pid !== null) await admin.query('SELECT pg_terminate_backend($1)', [row.active_pid]);
        else if ((await admin.query('SELECT pg_drop_replication_slot($1)', [slot]).catch(() => undefined)) !== undefined) return;
        await sleep(100);
      }
    } finally {
      await admin.end();
    }
  }

  const run = (args: readonly string[], env: Record<string, string> = {}) =>
    pgtwin(['setup-source', '--from', dbs.sourceUrl, '--to', dbs.targetUrl, ...args], { env });

  async function publishedTables(publication = 'pgtwin'): Promise<string[]> {
    const result = await dbs.source.query<{ name: string }>(
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid
       JOIN pg_class c ON c.oid = pr.prrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE p.pubname = $1 ORDER BY 1`,
      [publication],
    );
    return result.rows.map((r) => r.name);
  }

  async function identities(): Promise<Record<string, string>> {
    const result = await dbs.source.query<{ name: string; identity: string }>(
      `SELECT n.nspname || '.' || c.relname AS name, c.relreplident AS identity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('public', 'sales') ORDER BY 1`,
    );
    return Object.fromEntries(result.rows.map((r) => [r.name, r.identity]));
  }

  async function publicationExists(name = 'pgtwin'): Promise<boolean> {
    return (await dbs.source.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [name])).rows.length > 0;
  }

  it('reports the tables without a primary key with the fix, and --dry-run changes nothing', async () => {
    const identitiesBefore = await identities();
    const result = await run(['--dry-run']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /SOURCE_NOT_READY|not ready for pgtwin follow/);
    assert.match(result.stderr, /public\.logs has no primary key \(and REPLICA IDENTITY DEFAULT\)/);
    assert.match(result.stderr, /fix: ALTER TABLE "public"\."logs" REPLICA IDENTITY FULL;/);
    assert.match(
      result.stderr,
      /ALTER TABLE "public"\."events" REPLICA IDENTITY USING INDEX "events_id_key"/,
      'names the unique NOT NULL index',
    );
    assert.match(result.stderr, /public\.measurements_2024 \(a partition of public\.measurements\) has no primary key/);
    assert.match(result.stdout, /^-- Left out of the publication:\n-- {3}- public\.logs \(no replica identity/m);
    // The script publishes only what can be published without breaking UPDATEs.
    assert.match(
      result.stdout,
      /CREATE PUBLICATION "pgtwin" FOR TABLE "public"\."customers", "public"\."orders", "sales"\."items" WITH \(publish_via_partition_root = true\);/,
    );
    assert.match(result.stdout, /BEGIN;\nSET LOCAL lock_timeout = '5s';/);
    assert.equal(await publicationExists(), false, 'nothing was created');
    assert.deepEqual(await identities(), identitiesBefore, 'no table was altered');
    assert.ok(!result.stdout.includes(TEST_PASSWORD) && !result.stderr.includes(TEST_PASSWORD));

    const json = await run(['--dry-run', '--json']);
    assert.equal(json.code, 1);
    const parsed = JSON.parse(json.stdout) as JsonResult;
    assert.equal(parsed.ready, false);
    assert.deepEqual(
      parsed.problems
        .filter((p) => p.kind === 'replica-identity')
        .map((p) => p.table)
        .sort(),
      ['public.events', 'public.logs', 'public.measurements_2024'],
    );
  });

  it('without --yes and without a terminal refuses (exit 5) and changes nothing', async () => {
    const result = await run(['--tables', 'customers,orders']);
    assert.equal(result.code, 5, result.stderr);
    assert.match(result.stderr, /no terminal to confirm/);
    assert.match(result.stderr, /CREATE PUBLICATION "pgtwin"/, 'the refusal shows the SQL');
    assert.equal(await publicationExists(), false);
  });

  it('--yes creates the publication with exactly the selected tables; a rerun changes nothing', async () => {
    const result = await run(['--tables', 'customers,orders,sales.items', '--yes']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /The source is ready for pgtwin follow/);
    assert.deepEqual(await publishedTables(), ['public.customers', 'public.orders', 'sales.items']);

    const again = await run(['--tables', 'customers,orders,sales.items', '--json']);
    assert.equal(again.code, 0, again.stderr);
    const parsed = JSON.parse(again.stdout) as JsonResult;
    assert.deepEqual(parsed.statements, []);
    assert.equal(parsed.ready, true);
    assert.equal(parsed.applied, false);
    const text = await run(['--tables', 'customers,orders,sales.items']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Nothing to change: the source is ready/);
  });

  it('--replica-identity-full changes only the key-less tables and adds them to the publication', async () => {
    const result = await run(['--replica-identity-full', '--yes']);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.deepEqual(await identities(), {
      'public.customers': 'd',
      'public.events': 'f',
      'public.logs': 'f',
      'public.measurements': 'f',
      'public.measurements_2024': 'f',
      'public.orders': 'd',
      'sales.items': 'd',
    });
    assert.deepEqual(await publishedTables(), [
      'public.customers',
      'public.events',
      'public.logs',
      'public.measurements',
      'public.orders',
      'sales.items',
    ]);
    // Production keeps working: UPDATE and DELETE on a published key-less table.
    await dbs.source.query(`UPDATE logs SET msg = 'changed'; DELETE FROM logs`);
  });

  it('--create-role creates a role that logs in with REPLICATION and reads the selected tables; the password is never printed', async () => {
    const password = 'Repl-Secret-123';
    const dry = await run(['--create-role', replicator, '--dry-run'], { PGTWIN_REPLICATION_PASSWORD: password });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`CREATE ROLE "${replicator}" LOGIN REPLICATION PASSWORD '\\*\\*\\*';`));
    assert.match(dry.stdout, new RegExp(`GRANT USAGE ON SCHEMA "public", "sales" TO "${replicator}"`));
    assert.ok(!dry.stdout.includes(password) && !dry.stdout.includes('SCRAM-SHA-256'));

    const noPassword = await run(['--create-role', replicator, '--yes']);
    assert.equal(noPassword.code, 2, noPassword.stderr);
    assert.match(noPassword.stderr, /PGTWIN_REPLICATION_PASSWORD is not set/);

    const result = await run(['--create-role', replicator, '--yes'], { PGTWIN_REPLICATION_PASSWORD: password });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.ok(!result.stdout.includes(password) && !result.stderr.includes(password));
    assert.match(result.stdout, /follow connects as: pgtwin_rep_/);

    const url = new URL(dbs.sourceUrl);
    url.username = replicator;
    url.password = password;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const role = await client.query<{ rolreplication: boolean; rolsuper: boolean }>(
        'SELECT rolreplication, rolsuper FROM pg_roles WHERE rolname = current_user',
      );
      assert.deepEqual(role.rows[0], { rolreplication: true, rolsuper: false });
      assert.equal((await client.query('SELECT * FROM customers')).rows.length, 2);
      assert.equal((await client.query('SELECT * FROM sales.items')).rows.length, 1);
      await assert.rejects(client.query('INSERT INTO customers VALUES (3, $1)', ['x']), /permission denied/);
    } finally {
      await client.end();
    }
    const replication = new pg.Client({ connectionString: url.toString(), replication: 'database' } as pg.ClientConfig);
    await replication.connect();
    try {
      const system = await replication.query('IDENTIFY_SYSTEM');
      assert.equal(system.rows.length, 1, 'a replication connection works');
    } finally {
      await replication.end();
    }

    const again = await run(['--create-role', replicator, '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual((JSON.parse(again.stdout) as JsonResult).statements, [], 'an existing role with everything needs nothing');
  });

  it('a role without REPLICATION gets the missing privileges named with their fixes', async () => {
    await dbs.source.query(`CREATE ROLE ${plainRole} LOGIN PASSWORD 'Plain-pass-1'`);
    const url = new URL(dbs.sourceUrl);
    url.username = plainRole;
    url.password = 'Plain-pass-1';
    const result = await pgtwin([
      'setup-source',
      '--from',
      url.toString(),
      '--tables',
      'customers',
      '--publication',
      'other_pub',
      '--dry-run',
      '--json',
    ]);
    assert.equal(result.code, 1, result.stderr);
    const parsed = JSON.parse(result.stdout) as JsonResult;
    const byKind = new Map(parsed.problems.map((p) => [p.kind, p]));
    assert.match(
      byKind.get('replication-privilege')?.message ?? '',
      new RegExp(`The role ${plainRole} may not open a replication connection: it needs the REPLICATION attribute`),
    );
    assert.equal(byKind.get('replication-privilege')?.fix.startsWith(`ALTER ROLE "${plainRole}" REPLICATION;`), true);
    assert.equal(byKind.get('table-select')?.fix, `GRANT SELECT ON TABLE "public"."customers" TO "${plainRole}";`);
    const privileges = parsed.problems.filter((p) => p.kind === 'publication-privilege').map((p) => p.message);
    assert.ok(
      privileges.some((m) => m.includes('needs CREATE on database')),
      privileges.join('\n'),
    );
    assert.ok(
      privileges.some((m) => m.includes('Only the owner of a table may add it to a publication')),
      privileges.join('\n'),
    );
    assert.deepEqual(parsed.statements, [], 'nothing that would fail is proposed');
    assert.ok(!result.stdout.includes('Plain-pass-1') && !result.stderr.includes('Plain-pass-1'));
  });

  it('an existing publication with a row filter and fewer actions is repaired', async () => {
    await dbs.source.query(`CREATE PUBLICATION filtered_pub FOR TABLE customers WHERE (id > 1) WITH (publish = 'insert')`);
    try {
      const dry = await run(['--publication', 'filtered_pub', '--tables', 'customers,orders', '--dry-run', '--json']);
      const kinds = (JSON.parse(dry.stdout) as JsonResult).problems.map((p) => p.kind);
      assert.deepEqual(kinds, [], 'the dry run fixes everything it reports');
      const result = await run(['--publication', 'filtered_pub', '--tables', 'customers,orders', '--yes']);
      assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
      assert.match(result.stdout, /ALTER PUBLICATION "filtered_pub" SET \(publish = 'insert, update, delete, truncate'\);/);
      assert.match(result.stdout, /ALTER PUBLICATION "filtered_pub" DROP TABLE "public"\."customers";/);
      assert.deepEqual(await publishedTables('filtered_pub'), ['public.customers', 'public.orders']);
      const row = await dbs.source.query<{ filtered: boolean; upd: boolean }>(
        `SELECT pr.prqual IS NOT NULL AS filtered, p.pubupdate AS upd FROM pg_publication p JOIN pg_publication_rel pr ON pr.prpubid = p.oid
         WHERE p.pubname = 'filtered_pub' AND pr.prrelid = 'customers'::regclass`,
      );
      assert.deepEqual(row.rows[0], { filtered: false, upd: true });
    } finally {
      await dbs.source.query('DROP PUBLICATION IF EXISTS filtered_pub');
    }
  });

  it('teardown refuses an active slot (exit 5) and drops nothing', async () => {
    const slot = slotName('active');
    await dbs.source.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
    const replication = new pg.Client({ connectionString: dbs.sourceUrl, replication: 'database' } as pg.ClientConfig);
    replication.on('error', () => undefined);
    await replication.connect();
    const stream = replication.query(
      copyStreams.both(`START_REPLICATION SLOT "${slot}" LOGICAL 0/0 (proto_version '1', publication_names '"pgtwin"')`),
    );
    stream.on('error', () => undefined);
    stream.on('data', () => undefined);
    try {
      for (let i = 0; i < 100; i++) {
        const row = (await dbs.source.query<{ active: boolean }>('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]))
          .rows[0];
        if (row?.active === true) break;
        await sleep(50);
      }
      const result = await pgtwin(['teardown', '--from', dbs.sourceUrl, '--slot', slot, '--yes']);
      assert.equal(result.code, 5, result.stderr);
      assert.match(result.stderr, /SLOT_ACTIVE|is in use/);
      assert.match(result.stderr, /Stop pgtwin follow for this twin first/);
      assert.equal((await dbs.source.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows.length, 1);
      assert.equal(await publicationExists(), true);
    } finally {
      stream.destroy();
      await replication.end().catch(() => undefined);
    }
    await dropSlot(slot);
  });

  it('teardown --dry-run prints the SQL; --yes drops the slot, keeps the publication while another twin has a slot, then drops it', async () => {
    const mine = slotName('mine');
    const other = slotName('other');
    for (const slot of [mine, other]) await dbs.source.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
    const slotExists = async (slot: string): Promise<boolean> =>
      (await dbs.source.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows.length > 0;

    const dry = await pgtwin(['teardown', '--from', dbs.sourceUrl, '--slot', mine, '--force', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`SELECT pg_drop_replication_slot\\('${mine}'\\);\nDROP PUBLICATION IF EXISTS "pgtwin";`));
    assert.equal(await slotExists(mine), true);
    assert.equal(await publicationExists(), true);

    const refused = await pgtwin(['teardown', '--from', dbs.sourceUrl, '--slot', mine]);
    assert.equal(refused.code, 5, refused.stderr);
    assert.equal(await slotExists(mine), true);

    const first = await pgtwin(['teardown', '--from', dbs.sourceUrl, '--slot', mine, '--yes']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, new RegExp(`publication pgtwin is kept: other twins' slots on this database \\(${other}\\)`));
    assert.equal(await slotExists(mine), false);
    assert.equal(await publicationExists(), true);

    const second = await pgtwin(['teardown', '--from', dbs.sourceUrl, '--slot', other, '--yes', '--json']);
    assert.equal(second.code, 0, second.stderr);
    const parsed = JSON.parse(second.stdout) as { droppedSlot: boolean; droppedPublication: boolean };
    assert.deepEqual([parsed.droppedSlot, parsed.droppedPublication], [true, true]);
    assert.equal(await slotExists(other), false);
    assert.equal(await publicationExists(), false);

    const nothing = await pgtwin(['teardown', '--from', dbs.sourceUrl, '--slot', other]);
    assert.equal(nothing.code, 0, nothing.stderr);
    assert.match(nothing.stdout, /Nothing to drop/);
  });
});
