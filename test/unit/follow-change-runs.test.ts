/**
 * Which changes share a statement, and the SQL of the statements: pure, from
 * row changes to SQL. test/integration/follow-runs.test.ts runs the same
 * shapes on a real twin and compares it with the source.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeRuns, type Statement } from '../../src/apply/change-runs.js';
import { TableSql } from '../../src/apply/table-sql.js';
import { TableChanges } from '../../src/apply/table-changes.js';
import { UNCHANGED_TOAST, type RelationMessage, type TupleValue } from '../../src/stream/pgoutput.js';
import { batchRecordSql } from '../../src/apply/batch-record.js';
import type { TwinFacts } from '../../src/apply/twin-facts.js';
import type { TablePlan } from '../../src/plan/plan.js';
import type { TableInfo } from '../../src/catalog/table-facts.js';

const U: TupleValue = UNCHANGED_TOAST;

function plan(name: string, columns: [string, string][], primaryKey: string[]): TablePlan {
  const info: TableInfo = {
    schema: 'public',
    name,
    oid: 1,
    kind: 'table',
    partitionRoot: undefined,
    columns: columns.map(([n, type], i) => ({ name: n, attnum: i + 1, type, notNull: false, generated: false, identity: '' as const })),
    primaryKey,
    uniqueKeys: primaryKey.length > 0 ? [primaryKey] : [],
    estimatedRows: 0,
    bytes: 0,
  };
  return {
    key: `public.${name}`,
    source: info,
    target: info,
    columns: columns.map(([n]) => n),
    maskedColumns: [],
    maskRules: new Map(),
    inheritedRules: [],
    where: undefined,
    limit: undefined,
    chunks: [{ index: 0, bounds: { kind: 'whole' } }],
  };
}

const PEOPLE = plan(
  'people',
  [
    ['id', 'bigint'],
    ['name', 'character varying(20)'],
    ['bio', 'text'],
  ],
  ['id'],
);
const PETS = plan(
  'pets',
  [
    ['owner', 'bigint'],
    ['n', 'integer'],
    ['name', 'text'],
  ],
  ['owner', 'n'],
);
const LOG = plan(
  'log',
  [
    ['n', 'integer'],
    ['payload', 'text'],
  ],
  [],
);
const PLANS = [PEOPLE, PETS, LOG];

function facts(options: { linked?: boolean; rowOrdered?: string[]; withRules?: string[] } = {}): TwinFacts {
  return {
    // Types as the twin's catalog gives them: without their modifier.
    columnTypes: new Map(PLANS.map((p) => [p.key, new Map(p.target.columns.map((c) => [c.name, c.type.replace(/\(\d+\)/, '')]))])),
    rowOrderedUpdates: new Set(options.rowOrdered ?? []),
    orderGroup: new Map(PLANS.map((p) => [p.key, options.linked === true && p !== LOG ? PEOPLE.key : p.key])),
    identityAlways: new Map(),
    withRules: new Set(options.withRules ?? []),
  };
}

const relation = (p: TablePlan): RelationMessage => ({
  tag: 'relation',
  relationOid: 1,
  schema: 'public',
  name: p.target.name,
  replicaIdentity: 'd',
  columns: p.columns.map((name) => ({ flags: 0, isKey: false, name, typeOid: 25, typeMod: -1 })),
});

type Change = readonly [TablePlan, 'I' | 'U' | 'D', readonly TupleValue[], (readonly TupleValue[])?];

/** Changes in source order -> the statements the twin gets. */
function statements(changes: readonly Change[], twin: TwinFacts = facts(), maxRunRows = 1000): Statement[] {
  const tables = new Map(
    PLANS.map((p) => [p.key, { rows: new TableChanges(p, relation(p), new Map(), false), sql: new TableSql(p, twin) }]),
  );
  const runs = new ChangeRuns((t) => twin.orderGroup.get(t) ?? t, maxRunRows);
  for (const [p, op, tuple, old] of changes) {
    const t = tables.get(p.key);
    assert.ok(t !== undefined);
    runs.add(t.sql, op === 'I' ? t.rows.insert(tuple) : op === 'U' ? t.rows.update(tuple, old) : t.rows.delete(tuple));
  }
  return runs.take();
}
const sqls = (changes: readonly Change[], twin?: TwinFacts): string[] => statements(changes, twin).map((s) => s.sql);

