import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TableChanges } from '../../src/follow/table-changes.js';
import { UNCHANGED_TOAST, type RelationMessage } from '../../src/follow/pgoutput.js';
import type { TablePlan } from '../../src/snapshot/plan.js';
import type { TableInfo } from '../../src/pg/catalog.js';
import { PgtwinError } from '../../src/errors.js';

const column = (name: string, attnum: number, type = 'text') => ({ name, attnum, type, notNull: false, generated: false, identity: '' as const });

function plan(primaryKey: string[]): TablePlan {
  const info: TableInfo = {
    schema: 'public', name: 'people', oid: 1, kind: 'table', partitionRoot: undefined,
    columns: [column('id', 1, 'bigint'), column('name', 2), column('bio', 3)],
    primaryKey, uniqueKeys: primaryKey.length > 0 ? [primaryKey] : [], estimatedRows: 0, bytes: 0,
  };
  return { key: 'public.people', source: info, target: info, columns: ['id', 'name', 'bio'], maskedColumns: [], maskRules: new Map(), inheritedRules: [], where: undefined, limit: undefined, chunks: [{ index: 0, bounds: { kind: 'whole' } }] };
}

const relation = (names: string[]): RelationMessage => ({
  tag: 'relation', relationOid: 9, schema: 'public', name: 'people', replicaIdentity: 'd',
  columns: names.map((name) => ({ flags: name === 'id' ? 1 : 0, isKey: name === 'id', name, typeOid: 25, typeMod: -1 })),
});

describe('TableChanges: changes as SQL for the twin', () => {
  it('upserts inserts with every value as a literal, quotes and backslashes escaped, NULL as NULL', () => {
    const t = new TableChanges(plan(['id']), relation(['id', 'name', 'bio']), new Map(), false);
    assert.equal(
      t.insert(['7', "O'Neil \\ co", null]).sql,
      `INSERT INTO "public"."people" ("id", "name", "bio") VALUES ('7', E'O''Neil \\\\ co', NULL) ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name", "bio" = EXCLUDED."bio"`,
    );
  });

  it('updates by the old key, leaving an unchanged TOASTed column alone', () => {
    const t = new TableChanges(plan(['id']), relation(['id', 'name', 'bio']), new Map(), false);
    const statement = t.update(['8', 'Ada', UNCHANGED_TOAST], ['7', null, null]);
    assert.equal(statement?.sql, `UPDATE "public"."people" SET "id" = '8', "name" = 'Ada' WHERE "id" = '7'`);
    assert.equal(statement?.expectsRow, true);
  });

  it('without a key, changes the first row equal to the old one', () => {
    const t = new TableChanges(plan([]), relation(['id', 'name', 'bio']), new Map(), false);
    assert.equal(
      t.delete(['1', 'x', null])?.sql,
      `DELETE FROM "public"."people" WHERE ctid = (SELECT ctid FROM "public"."people" WHERE "id" IS NOT DISTINCT FROM '1' AND "name" IS NOT DISTINCT FROM 'x' AND "bio" IS NOT DISTINCT FROM NULL LIMIT 1)`,
    );
  });

  it('masks new values and old keys with the same masks', () => {
    const masks = new Map([[1, (v: string | null) => (v === null ? null : `masked-${v.length}`)]]);
    const t = new TableChanges(plan(['id']), relation(['id', 'name', 'bio']), masks, false);
    assert.match(t.insert(['1', 'Grace', 'b']).sql, /VALUES \('1', 'masked-5', 'b'\)/);
  });

  it('maps columns by name whatever their order in the relation', () => {
    const t = new TableChanges(plan(['id']), relation(['bio', 'id', 'name']), new Map(), false);
    assert.match(t.insert(['b', '3', 'n']).sql, /VALUES \('3', 'n', 'b'\)/);
  });

  it('refuses a relation whose columns differ, naming them', () => {
    assert.throws(
      () => new TableChanges(plan(['id']), relation(['id', 'name', 'nickname']), new Map(), true),
      (e: unknown) => e instanceof PgtwinError && e.code === 'SCHEMA_DRIFT' && /nickname: new on the source \(and not reviewed/.test(e.details.join('\n')) && /bio: gone from the source/.test(e.details.join('\n')),
    );
  });
});
