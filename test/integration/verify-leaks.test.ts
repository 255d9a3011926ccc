import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabases, onBoth, type TestDatabases } from '../support/databases.js';
import { readCatalog } from '../../src/catalog/read-catalog.js';
import { findLeaks } from '../../src/verify/find-leaks.js';
import type { CopiedTable } from '../../src/verify/copied-table.js';
import type { LeakCheckResult, LeakFinding } from '../../src/verify/leak-types.js';
import { PgtwinError } from '../../src/errors.js';

const CITIES = ['Lyon', 'Paris', 'Nantes', 'Lille'];

/** A twin masked by hand, with deliberate leaks and deliberate coincidences. */
async function build(dbs: TestDatabases): Promise<void> {
  await onBoth(
    dbs,
    `CREATE DOMAIN contact_text AS text;
     CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL, city text, country char(2), bio text,
                          notes text, tags text[], profile jsonb, alt_contact contact_text);
     CREATE TABLE visits (person_email text, note text);`,
  );
  const cities = `(ARRAY['${CITIES.join("','")}'])`;
  await dbs.source.query(
    `INSERT INTO people (id, email, city, country, bio, notes, tags, profile)
     SELECT g, 'person' || g || '@example.org', ${cities}[g % 4 + 1], 'FR',
            CASE WHEN g = 11 THEN (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 400) i) ELSE 'bio of someone number ' || g END,
            'nothing to say', '{a,b}', '{"plan": "pro"}'
     FROM generate_series(1, 20) g`,
  );
  await dbs.source.query(`INSERT INTO visits SELECT 'person' || g || '@example.org', 'ok' FROM generate_series(1, 5) g`);

  // The masked copy: every masked value replaced...
  await dbs.target.query(
    `INSERT INTO people (id, email, city, country, bio, notes, tags, profile)
     SELECT g, 'masked' || g || '@invalid.test', ${cities}[(g + 1) % 4 + 1], 'DE', 'masked bio ' || g, 'nothing to say', '{a,b}', '{"plan": "pro"}'
     FROM generate_series(1, 20) g`,
  );
  // ...with leaks:
  await dbs.target.query(`UPDATE people SET email = 'person3@example.org' WHERE id = 3`); // kept its own value
  await dbs.target.query(`UPDATE people SET notes = 'person2@example.org' WHERE id = 7`); // an email in clear
  await dbs.target.query(`UPDATE people SET notes = (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 400) i) WHERE id = 11`); // a long bio in clear
  await dbs.target.query(`UPDATE people SET tags = '{x,person5@example.org}' WHERE id = 9`); // in an array
  await dbs.target.query(`UPDATE people SET profile = '{"plan": "pro", "contact": {"email": "person6@example.org"}}' WHERE id = 10`); // in a JSON document
  await dbs.target.query(`UPDATE people SET alt_contact = 'person12@example.org' WHERE id = 12`); // in a domain over text
  // ...and things that are not leaks (or not found, by design):
  await dbs.target.query(`UPDATE people SET email = 'person5@example.org' WHERE id = 4`); // another row's value: a coincidence
  await dbs.target.query(`UPDATE people SET notes = 'contact person4@example.org please' WHERE id = 8`); // inside text: not whole-value
  await dbs.target.query(`UPDATE people SET country = 'FR' WHERE id = 1`); // kept, but shorter than min length
  await dbs.target.query(`INSERT INTO visits VALUES ('masked1@invalid.test', 'ok'), ('person1@example.org', 'ok')`); // no key to tell
}

function find(result: LeakCheckResult, kind: LeakFinding['kind'], table: string, column: string, origin?: string): LeakFinding {
  const found = result.findings.filter(
    (f) => f.kind === kind && f.table === table && f.column === column && (origin === undefined || f.origin === origin),
  );
  assert.equal(
    found.length,
    1,
    `one ${kind} finding for ${table}.${column}${origin !== undefined ? ` from ${origin}` : ''}: ${JSON.stringify(result.findings)}`,
  );
  return found[0] as LeakFinding;
}