describe('ChangeRuns: changes of one table and kind share a statement', () => {
  it('upserts consecutive inserts in one INSERT, rows in source order', () => {
    assert.deepEqual(
      sqls([
        [PEOPLE, 'I', ['1', 'a', 'x']],
        [PEOPLE, 'I', ['2', "b'", null]],
      ]),
      [
        `INSERT INTO "public"."people" ("id", "name", "bio") VALUES ('1', 'a', 'x'), ('2', 'b''', NULL) ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name", "bio" = EXCLUDED."bio"`,
      ],
    );
  });

  it('on a table with rules (no ON CONFLICT there), upserts as an UPDATE of the rows the twin has, then an INSERT of the others', () => {
    const out = statements(
      [
        [PEOPLE, 'I', ['1', 'a', 'x']],
        [PEOPLE, 'I', ['2', "b'", null]],
      ],
      facts({ withRules: [PEOPLE.key] }),
    );
    assert.deepEqual(out, [
      {
        sql: `UPDATE "public"."people" AS t SET "name" = v."name", "bio" = v."bio" FROM (VALUES ('1'::bigint, 'a'::character varying, 'x'::text), ('2', 'b''', NULL)) AS v("id", "name", "bio") WHERE t."id" = v."id"`,
        expected: 0,
        table: 'public.people',
        op: 'insert',
      },
      {
        sql: `INSERT INTO "public"."people" ("id", "name", "bio") SELECT v."id", v."name", v."bio" FROM (VALUES ('1'::bigint, 'a'::character varying, 'x'::text), ('2', 'b''', NULL)) AS v("id", "name", "bio") WHERE NOT EXISTS (SELECT 1 FROM "public"."people" AS x WHERE x."id" = v."id")`,
        expected: 0,
        table: 'public.people',
        op: 'insert',
      },
    ]);
  });

  it('updates by key from a VALUES list typed by its first row, the types without modifier', () => {
    const out = statements([
      [PEOPLE, 'U', ['1', 'a', 'x']],
      [PEOPLE, 'U', ['2', 'b', null]],
      [PEOPLE, 'U', ['3', 'c', 'z']],
    ]);
    assert.deepEqual(out, [
      {
        sql: `UPDATE "public"."people" AS t SET "name" = v."name", "bio" = v."bio" FROM (VALUES ('1'::bigint, 'a'::character varying, 'x'::text), ('2', 'b', NULL), ('3', 'c', 'z')) AS v("id", "name", "bio") WHERE t."id" = v."id"`,
        expected: 3,
        table: 'public.people',
        op: 'update',
      },
    ]);
  });

  it('deletes by key, joining every key column', () => {
    assert.deepEqual(
      sqls([
        [PETS, 'D', ['1', '1', null]],
        [PETS, 'D', ['1', '2', null]],
      ]),
      [
        `DELETE FROM "public"."pets" AS t USING (VALUES ('1'::bigint, '1'::integer), ('1', '2')) AS v("owner", "n") WHERE t."owner" = v."owner" AND t."n" = v."n"`,
      ],
    );
  });

  it('gives a run of one row the plain statement', () => {
    assert.deepEqual(
      sqls([
        [PEOPLE, 'U', ['1', 'a', 'x']],
        [PEOPLE, 'D', ['2', null, null]],
      ]),
      [
        `UPDATE "public"."people" SET "id" = '1', "name" = 'a', "bio" = 'x' WHERE "id" = '1'`,
        `DELETE FROM "public"."people" WHERE "id" = '2'`,
      ],
    );
  });

  it('folds a later update of a row already in the run into it: one statement, each row with its last values', () => {
    const out = statements([
      [PEOPLE, 'U', ['1', 'a', 'x']],
      [PEOPLE, 'U', ['2', 'b', 'x']],
      [PEOPLE, 'U', ['1', 'c', 'x']],
      [PEOPLE, 'U', ['3', 'd', 'x']],
      [PEOPLE, 'U', ['1', 'e', 'x']],
      [PEOPLE, 'U', ['2', 'f', 'x']],
    ]);
    const names = (sql: string): string[] => [...sql.matchAll(/\('(\d)'(?:::bigint)?, '(\w)'/g)].map((m) => `${m[1]}${m[2]}`);
    assert.deepEqual(
      out.map((s) => [s.expected, names(s.sql)]),
      [[3, ['1e', '2f', '3d']]],
    );
  });

  it('does not fold updates of one row that set different columns (an unchanged TOASTed value)', () => {
    const out = statements([
      [PEOPLE, 'U', ['1', 'a', 'x']],
      [PEOPLE, 'U', ['1', 'b', U]],
    ]);
    assert.equal(out.length, 2);
    assert.match(out[1]?.sql ?? '', /SET "id" = '1', "name" = 'b' WHERE/);
  });

  it('ends an insert or delete run when its key comes back', () => {
    assert.deepEqual(
      statements([
        [PEOPLE, 'I', ['1', 'a', 'x']],
        [PEOPLE, 'I', ['2', 'b', 'x']],
        [PEOPLE, 'I', ['1', 'c', 'x']],
      ]).map((s) => s.sql.match(/\('\d', '\w'/g)?.length),
      [2, 1],
    );
    // Composite keys are told apart by every column.
    assert.deepEqual(
      statements([
        [PETS, 'D', ['1', '2', null]],
        [PETS, 'D', ['12', '', null]],
        [PETS, 'D', ['1', '2', null]],
      ]).map((s) => s.expected),
      [2, 1],
    );
  });

  it('keeps insert, update and delete of one table in source order (insert then delete of one key)', () => {
    assert.deepEqual(
      statements([
        [PEOPLE, 'I', ['1', 'a', 'x']],
        [PEOPLE, 'I', ['2', 'b', 'x']],
        [PEOPLE, 'D', ['1', null, null]],
        [PEOPLE, 'D', ['2', null, null]],
        [PEOPLE, 'I', ['1', 'c', 'x']],
      ]).map((s) => [s.op, s.expected]),
      [
        ['insert', 0],
        ['delete', 2],
        ['insert', 0],
      ],
    );
  });

  it('runs a key change alone, between the runs before and after it', () => {
    const out = sqls([
      [PEOPLE, 'U', ['1', 'a', 'x']],
      [PEOPLE, 'U', ['2', 'b', 'x']],
      [PEOPLE, 'U', ['9', 'c', 'x'], ['2', null, null]],
      [PEOPLE, 'U', ['9', 'd', 'x']],
      [PEOPLE, 'U', ['4', 'd', 'x']],
    ]);
    assert.equal(out.length, 3);
    assert.match(
      out[0] ?? '',
      /^UPDATE "public"."people" AS t .*VALUES \('1'::bigint, 'a'::character varying, 'x'::text\), \('2', 'b', 'x'\)/,
    );
    assert.equal(out[1], `UPDATE "public"."people" SET "id" = '9', "name" = 'c', "bio" = 'x' WHERE "id" = '2'`);
    assert.match(out[2] ?? '', /VALUES \('9'::bigint, 'd'::character varying, 'x'::text\), \('4', 'd', 'x'\)/);
  });

  it('groups updates only with the same unchanged TOASTed columns, and never sets those', () => {
    const out = sqls([
      [PEOPLE, 'U', ['1', 'a', U]],
      [PEOPLE, 'U', ['2', 'b', U]],
      [PEOPLE, 'U', ['3', 'c', 'z']],
      [PEOPLE, 'U', ['4', 'd', 'z']],
    ]);
    assert.deepEqual(out, [
      `UPDATE "public"."people" AS t SET "name" = v."name" FROM (VALUES ('1'::bigint, 'a'::character varying), ('2', 'b')) AS v("id", "name") WHERE t."id" = v."id"`,
      `UPDATE "public"."people" AS t SET "name" = v."name", "bio" = v."bio" FROM (VALUES ('3'::bigint, 'c'::character varying, 'z'::text), ('4', 'd', 'z')) AS v("id", "name", "bio") WHERE t."id" = v."id"`,
    ]);
  });

  it('inserts into a table without a key in one statement, and changes its rows one by one', () => {
    const out = sqls([
      [LOG, 'I', ['1', 'a']],
      [LOG, 'I', ['1', 'a']],
      [LOG, 'U', ['1', 'b'], ['1', 'a']],
      [LOG, 'D', ['1', 'a']],
    ]);
    assert.deepEqual(out, [
      `INSERT INTO "public"."log" ("n", "payload") VALUES ('1', 'a'), ('1', 'a')`,
      `UPDATE "public"."log" SET "n" = '1', "payload" = 'b' WHERE ctid = (SELECT ctid FROM "public"."log" WHERE "n" IS NOT DISTINCT FROM '1' AND "payload" IS NOT DISTINCT FROM 'a' LIMIT 1)`,
      `DELETE FROM "public"."log" WHERE ctid = (SELECT ctid FROM "public"."log" WHERE "n" IS NOT DISTINCT FROM '1' AND "payload" IS NOT DISTINCT FROM 'a' LIMIT 1)`,
    ]);
  });

  it('lets runs of unrelated tables interleave, but keeps tables linked by a foreign key in source order', () => {
    const interleaved: Change[] = [
      [PEOPLE, 'I', ['1', 'a', 'x']],
      [PETS, 'I', ['1', '1', 'rex']],
      [LOG, 'I', ['1', 'a']],
      [PEOPLE, 'I', ['2', 'b', 'x']],
      [PETS, 'I', ['2', '1', 'tom']],
      [LOG, 'I', ['2', 'b']],
    ];
    assert.deepEqual(
      statements(interleaved).map((s) => s.table),
      ['public.people', 'public.pets', 'public.log'],
    );
    const linked = statements(interleaved, facts({ linked: true })).map((s) => s.table);
    assert.deepEqual(
      linked.filter((t) => t !== 'public.log'),
      ['public.people', 'public.pets', 'public.people', 'public.pets'],
    );
    assert.equal(linked.filter((t) => t === 'public.log').length, 1);
  });

  it('updates one row per statement where the twin has another unique index, but still groups inserts and deletes', () => {
    const twin = facts({ rowOrdered: [PEOPLE.key] });
    const out = statements(
      [
        [PEOPLE, 'U', ['1', 'a', 'x']],
        [PEOPLE, 'U', ['2', 'b', 'x']],
        [PEOPLE, 'I', ['3', 'c', 'x']],
        [PEOPLE, 'I', ['4', 'd', 'x']],
        [PEOPLE, 'D', ['3', null, null]],
        [PEOPLE, 'D', ['4', null, null]],
      ],
      twin,
    );
    assert.deepEqual(
      out.map((s) => [s.op, s.expected]),
      [
        ['update', 1],
        ['update', 1],
        ['insert', 0],
        ['delete', 2],
      ],
    );
  });

  it('puts a TRUNCATE after everything before it', () => {
    const runs = new ChangeRuns((t) => t, 1000);
    const people = new TableSql(PEOPLE, facts());
    const rows = new TableChanges(PEOPLE, relation(PEOPLE), new Map(), false);
    runs.add(people, rows.insert(['1', 'a', 'x']));
    runs.barrier({ sql: 'TRUNCATE ONLY "public"."people"', expected: 0, table: PEOPLE.key, op: 'truncate' });
    runs.add(people, rows.insert(['1', 'b', 'x']));
    assert.equal(runs.pendingChanges, 2);
    assert.deepEqual(
      runs.take().map((s) => s.op),
      ['insert', 'truncate', 'insert'],
    );
    assert.equal(runs.pendingChanges, 0);
  });

  it('caps the rows of one statement', () => {
    const changes: Change[] = Array.from({ length: 5 }, (_, i) => [PEOPLE, 'D', [String(i), null, null]] as const);
    const runs = new ChangeRuns((t) => t, 2);
    const people = new TableSql(PEOPLE, facts());
    const rows = new TableChanges(PEOPLE, relation(PEOPLE), new Map(), false);
    for (const [, , tuple] of changes) runs.add(people, rows.delete(tuple));
    assert.deepEqual(
      runs.take().map((s) => s.expected),
      [2, 2, 1],
    );
  });
});

describe('batchRecordSql: the batch record as literals', () => {
  it('writes the position, the audit row and one upsert of every table counter', () => {
    const sql = batchRecordSql({
      slot: "it's",
      first: 0x16b3748n,
      last: 0x1_0000_0010n,
      commitTime: 123n,
      transactions: 3,
      changes: 7,
      counters: new Map([
        ['public.people', { inserts: 1, updates: 2, deletes: 0, truncates: 0, missing: 1 }],
        ['public.pets', { inserts: 4, updates: 0, deletes: 0, truncates: 0, missing: 0 }],
      ]),
    });
    const [state, audit, metrics, extra] = sql.split(';\n');
    assert.equal(extra, undefined);
    assert.match(
      state ?? '',
      /SET last_commit_lsn = '1\/10'::pg_lsn, .* \+ 123::bigint \* interval '1 microsecond'.* WHERE slot = 'it''s'$/,
    );
    assert.match(
      audit ?? '',
      /VALUES \('it''s', '0\/16B3748'::pg_lsn, '1\/10'::pg_lsn, 3, 7, ARRAY\['public.people', 'public.pets'\]::text\[\], 'applied'\)$/,
    );
    assert.match(
      metrics ?? '',
      /VALUES \('it''s', date_trunc\('minute', now\(\)\), 'public.people', 1, 2, 0, 0, 1\), \('it''s', date_trunc\('minute', now\(\)\), 'public.pets', 4, 0, 0, 0, 0\)/,
    );
  });
});
