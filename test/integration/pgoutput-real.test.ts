/**
 * The pgoutput decoder against bytes from a real server: a slot on the source
 * test server (wal_level=logical) is read with
 * pg_logical_slot_peek_binary_changes, which returns exactly the messages a
 * walsender would put inside XLogData.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { formatLsn, parseLsn } from '../../src/stream/lsn.js';
import { decodePgoutput, UNCHANGED_TOAST, type PgoutputMessage } from '../../src/stream/pgoutput.js';
import { pgEpochMicros } from '../../src/stream/replication-messages.js';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';

const BIG = 'x'.repeat(100_000);
const STAMP = '2024-02-29 12:34:56.123456+00';
const ORIGIN_LSN = '1/23456789';

type Transaction = PgoutputMessage[];

/** Splits the decoded stream at begin/commit; everything here is transactional. */
function transactions(messages: readonly PgoutputMessage[]): Transaction[] {
  const result: Transaction[] = [];
  let current: Transaction | undefined;
  for (const message of messages) {
    if (message.tag === 'begin') current = [];
    assert.ok(current !== undefined, `${message.tag} outside a transaction`);
    current.push(message);
    if (message.tag === 'commit') {
      result.push(current);
      current = undefined;
    }
  }
  assert.equal(current, undefined, 'the last transaction is complete');
  return result;
}

/** The row changes of a transaction, without the relation/type messages a session may resend at any time. */
function changes(txn: Transaction): PgoutputMessage[] {
  return txn.filter((m) => m.tag !== 'begin' && m.tag !== 'commit' && m.tag !== 'relation' && m.tag !== 'type');
}