describe('findLeaks', () => {
  let dbs: TestDatabases;
  let tables: CopiedTable[];
  before(async () => {
    dbs = await createTestDatabases('verify_leaks');
    await build(dbs);
    const [source, target] = await Promise.all([readCatalog(dbs.source, 'tables'), readCatalog(dbs.target, 'tables')]);
    const describe = (key: string, masked: string[]): CopiedTable => {
      const s = source.tables.get(key);
      const t = target.tables.get(key);
      assert.ok(s !== undefined && t !== undefined);
      return { key, source: s, target: t, columns: s.columns.map((c) => c.name), maskedColumns: masked };
    };
    tables = [describe('public.people', ['email', 'city', 'country', 'bio']), describe('public.visits', ['person_email'])];
  });
  after(async () => dbs.drop());

  it('reports values in clear, rows that kept their value and unverifiable hits, and nothing else', async () => {
    const objectsBefore = await dbs.target.query(`SELECT count(*)::int AS n FROM pg_class WHERE relpersistence <> 't'`);
    const result = await findLeaks({ source: dbs.source, target: dbs.target, tables });

    const notesEmail = find(result, 'in-clear', 'public.people', 'notes', 'public.people.email');
    assert.equal(notesEmail.count, 1);
    assert.deepEqual(notesEmail.examples, [{ key: { id: '7' } }], 'the row is named, the value is not printed');
    assert.deepEqual(
      find(result, 'in-clear', 'public.people', 'notes', 'public.people.bio').examples,
      [{ key: { id: '11' } }],
      'a value longer than a btree entry',
    );
    assert.deepEqual(find(result, 'in-clear', 'public.people', 'tags').examples, [{ key: { id: '9' } }]);
    assert.deepEqual(find(result, 'in-clear', 'public.people', 'profile').examples, [{ key: { id: '10' } }]);
    assert.deepEqual(find(result, 'in-clear', 'public.people', 'alt_contact').examples, [{ key: { id: '12' } }]);
    const kept = find(result, 'kept-source-value', 'public.people', 'email');
    assert.equal(kept.origin, 'public.people.email');
    assert.deepEqual(kept.examples, [{ key: { id: '3' } }]);
    const possible = find(result, 'possible', 'public.visits', 'person_email');
    assert.equal(possible.count, 1);
    assert.deepEqual(possible.examples, [{ key: undefined }]);

    assert.equal(result.findings.length, 7, JSON.stringify(result.findings));
    assert.equal(result.leaks, 7);
    assert.deepEqual(
      [...result.coincidences].sort((a, b) => a.column.localeCompare(b.column)),
      [
        { table: 'public.people', column: 'city', rows: 20 },
        { table: 'public.people', column: 'email', rows: 1 },
      ],
    );
    assert.deepEqual(
      result.origins.map((o) => [`${o.table}.${o.column}`, o.values, o.skippedShort]),
      [
        ['public.people.email', 20, 0],
        ['public.people.city', 4, 0],
        ['public.people.country', 0, 1],
        ['public.people.bio', 20, 0],
        ['public.visits.person_email', 5, 0],
      ],
    );
    assert.equal(result.minLength, 4);

    const leftovers = await dbs.target.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'pgtwin_leak%'`);
    assert.equal(leftovers.rows[0].n, 0, 'temporary tables dropped');
    const objectsAfter = await dbs.target.query(`SELECT count(*)::int AS n FROM pg_class WHERE relpersistence <> 't'`);
    assert.equal(objectsAfter.rows[0].n, objectsBefore.rows[0].n, 'nothing but temporary tables created on the target');
  });

  it('gives the same answer when masked columns are copied and joined instead of looked up by key', async () => {
    const lookedUp = await findLeaks({ source: dbs.source, target: dbs.target, tables, includeValues: true });
    const copied = await findLeaks({ source: dbs.source, target: dbs.target, tables, includeValues: true, lookupLimit: 0 });
    assert.deepEqual(copied, lookedUp);
    assert.deepEqual(find(copied, 'kept-source-value', 'public.people', 'email').examples, [
      { key: { id: '3' }, value: 'person3@example.org' },
    ]);
  });

  it('shows the values only when asked, and looks for short values when told to', async () => {
    const result = await findLeaks({ source: dbs.source, target: dbs.target, tables, minLength: 2, includeValues: true });
    assert.deepEqual(find(result, 'in-clear', 'public.people', 'notes', 'public.people.email').examples, [
      { key: { id: '7' }, value: 'person2@example.org' },
    ]);
    assert.deepEqual(find(result, 'kept-source-value', 'public.people', 'country').examples, [{ key: { id: '1' }, value: 'FR' }]);
    assert.deepEqual(find(result, 'in-clear', 'public.people', 'tags').examples, [{ key: { id: '9' }, value: 'person5@example.org' }]);
    assert.equal(result.leaks, 8);
  });

  it('finds nothing in a clean twin, and nothing to do without masked columns', async () => {
    const clean = await findLeaks({
      source: dbs.source,
      target: dbs.target,
      tables: tables.filter((t) => t.key === 'public.people').map((t) => ({ ...t, maskedColumns: ['city'] })),
    });
    const cityOnly = clean.findings.filter((f) => f.origin === 'public.people.city');
    assert.deepEqual(cityOnly, [], 'rotated dictionary values are coincidences, not leaks');
    const none = await findLeaks({ source: dbs.source, target: dbs.target, tables: tables.map((t) => ({ ...t, maskedColumns: [] })) });
    assert.deepEqual(none, { leaks: 0, findings: [], origins: [], coincidences: [], scannedColumns: 0, minLength: 4 });
  });

  it('matches rows by a composite key of other types, both ways', async () => {
    await onBoth(dbs, `CREATE TABLE shifts (day date, slot int, worker text NOT NULL, PRIMARY KEY (day, slot))`);
    await dbs.source.query(`INSERT INTO shifts SELECT date '2024-01-01' + g, g % 3, 'worker ' || g FROM generate_series(1, 30) g`);
    await dbs.target.query(`INSERT INTO shifts SELECT date '2024-01-01' + g, g % 3, 'worker ' || (g + 1) FROM generate_series(1, 30) g`);
    await dbs.target.query(`UPDATE shifts SET worker = 'worker 12' WHERE day = date '2024-01-13'`);
    const [s, t] = await Promise.all([readCatalog(dbs.source, 'tables'), readCatalog(dbs.target, 'tables')]);
    const shifts = s.tables.get('public.shifts');
    const target = t.tables.get('public.shifts');
    assert.ok(shifts !== undefined && target !== undefined);
    const table: CopiedTable = {
      key: 'public.shifts',
      source: shifts,
      target,
      columns: ['day', 'slot', 'worker'],
      maskedColumns: ['worker'],
    };
    for (const lookupLimit of [undefined, 0]) {
      const result = await findLeaks({ source: dbs.source, target: dbs.target, tables: [table], lookupLimit });
      assert.deepEqual(result.findings, [
        {
          kind: 'kept-source-value',
          table: 'public.shifts',
          column: 'worker',
          origin: 'public.shifts.worker',
          count: 1,
          examples: [{ key: { day: '2024-01-13', slot: '0' } }],
        },
      ]);
      assert.deepEqual(result.coincidences, [{ table: 'public.shifts', column: 'worker', rows: 28 }]);
    }
  });

  it('refuses a minimum length below 1', async () => {
    await assert.rejects(
      findLeaks({ source: dbs.source, target: dbs.target, tables, minLength: 0 }),
      (e: unknown) => e instanceof PgtwinError && e.code === 'BAD_MIN_LENGTH',
    );
  });

  it('stops when interrupted, leaving no temporary tables', async () => {
    await assert.rejects(
      findLeaks({ source: dbs.source, target: dbs.target, tables, signal: AbortSignal.abort(new Error('SIGINT received')) }),
      (e: unknown) => e instanceof PgtwinError && e.code === 'INTERRUPTED',
    );
    const leftovers = await dbs.target.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'pgtwin_leak%'`);
    assert.equal(leftovers.rows[0].n, 0);
  });

  it('leaves the sessions usable after a failure, without temporary tables', async () => {
    const broken = tables.map((t) => (t.key === 'public.visits' ? { ...t, maskedColumns: ['no_such_column'] } : t));
    await assert.rejects(findLeaks({ source: dbs.source, target: dbs.target, tables: broken }));
    const leftovers = await dbs.target.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'pgtwin_leak%'`);
    assert.equal(leftovers.rows[0].n, 0);
    const again = await findLeaks({ source: dbs.source, target: dbs.target, tables });
    assert.equal(again.leaks, 7);
  });
});
