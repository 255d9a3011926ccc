/**
 * Archive mode on a public sample nobody here wrote (pagila), as a new user
 * runs it: `init` writes the config, `setup-source` the publication, `capture
 * --once` a base, then writes on the source that touch its odd types (an
 * enum, a text[] array, a tsvector kept by a trigger, a partitioned table's
 * rows moving between partitions, a bytea, the update and the delete of key
 * rows that foreign keys reference), `capture --once` again, and `apply` into
 * an empty twin. The twin equals the one `sync` builds from the same source
 * state with the same key and config, table by table; no source value of a
 * masked column is in the twin or in any file of the archive (decompressed);
 * `archive verify` is clean.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { archiveTexts } from '../support/archive-files.js';
import { pgtwin, type CliResult } from '../support/cli.js';
import { columnsOf } from '../support/compare.js';
import { TEST_PASSWORD } from '../support/constants.js';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { loadSample, PAGILA_ROWS } from '../support/samples.js';
import { tableChecksum } from '../../src/verify/table-checksum.js';

const SECRET = '3f8a1c6e9b2d5f0a7c4e1b8d5a2f9c6e3b0d7a4f1c8e5b2a9d6f3c0e7b4a1d8f';
const ENV = { PRODUCTION_PASSWORD: TEST_PASSWORD, TWIN_PASSWORD: TEST_PASSWORD, PGTWIN_SECRET: SECRET };

/** Rows of the tables PAGILA_ROWS leaves empty: films with arrays and embeddings, rentals, payments in two partitions. */
const MORE_ROWS = `
SET session_replication_role = replica;
UPDATE public.film SET special_features = '{Trailers,"Behind the Scenes"}' WHERE film_id = 1;
INSERT INTO public.film (film_id, title, description, release_year, language_id, rating, special_features, fulltext) VALUES
 (3, 'ADAPTATION HOLES', 'A Astounding Reflection of a Lumberjack', 2012, 1, 'NC-17', '{Trailers,"Deleted Scenes"}', '');
INSERT INTO public.film_embedding (film_id, embedding) VALUES (3, '{0.5,-1.25,3}');
INSERT INTO public.actor (actor_id, first_name, last_name) VALUES (1, 'PENELOPE', 'GUINESS'), (2, 'NICK', 'WAHLBERG');
INSERT INTO public.category (category_id, name) VALUES (1, 'Action'), (2, 'Animation');
INSERT INTO public.film_actor (actor_id, film_id) VALUES (1, 1), (2, 1), (1, 2);
INSERT INTO public.film_category (film_id, category_id) VALUES (1, 1), (2, 2);
INSERT INTO public.inventory (inventory_id, film_id, store_id) VALUES (1, 1, 1), (2, 2, 1), (3, 1, 2);
INSERT INTO public.rental (rental_id, rental_date, inventory_id, customer_id, return_date, staff_id) VALUES
 (1, '2022-01-24 22:53:30+00', 1, 1, '2022-01-26 22:04:30+00', 1), (2, '2022-02-01 01:01:00+00', 2, 2, NULL, 1),
 (3, '2022-02-10 10:00:00+00', 3, 5, '2022-02-12 09:00:00+00', 2);
INSERT INTO public.payment (payment_id, customer_id, staff_id, rental_id, amount, payment_date) VALUES
 (1, 1, 1, 1, 2.99, '2022-01-28 21:44:14+00'), (2, 2, 1, 2, 0.99, '2022-02-02 05:45:11+00'), (3, 5, 2, 3, 5.99, '2022-02-12 09:10:00+00');
UPDATE public.staff SET picture = '\\x89504e470d0a1a0a' WHERE staff_id = 1;
-- Values long enough to be stored out of line (TOAST): a kept one and a masked one.
UPDATE public.film SET description = (SELECT string_agg(md5(g::text), ' ') FROM generate_series(1, 200) g) WHERE film_id = 2;
UPDATE public.address SET address = (SELECT string_agg(md5('a' || g), ' ') FROM generate_series(1, 200) g) WHERE address_id = 9;
SELECT setval('public.customer_customer_id_seq', 6), setval('public.payment_payment_id_seq', 3);
SET session_replication_role = origin;`;

