/**
 * The applier against a scripted target session: one message in flight at a
 * time (the next is built meanwhile and sent only after it succeeded), BEGIN
 * with the first flush, the record and COMMIT with the last statements, rows
 * the twin lacks counted into the committed record, and a failure that
 * surfaces at the next step and stops everything after it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Applier } from '../../src/apply/applier.js';
import type { PgoutputMessage } from '../../src/stream/pgoutput.js';
import type { Client } from '../../src/pg/connect.js';
import type { TablePlan } from '../../src/plan/plan.js';
import type { TableInfo } from '../../src/catalog/table-facts.js';

const info: TableInfo = {
  schema: 'public',
  name: 'items',
  oid: 1,
  kind: 'table',
  partitionRoot: undefined,
  columns: [
    { name: 'id', attnum: 1, type: 'integer', notNull: true, generated: false, identity: '' },
    { name: 'v', attnum: 2, type: 'text', notNull: false, generated: false, identity: '' },
  ],
  primaryKey: ['id'],
  uniqueKeys: [['id']],
  estimatedRows: 0,
  bytes: 0,
};
const PLAN: TablePlan = {
  key: 'public.items',
  source: info,
  target: info,
  columns: ['id', 'v'],
  maskedColumns: [],
  maskRules: new Map(),
  inheritedRules: [],
  where: undefined,
  limit: undefined,
  chunks: [{ index: 0, bounds: { kind: 'whole' } }],
};

interface Call {
  readonly text: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
}

/** Answers the catalog queries of prepare() itself; every other query waits until the test settles it. */
class ScriptedTarget {
  readonly calls: Call[] = [];
  query(text: string): Promise<unknown> {
    if (text.includes('json_object_agg'))
      return Promise.resolve({ rows: [{ key: PLAN.key, oid: '1', types: { id: 'integer', v: 'text' }, extra_unique: false }] });
    if (text.includes("contype = 'f'")) return Promise.resolve({ rows: [] });
    return new Promise((resolve, reject) => this.calls.push({ text, resolve, reject }));
  }
  /** Settles call `i` with one result per statement, rowCount `rows(statementIndex)`. */
  answer(i: number, rows: (statement: number) => number | null = () => null): void {
    const call = this.calls[i];
    assert.ok(call !== undefined, `no call ${i}`);
    call.resolve(call.text.split(';\n').map((_, k) => ({ rowCount: rows(k) })));
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function applier(): Promise<{ a: Applier; target: ScriptedTarget; warnings: string[] }> {
  const target = new ScriptedTarget();
  const warnings: string[] = [];
  const a = new Applier(
    target as unknown as Client,
    {
      slot: 's',
      tables: new Map([[PLAN.key, PLAN]]),
      ownerOf: () => PLAN.key,
      masks: new Map(),
      strict: false,
      warn: (m) => warnings.push(m),
    },
    0n,
  );
  await a.prepare();
  const relation: PgoutputMessage = {
    tag: 'relation',
    relationOid: 7,
    schema: 'public',
    name: 'items',
    replicaIdentity: 'd',
    columns: ['id', 'v'].map((name) => ({ flags: 0, isKey: false, name, typeOid: 25, typeMod: -1 })),
  };
  assert.equal(a.handle(relation), undefined);
  return { a, target, warnings };
}

/** One source transaction of `n` changes made by `change(i)`; resolves once handled (waiting where the applier must). */
async function transaction(a: Applier, lsn: bigint, n: number, change: (i: number) => PgoutputMessage): Promise<void> {
  await a.handle({ tag: 'begin', finalLsn: lsn, commitTime: 1n, xid: 1 });
  for (let i = 0; i < n; i++) await a.handle(change(i));
  await a.handle({ tag: 'commit', flags: 0, commitLsn: lsn, endLsn: lsn + 1n, commitTime: 1n });
}
const insert = (i: number): PgoutputMessage => ({ tag: 'insert', relationOid: 7, newTuple: [String(i), 'x'] });
const update = (i: number): PgoutputMessage => ({
  tag: 'update',
  relationOid: 7,
  keyTuple: undefined,
  oldTuple: undefined,
  newTuple: [String(i), 'y'],
});

describe('Applier: one message in flight on the twin', () => {
  it('sends a flush without waiting, builds the next meanwhile, and sends it only after the first succeeded', async () => {
    const { a, target } = await applier();
    const applying = transaction(a, 100n, 2500, insert);
    await tick();
    assert.equal(target.calls.length, 1, 'the first flush is out, the second waits for it');
    assert.match(target.calls[0]?.text ?? '', /^BEGIN;\nINSERT INTO "public"."items" \("id", "v"\) VALUES \('0', 'x'\), \('1', 'x'\)/);
    target.answer(0);
    await tick();
    assert.equal(target.calls.length, 2);
    assert.doesNotMatch(target.calls[1]?.text ?? '', /BEGIN/, 'BEGIN goes with the first flush only');
    target.answer(1);
    await applying;
    const pending = await a.commit();
    assert.ok(pending !== undefined);
    assert.ok(a.committing);
    // Inserts report no missing rows: the last 500, the record and COMMIT travel together.
    const last = target.calls[2]?.text ?? '';
    assert.match(last, /^INSERT INTO "public"."items"[^;]*\('2499', 'x'\)[^;]* ON CONFLICT/);
    assert.match(last, /;\nUPDATE pgtwin.follow_state SET last_commit_lsn = '0\/64'::pg_lsn/);
    assert.match(last, /;\nCOMMIT$/);
    target.answer(2);
    assert.deepEqual(await pending.committed, { transactions: 1, changes: 2500, flushLsn: 101n, lastCommitLsn: 100n });
    assert.equal(a.committing, false);
    assert.equal(a.lastAppliedLsn, 100n);
  });

  it('builds the next batch while the COMMIT is on its way, and sends it after', async () => {
    const { a, target } = await applier();
    await transaction(a, 100n, 3, insert);
    const first = await a.commit();
    await transaction(a, 200n, 3, insert);
    assert.equal(target.calls.length, 1);
    const second = a.commit();
    await tick();
    assert.equal(target.calls.length, 1, 'the second batch waits for the first COMMIT');
    target.answer(0);
    await first?.committed;
    await tick();
    assert.match(target.calls[1]?.text ?? '', /^BEGIN;\nINSERT/);
    target.answer(1);
    assert.equal((await (await second)?.committed)?.lastCommitLsn, 200n);
  });

  it('counts rows the twin lacks into the record it commits, and warns once per statement', async () => {
    const { a, target, warnings } = await applier();
    await transaction(a, 100n, 4, update);
    const pending = await a.commit();
    await tick();
    // The updates go first, alone, so their row count is known before the record is written.
    assert.match(
      target.calls[0]?.text ?? '',
      /^BEGIN;\nUPDATE "public"."items" AS t SET "v" = v."v" FROM \(VALUES \('0'::integer, 'y'::text\)/,
    );
    target.answer(0, (k) => (k === 1 ? 1 : null));
    await tick();
    assert.match(target.calls[1]?.text ?? '', /'public.items', 0, 4, 0, 0, 3\)/);
    target.answer(1);
    await pending?.committed;
    assert.deepEqual(warnings, ['public.items: update of 3 rows the twin does not have (counted in pgtwin.follow_metrics.missing)']);
  });

  it('surfaces a failed flush at the next step, sends nothing after it, and rolls back', async () => {
    const { a, target } = await applier();
    const applying = transaction(a, 100n, 2500, insert);
    await tick();
    target.calls[0]?.reject(new Error('duplicate key value'));
    await assert.rejects(applying, /duplicate key value/);
    assert.equal(target.calls.length, 1, 'nothing was sent after the failure');
    const rolledBack = a.rollback();
    await tick();
    assert.equal(target.calls[1]?.text, 'ROLLBACK');
    target.answer(1);
    await rolledBack;
    assert.equal(a.pendingChanges, 0);
    assert.equal(a.lastAppliedLsn, 0n);
  });

  it('reports a failed COMMIT through the pending commit and to whatever comes next', async () => {
    const { a, target } = await applier();
    await transaction(a, 100n, 1, insert);
    const pending = await a.commit();
    target.calls[0]?.reject(new Error('could not serialize'));
    await assert.rejects(pending?.committed ?? Promise.resolve(), /could not serialize/);
    await assert.rejects(a.drain(), /could not serialize/);
    assert.equal(a.lastAppliedLsn, 0n, 'nothing counts as applied');
  });
});
