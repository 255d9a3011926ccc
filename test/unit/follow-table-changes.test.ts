import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TableChanges } from '../../src/apply/table-changes.js';
import { TableSql } from '../../src/apply/table-sql.js';
import { ChangeRuns } from '../../src/apply/change-runs.js';
import { UNCHANGED_TOAST, type RelationMessage } from '../../src/stream/pgoutput.js';
import type { TablePlan } from '../../src/plan/plan.js';
import type { TableInfo } from '../../src/catalog/table-facts.js';
import type { TwinFacts } from '../../src/apply/twin-facts.js';
import { PgtwinError } from '../../src/errors.js';

const column = (name: string, attnum: number, type = 'text') => ({
  name,
  attnum,
  type,
  notNull: false,
  generated: false,
  identity: '' as const,
});

function plan(primaryKey: string[]): TablePlan {
  const info: TableInfo = {
    schema: 'public',
    name: 'people',
    oid: 1,
    kind: 'table',
    partitionRoot: undefined,
    columns: [column('id', 1, 'bigint'), column('name', 2), column('bio', 3)],
    primaryKey,
    uniqueKeys: primaryKey.length > 0 ? [primaryKey] : [],
    estimatedRows: 0,
    bytes: 0,
  };
  return {
    key: 'public.people',
    source: info,
    target: info,
    columns: ['id', 'name', 'bio'],
    maskedColumns: [],
    maskRules: new Map(),
    inheritedRules: [],
    where: undefined,
    limit: undefined,
    chunks: [{ index: 0, bounds: { kind: 'whole' } }],
  };
}

const facts: TwinFacts = {
  columnTypes: new Map([
    [
      'public.people',
      new Map([
        ['id', 'bigint'],
        ['name', 'text'],
        ['bio', 'text'],
      ]),
    ],
  ]),
  rowOrderedUpdates: new Set(),
  orderGroup: new Map(),
  identityAlways: new Map(),
  withRules: new Set<string>(),
};

const relation = (names: string[], replicaIdentity: RelationMessage['replicaIdentity'] = 'd'): RelationMessage => ({
  tag: 'relation',
  relationOid: 9,
  schema: 'public',
  name: 'people',
  replicaIdentity,
  columns: names.map((name) => ({ flags: name === 'id' ? 1 : 0, isKey: name === 'id', name, typeOid: 25, typeMod: -1 })),
});

/** The SQL a change gets when it runs by itself. */
function sqlOf(p: TablePlan, change: ReturnType<TableChanges['insert']>): string | undefined {
  const runs = new ChangeRuns((t) => t, 1000);
  runs.add(new TableSql(p, facts), change);
  return runs.take()[0]?.sql;
}

describe('TableChanges: changes as rows for the twin', () => {
  it('upserts inserts with every value as a literal, quotes and backslashes escaped, NULL as NULL', () => {
    const t = new TableChanges(plan(['id']), relation(['id', 'name', 'bio']), new Map(), false);
    const change = t.insert(['7', "O'Neil \\ co", null]);
    assert.deepEqual(change, { kind: 'insert', values: ['7', "O'Neil \\ co", null], id: '7' });
    assert.equal(
      sqlOf(plan(['id']), change),
      `INSERT INTO "public"."people" ("id", "name", "bio") VALUES ('7', E'O''Neil \\\\ co', NULL) ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name", "bio" = EXCLUDED."bio"`,
    );
  });

  it('moves a row whose key changed, by the old key, leaving an unchanged TOASTed column alone', () => {
    const t = new TableChanges(plan(['id']), relation(['id', 'name', 'bio']), new Map(), false);
    const change = t.update(['8', 'Ada', UNCHANGED_TOAST], ['7', null, null]);
    assert.equal(change.kind, 'move');
    assert.equal(sqlOf(plan(['id']), change), `UPDATE "public"."people" SET "id" = '8', "name" = 'Ada' WHERE "id" = '7'`);
  });

  it('names an update that keeps its key by the key, with the columns whose TOASTed value did not change', () => {
    const t = new TableChanges(plan(['id']), relation(['id', 'name', 'bio'], 'f'), new Map(), false);
    // REPLICA IDENTITY FULL sends the whole old row: same key, so not a move.
    assert.deepEqual(t.update(['8', 'Ada', UNCHANGED_TOAST], ['8', 'Eve', UNCHANGED_TOAST]), {
      kind: 'update',
      key: ['8'],
      values: ['8', 'Ada', UNCHANGED_TOAST],
      id: '8',
      shape: '2',
    });
    assert.deepEqual(t.update(['8', 'Ada', 'b'], undefined), { kind: 'update', key: ['8'], values: ['8', 'Ada', 'b'], id: '8', shape: '' });
    assert.deepEqual(t.delete(['8', null, null]), { kind: 'delete', key: ['8'], id: '8' });
  });

  it('without a key, changes the first row equal to the old one', () => {
    const t = new TableChanges(plan([]), relation(['id', 'name', 'bio']), new Map(), false);
    const change = t.delete(['1', 'x', null]);
    assert.equal(change.kind, 'delete-row');
    assert.equal(
      sqlOf(plan([]), change),
      `DELETE FROM "public"."people" WHERE ctid = (SELECT ctid FROM "public"."people" WHERE "id" IS NOT DISTINCT FROM '1' AND "name" IS NOT DISTINCT FROM 'x' AND "bio" IS NOT DISTINCT FROM NULL LIMIT 1)`,
    );
  });

  it('masks new values and old keys with the same masks', () => {
    const masks = new Map([
      [0, (v: string | null) => (v === null ? null : `k${v}`)],
      [1, (v: string | null) => (v === null ? null : `masked-${v.length}`)],
    ]);
    const t = new TableChanges(plan(['id']), relation(['id', 'name', 'bio']), masks, false);
    assert.deepEqual(t.insert(['1', 'Grace', 'b']), { kind: 'insert', values: ['k1', 'masked-5', 'b'], id: 'k1' });
    assert.deepEqual(t.update(['2', 'Grace', 'b'], ['1', null, null]), { kind: 'move', oldKey: ['k1'], values: ['k2', 'masked-5', 'b'] });
    assert.deepEqual(t.delete(['1', null, null]), { kind: 'delete', key: ['k1'], id: 'k1' });
  });

  it('maps columns by name whatever their order in the relation', () => {
    const t = new TableChanges(plan(['id']), relation(['bio', 'id', 'name']), new Map(), false);
    assert.deepEqual(t.insert(['b', '3', 'n']), { kind: 'insert', values: ['3', 'n', 'b'], id: '3' });
  });

  it('refuses a relation whose columns differ, naming them', () => {
    assert.throws(
      () => new TableChanges(plan(['id']), relation(['id', 'name', 'nickname']), new Map(), true),
      (e: unknown) =>
        e instanceof PgtwinError &&
        e.code === 'SCHEMA_DRIFT' &&
        /nickname: new on the source \(and not reviewed/.test(e.details.join('\n')) &&
        /bio: gone from the source/.test(e.details.join('\n')),
    );
  });
});