const NEW_PARTITION = `CREATE TABLE public.payment_p2026_12 PARTITION OF public.payment FOR VALUES FROM ('2026-12-01 00:00:00+00') TO ('2027-01-01 00:00:00+00')`;

/** The smallest set of source writes that touches pagila's odd types; triggers fire as they would in production. */
const WRITES = [
  // An enum and an array changed; the tsvector and last_update are rewritten by the film's triggers.
  `UPDATE public.film SET rating = 'PG-13', special_features = '{Commentaries,"with \\"quotes\\", and a comma"}' WHERE film_id = 1`,
  `INSERT INTO public.film (film_id, title, description, release_year, language_id, rating, special_features)
   VALUES (4, 'AFFAIR PREJUDICE', 'A Fanciful Documentary of a Frisbee', 2012, 1, 'R', '{}')`,
  // A key referenced by a customer (ON UPDATE CASCADE), changed together with masked columns.
  `UPDATE public.address SET address_id = 110, address = '99 Changed Road', phone = '5550001111' WHERE address_id = 10`,
  // A customer deleted with the rental and payment that reference it, in one transaction.
  `BEGIN; DELETE FROM public.payment WHERE payment_id = 3; DELETE FROM public.rental WHERE rental_id = 3; DELETE FROM public.customer WHERE customer_id = 5; COMMIT`,
  // A payment moved to another partition, one added to a third (new rows take their ids from the sequences).
  `UPDATE public.payment SET payment_date = '2022-03-15 12:00:00+00', amount = 3.99 WHERE payment_id = 1`,
  `INSERT INTO public.payment (customer_id, staff_id, rental_id, amount, payment_date) VALUES (2, 2, 2, 1.99, '2022-04-02 08:00:00+00')`,
  // A film whose embedding goes with it (ON DELETE CASCADE).
  `DELETE FROM public.film WHERE film_id = 3`,
  // Masked columns changed, and a new person.
  `UPDATE public.customer SET email = 'MARY.NEWADDRESS@sakilacustomer.org', first_name = 'MARYANNE' WHERE customer_id = 1`,
  `INSERT INTO public.customer (store_id, first_name, last_name, email, address_id, create_date, active)
   VALUES (2, 'ROSEMARY', 'QUIXLEY', 'ROSEMARY.QUIXLEY@sakilacustomer.org', 110, '2022-03-01', 1)`,
  // Rows whose long values are not sent again (unchanged TOAST), one of them masked.
  `UPDATE public.film SET rating = 'NC-17' WHERE film_id = 2`,
  `UPDATE public.address SET phone = '5550002222' WHERE address_id = 9`,
  // Text that COPY and JSON must escape, in masked and kept columns; an array with a NULL and non-ASCII.
  `UPDATE public.customer SET last_name = E'O''BRIEN\\tJR\\\\X', email = E'odd\\n"mail"@sakilacustomer.org' WHERE customer_id = 2`,
  `UPDATE public.address SET address = E'1 Main St\\nApt "2"\\\\b', district = E'Tab\\there' WHERE address_id = 8`,
  `UPDATE public.film SET special_features = '{NULL,"Ünïcode ☃",""}', description = E'line\\nbreak\\ttab' WHERE film_id = 4`,
  // A month's partition added on the source, and a payment in it.
  NEW_PARTITION,
  `INSERT INTO public.payment (customer_id, staff_id, rental_id, amount, payment_date) VALUES (2, 2, 2, 7.99, '2026-12-03 08:00:00+00')`,
  // A table emptied.
  `TRUNCATE public.film_actor`,
  `UPDATE public.staff SET picture = '\\xffd8ffe000104a4649', username = 'Mikey.H' WHERE staff_id = 1`,
];

interface ScanJson {
  tables: Array<{
    table: string;
    columns: Array<{ column: string; decision: { kind: string; rule?: { strategy: string } } | null }>;
  }>;
}