describe('pgoutput: decoding a real server', () => {
  let dbs: TestDatabases | undefined;
  const suffix = randomBytes(4).toString('hex');
  const slot = `pgtwin_test_${suffix}`;
  const origin = `pgtwin_test_origin_${suffix}`;
  let serverVersion = 0;
  let txns: Transaction[] = [];
  let firstXid = 0;
  let started = 0n;
  let finished = 0n;
  let oids: { items: number; fullRows: number; mood: number } = { items: 0, fullRows: 0, mood: 0 };

  before(async () => {
    dbs = await createTestDatabases('pgoutput_real');
    const db = dbs.source;
    serverVersion = Number((await db.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]?.v);
    // Decoding stops at the WAL flushed so far, and the test server commits asynchronously.
    await db.query('SET synchronous_commit = on');
    await db.query(`
      CREATE TYPE mood AS ENUM ('ok', 'happy');
      CREATE TABLE items (id int PRIMARY KEY, note text, at timestamptz, big text, n numeric(10,2), m mood);
      -- EXTERNAL stores large values out of line uncompressed, so an untouched one stays an on-disk TOAST pointer.
      ALTER TABLE items ALTER COLUMN big SET STORAGE EXTERNAL;
      CREATE TABLE full_rows (id int, label text);
      ALTER TABLE full_rows REPLICA IDENTITY FULL;
      CREATE PUBLICATION pub FOR TABLE items, full_rows;`);
    const o = await db.query<{ items: number; full_rows: number; mood: number }>(
      `SELECT 'items'::regclass::oid::int AS items, 'full_rows'::regclass::oid::int AS full_rows, 'mood'::regtype::oid::int AS mood`,
    );
    const row = o.rows[0];
    assert.ok(row !== undefined);
    oids = { items: row.items, fullRows: row.full_rows, mood: row.mood };
    await db.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);

    started = pgEpochMicros();
    await db.query('BEGIN');
    await db.query(`INSERT INTO items VALUES (1, 'héllo € 😀', $1, $2, NULL, 'happy'), (2, '', NULL, NULL, 1.5, NULL)`, [STAMP, BIG]);
    firstXid = Number(BigInt((await db.query<{ x: string }>('SELECT txid_current()::text AS x')).rows[0]?.x ?? '0') % 2n ** 32n);
    if (serverVersion >= 140000) await db.query(`SELECT pg_logical_emit_message(true, 'pgtwin_test', 'hi é')`);
    await db.query('COMMIT');
    await db.query(`UPDATE items SET note = 'changed' WHERE id = 1`);
    await db.query(`UPDATE items SET id = 3 WHERE id = 2`);
    await db.query(`DELETE FROM items WHERE id = 3`);
    await db.query(`BEGIN; INSERT INTO full_rows VALUES (1, 'a'); UPDATE full_rows SET label = 'b'; DELETE FROM full_rows; COMMIT`);
    await db.query(`TRUNCATE items, full_rows RESTART IDENTITY CASCADE`);
    await db.query(`TRUNCATE full_rows`);
    await db.query(`SELECT pg_replication_origin_create($1)`, [origin]);
    await db.query('BEGIN');
    await db.query(`SELECT pg_replication_origin_session_setup($1)`, [origin]);
    await db.query(`SELECT pg_replication_origin_xact_setup($1, now())`, [ORIGIN_LSN]);
    await db.query(`INSERT INTO full_rows VALUES (9, 'from elsewhere')`);
    await db.query('COMMIT');
    await db.query('SELECT pg_replication_origin_session_reset()');
    finished = pgEpochMicros();

    // Output functions run in the decoding session: its TimeZone decides how timestamptz reads.
    await db.query(`SET TimeZone = 'UTC'`);
    const options = ['proto_version', '1', 'publication_names', 'pub', ...(serverVersion >= 140000 ? ['messages', 'true'] : [])];
    const peeked = await db.query<{ data: Buffer }>(
      `SELECT data FROM pg_logical_slot_peek_binary_changes($1, NULL, NULL, ${options.map((_, i) => `$${i + 2}`).join(', ')})`,
      [slot, ...options],
    );
    txns = transactions(peeked.rows.map((r) => decodePgoutput(r.data)));
  });

  after(async () => {
    // Slots and origins belong to the server, not the database: they outlive it (and a slot blocks DROP DATABASE).
    const db = dbs?.source;
    if (db !== undefined) {
      await db.query('SELECT pg_replication_origin_session_reset()').catch(() => undefined);
      await db
        .query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot])
        .catch(() => undefined);
      await db
        .query('SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname = $1', [origin])
        .catch(() => undefined);
    }
    await dbs?.drop();
  });

  it('reads every transaction, with begin and commit agreeing', () => {
    assert.equal(txns.length, 8);
    for (const txn of txns) {
      const begin = txn[0];
      const commit = txn[txn.length - 1];
      assert.ok(begin?.tag === 'begin' && commit?.tag === 'commit');
      assert.equal(begin.finalLsn, commit.commitLsn);
      assert.ok(commit.endLsn > commit.commitLsn);
      assert.equal(begin.commitTime, commit.commitTime);
      assert.equal(commit.flags, 0);
      // Same machine, same clock: the commit time lies within the run (with slack for rounding).
      assert.ok(
        begin.commitTime >= started - 1_000_000n && begin.commitTime <= finished + 1_000_000n,
        `${begin.commitTime} in [${started}, ${finished}]`,
      );
    }
    const lsns = txns.map((t) => (t[0]?.tag === 'begin' ? t[0].finalLsn : 0n));
    assert.deepEqual(
      [...lsns].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      lsns,
      'commit order',
    );
  });

  it('reads begin, the enum type, the relation and the inserts of the first transaction', () => {
    const txn = txns[0] ?? [];
    const expected =
      serverVersion >= 140000
        ? ['begin', 'type', 'relation', 'insert', 'insert', 'message', 'commit']
        : ['begin', 'type', 'relation', 'insert', 'insert', 'commit'];
    assert.deepEqual(
      txn.map((m) => m.tag),
      expected,
    );
    const [begin, type, relation, first, second] = txn;
    assert.ok(begin?.tag === 'begin');
    assert.equal(begin.xid, firstXid);
    assert.deepEqual(type, { tag: 'type', typeOid: oids.mood, schema: 'public', name: 'mood' });
    assert.ok(relation?.tag === 'relation');
    assert.equal(relation.relationOid, oids.items);
    assert.equal(relation.schema, 'public');
    assert.equal(relation.name, 'items');
    assert.equal(relation.replicaIdentity, 'd');
    assert.deepEqual(
      relation.columns.map((c) => [c.name, c.isKey, c.typeOid, c.typeMod]),
      [
        ['id', true, 23, -1],
        ['note', false, 25, -1],
        ['at', false, 1184, -1],
        ['big', false, 25, -1],
        ['n', false, 1700, (10 << 16) + 2 + 4],
        ['m', false, oids.mood, -1],
      ],
    );
    assert.deepEqual(first, { tag: 'insert', relationOid: oids.items, newTuple: ['1', 'héllo € 😀', STAMP, BIG, null, 'happy'] });
    assert.deepEqual(second, { tag: 'insert', relationOid: oids.items, newTuple: ['2', '', null, null, '1.50', null] });
  });

  it('reads a transactional logical decoding message', (t) => {
    if (serverVersion < 140000) return t.skip('the messages option needs PostgreSQL 14');
    const message = txns[0]?.find((m) => m.tag === 'message');
    assert.ok(message?.tag === 'message');
    assert.equal(message.transactional, true);
    assert.equal(message.prefix, 'pgtwin_test');
    assert.equal(message.content.toString('utf8'), 'hi é');
    const commit = txns[0]?.at(-1);
    // The server stamps a message with the end of its WAL record, which here is where the commit record starts.
    assert.ok(
      commit?.tag === 'commit' && message.lsn > 0n && message.lsn <= commit.commitLsn,
      `${message.lsn} <= ${commit?.tag === 'commit' ? commit.commitLsn : '?'}`,
    );
  });

  it('reads an update that leaves a TOASTed value untouched as UNCHANGED_TOAST', () => {
    assert.deepEqual(changes(txns[1] ?? []), [
      {
        tag: 'update',
        relationOid: oids.items,
        keyTuple: undefined,
        oldTuple: undefined,
        newTuple: ['1', 'changed', STAMP, UNCHANGED_TOAST, null, 'happy'],
      },
    ]);
  });

  it('reads the old key (K) of an update that changes the key, and of a delete', () => {
    assert.deepEqual(changes(txns[2] ?? []), [
      {
        tag: 'update',
        relationOid: oids.items,
        keyTuple: ['2', null, null, null, null, null],
        oldTuple: undefined,
        newTuple: ['3', '', null, null, '1.50', null],
      },
    ]);
    assert.deepEqual(changes(txns[3] ?? []), [
      { tag: 'delete', relationOid: oids.items, keyTuple: ['3', null, null, null, null, null], oldTuple: undefined },
    ]);
  });

  it('reads whole old rows (O) under REPLICA IDENTITY FULL', () => {
    const relation = txns[4]?.find((m) => m.tag === 'relation');
    assert.ok(relation?.tag === 'relation');
    assert.equal(relation.replicaIdentity, 'f');
    assert.deepEqual(
      relation.columns.map((c) => c.isKey),
      [true, true],
      'every column is part of a full identity',
    );
    assert.deepEqual(changes(txns[4] ?? []), [
      { tag: 'insert', relationOid: oids.fullRows, newTuple: ['1', 'a'] },
      { tag: 'update', relationOid: oids.fullRows, keyTuple: undefined, oldTuple: ['1', 'a'], newTuple: ['1', 'b'] },
      { tag: 'delete', relationOid: oids.fullRows, keyTuple: undefined, oldTuple: ['1', 'b'] },
    ]);
  });

  it('reads truncate with and without CASCADE / RESTART IDENTITY', () => {
    const both = changes(txns[5] ?? []);
    assert.equal(both.length, 1);
    assert.ok(both[0]?.tag === 'truncate');
    assert.deepEqual([...both[0].relationOids].sort(), [oids.items, oids.fullRows].sort());
    assert.equal(both[0].cascade, true);
    assert.equal(both[0].restartIdentity, true);
    assert.deepEqual(changes(txns[6] ?? []), [{ tag: 'truncate', relationOids: [oids.fullRows], cascade: false, restartIdentity: false }]);
  });

  it('reads the origin of a transaction replayed from elsewhere', () => {
    const txn = txns[7] ?? [];
    assert.deepEqual(txn[1], { tag: 'origin', originLsn: parseLsn(ORIGIN_LSN), name: origin });
    assert.deepEqual(changes(txn).slice(1), [{ tag: 'insert', relationOid: oids.fullRows, newTuple: ['9', 'from elsewhere'] }]);
  });

  it('formats LSNs as this server prints them', async (t) => {
    if (serverVersion >= 190000) return t.skip('PostgreSQL 19 may zero-pad the low half; parseLsn accepts both');
    assert.ok(dbs !== undefined);
    const result = await dbs.source.query<{ a: string; b: string; c: string; d: string }>(
      `SELECT '16/B374D848'::pg_lsn::text AS a, '0/1'::pg_lsn::text AS b, 'FFFFFFFF/FFFFFFFF'::pg_lsn::text AS c, pg_current_wal_lsn()::text AS d`,
    );
    const row = result.rows[0];
    assert.ok(row !== undefined);
    for (const text of [row.a, row.b, row.c, row.d]) assert.equal(formatLsn(parseLsn(text)), text);
  });
});