/** The twin's schema objects, one line each, with what must match: a trigger's state, a materialized view's. */
async function schemaObjects(client: pg.Client): Promise<string[]> {
  const result = await client.query<{ object: string }>(`
    SELECT 'function ' || p.oid::regprocedure::text AS object FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
    UNION ALL SELECT 'view ' || viewname FROM pg_views WHERE schemaname = 'public'
    UNION ALL SELECT 'materialized view ' || matviewname || ' populated ' || ispopulated FROM pg_matviews WHERE schemaname = 'public'
    UNION ALL SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname || ' ' || tgenabled::text FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL SELECT 'type ' || typname || ' ' || typtype::text FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typrelid = 0
    UNION ALL SELECT 'sequence ' || sequencename FROM pg_sequences WHERE schemaname = 'public'
    UNION ALL SELECT 'index ' || indexname FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT 'relation ' || relname || ' ' || relkind::text FROM pg_class WHERE relnamespace = 'public'::regnamespace
    ORDER BY 1`);
  return result.rows.map((r) => r.object);
}

/** Columns the config masks (every configured rule other than keep). */
function maskedColumns(scan: ScanJson): (readonly [string, string])[] {
  return scan.tables.flatMap((t) =>
    t.columns
      .filter((c) => c.decision?.kind === 'configured' && c.decision.rule?.strategy !== 'keep')
      .map((c) => [t.table, c.column] as const),
  );
}

/** The source's values of those columns, as text, long enough that finding one elsewhere is no coincidence. */
async function sourceValues(dbs: TestDatabases, columns: readonly (readonly [string, string])[]): Promise<Set<string>> {
  const values = new Set<string>();
  for (const [table, column] of columns) {
    const rows = await dbs.source.query<{ v: string }>(`SELECT DISTINCT ${column}::text AS v FROM ${table} WHERE ${column} IS NOT NULL`);
    for (const row of rows.rows) if (row.v.length >= 4) values.add(row.v);
  }
  return values;
}

/**
 * Whether `text` holds `value` as written in a COPY or JSON file, not inside
 * a longer word: the customer MARY is no leak in a PRIMARY KEY.
 */
const WORD = /[\p{L}\p{N}]/u;

function containsWhole(text: string, value: string): boolean {
  const copyText = value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  for (const form of new Set([value, JSON.stringify(value).slice(1, -1), copyText])) {
    for (let at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + 1)) {
      const before = text[at - 1] ?? '';
      const after = text[at + form.length] ?? '';
      if (!WORD.test(before) && !WORD.test(after)) return true;
    }
  }
  return false;
}

describe('capture and apply on pagila', () => {
  const outputs: CliResult[] = [];
  let dbs: TestDatabases;
  let synced: TestDatabases;
  let dir: string;
  let archive: string;

  const run = async (argv: string[]): Promise<CliResult> => {
    const result = await pgtwin(argv, { cwd: dir, env: ENV });
    outputs.push(result);
    assert.equal(result.code, 0, `pgtwin ${argv.join(' ')}: ${result.stderr}`);
    return result;
  };

  before(async () => {
    [dbs, synced] = await Promise.all([createTestDatabases('capture_pagila'), createTestDatabases('capture_pagila_sync')]);
    dir = await mkdtemp(join(tmpdir(), 'pgtwin-capture-pagila-'));
    archive = join(dir, 'archive');
    await loadSample(dbs.source, 'pagila');
    await dbs.source.query(PAGILA_ROWS + MORE_ROWS);
  });
  after(async () => {
    const printed = outputs.map((o) => o.stdout + o.stderr).join('\n');
    await dbs.source
      .query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = current_database()`)
      .catch(() => undefined);
    await Promise.all([dbs.drop(), synced.drop()]);
    await rm(dir, { recursive: true, force: true });
    assert.ok(!printed.includes(TEST_PASSWORD), 'the password was printed');
  });

  it('apply builds from the archive the twin sync builds, and neither the twin nor the archive holds a masked source value', async () => {
    await run(['init', '--from', dbs.sourceUrl, '--to', dbs.targetUrl]);
    await run(['setup-source', '--yes']);
    const masked = maskedColumns(JSON.parse((await run(['scan', '--json'])).stdout) as ScanJson);
    assert.ok(masked.length > 5, `pagila has masked columns: ${masked.join(', ')}`);
    const values = await sourceValues(dbs, masked);
    await run(['capture', '--once', '--archive', archive, '--spool-dir', dir]);
    for (const sql of WRITES) await dbs.source.query(sql);
    await run(['capture', '--once', '--archive', archive, '--spool-dir', dir]);
    for (const value of await sourceValues(dbs, masked)) values.add(value);
    // The stream does not carry the new partition: apply says so and what to do, and does it once the twin has it.
    const missing = await pgtwin(['apply', '--archive', archive, '--yes'], { cwd: dir, env: ENV });
    outputs.push(missing);
    assert.equal(missing.code, 4, missing.stderr);
    assert.match(
      missing.stderr,
      /partitioned table payment has no partition .*\n.*Partition key of the failing row contains \(payment_date\)/,
    );
    await dbs.target.query(NEW_PARTITION);
    await run(['apply', '--archive', archive, '--yes']);
    await run(['sync', '--yes', '--to', synced.targetUrl]);

    // (a) The same schema objects (functions, views, triggers, types, sequences, keys, indexes) ...
    const [appliedObjects, syncedObjects] = await Promise.all([schemaObjects(dbs.target), schemaObjects(synced.target)]);
    assert.deepEqual(appliedObjects, syncedObjects);
    // The archive holds no sequence value after the base's: each sequence of a column the writes gave new values
    // is at least at the column's largest, so the twin's own next insert does not collide.
    for (const [table, column, sequence] of [
      ['customer', 'customer_id', 'customer_customer_id_seq'],
      ['payment', 'payment_id', 'payment_payment_id_seq'],
      ['address', 'address_id', 'address_address_id_seq'],
      ['film', 'film_id', 'film_film_id_seq'],
    ]) {
      const { rows } = await dbs.target.query<{ top: number; at: number | null }>(
        `SELECT max(${column})::int AS top, pg_sequence_last_value('public.${sequence}')::int AS at FROM public.${table}`,
      );
      assert.ok(
        rows[0] !== undefined && rows[0].at !== null && rows[0].at >= rows[0].top,
        `${sequence} behind ${table}.${column}: ${JSON.stringify(rows[0])}`,
      );
    }

    // ... and table by table, every column, the same rows.
    const manifest = JSON.parse(await readFile(join(archive, 'pgtwin-archive.json'), 'utf8')) as { tables: string[] };
    assert.ok(manifest.tables.length > 10, `the archive holds pagila's tables: ${manifest.tables.join(', ')}`);
    for (const key of manifest.tables) {
      const [schema = '', name = ''] = key.split('.');
      const columns = await columnsOf(synced.target, key);
      const [applied, sync] = await Promise.all([
        tableChecksum(dbs.target, { schema, name }, columns),
        tableChecksum(synced.target, { schema, name }, columns),
      ]);
      assert.deepEqual(applied, sync, `${key}: apply's twin and sync's twin differ`);
    }

    // (b) The masked columns' source values, before and after the writes: in no file of the archive, and not in the twin.
    const texts = await archiveTexts(archive);
    const all = [...texts.values()].join('\n');
    assert.deepEqual(
      [...values].filter((v) => containsWhole(all, v)),
      [],
      'source values of masked columns in the archive',
    );
    const verify = await pgtwin(['verify', '--leaks', '--json'], { cwd: dir, env: ENV });
    outputs.push(verify);
    const report = JSON.parse(verify.stdout) as { leaks: { leaks: number; findings: unknown[] } };
    assert.deepEqual(report.leaks.findings, []);

    // (c) The archive is whole.
    const check = await pgtwin(['archive', 'verify', '--archive', archive, '--json'], { cwd: dir, env: ENV });
    assert.equal(check.code, 0, check.stdout + check.stderr);
  });
});
