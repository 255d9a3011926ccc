/**
 * The change writer's sequence records: read as each file closes, written at
 * the end of the file's last transaction (before its commit record), where
 * the change reader and `archive verify` accept them; a failed read costs the
 * values of that file only, with a warning, never the file.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeWriter } from '../../src/archive/change-writer.js';
import { readChangeFile } from '../../src/archive/change-reader.js';
import type { ChangeRecord } from '../../src/archive/change-records.js';
import type { BaseSequence } from '../../src/archive/manifest.js';
import { openDirStore } from '../../src/store/dir-store.js';
import type { ArchiveStore } from '../../src/store/store.js';
import type { PgoutputMessage } from '../../src/stream/pgoutput.js';
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
const ARCHIVE = '00000000-0000-4000-8000-000000000001';

function transaction(lsn: bigint, id: number): PgoutputMessage[] {
  return [
    { tag: 'begin', finalLsn: lsn, commitTime: 1_000_000n, xid: id },
    { tag: 'insert', relationOid: 1, newTuple: [String(id), `row ${id}`] },
    { tag: 'commit', flags: 0, commitLsn: lsn, endLsn: lsn + 8n, commitTime: 1_000_000n },
  ];
}

/** Writes two transactions into one file, closes it, and reads it back through the change reader. */
async function writeOneFile(sequences: () => Promise<readonly BaseSequence[]>): Promise<{ records: ChangeRecord[]; warnings: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'pgtwin-change-writer-'));
  const warnings: string[] = [];
  let store: ArchiveStore | undefined;
  try {
    store = await openDirStore(join(dir, 'archive'), { create: true });
    const writer = new ChangeWriter({
      store,
      archiveId: ARCHIVE,
      spoolDir: dir,
      tables: new Map([[PLAN.key, PLAN]]),
      ownerOf: () => PLAN.key,
      masks: new Map(),
      strict: false,
      warn: (m) => warnings.push(m),
      declared: new Map([
        [
          PLAN.key,
          [
            { name: 'id', type: 'integer' },
            { name: 'v', type: 'text' },
          ],
        ],
      ]),
      chain: { nextSeq: 1, prev: null, lastCommitLsn: undefined },
      archivedLsn: 0n,
      maxFileBytes: 1 << 20,
      sequences,
    });
    const relation: PgoutputMessage = {
      tag: 'relation',
      relationOid: 1,
      schema: 'public',
      name: 'items',
      replicaIdentity: 'd',
      columns: [
        { flags: 1, isKey: true, name: 'id', typeOid: 23, typeMod: -1 },
        { flags: 0, isKey: false, name: 'v', typeOid: 25, typeMod: -1 },
      ],
    };
    await writer.handle(relation);
    for (const message of [...transaction(0x100n, 1), ...transaction(0x200n, 2)]) await writer.handle(message);
    await (
      await writer.commit()
    )?.committed;
    await writer.drain();
    const [file] = await store.list('changes');
    assert.ok(file !== undefined, 'the file is stored');
    const records: ChangeRecord[] = [];
    const reader = readChangeFile(await store.read(file.name), file.name, { archiveId: ARCHIVE, seq: 1, prev: null });
    for await (const record of reader) records.push(record);
    return { records, warnings };
  } finally {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('change writer: sequence records', () => {
  it("writes the values read at the file's close at the end of its last transaction, which the reader accepts", async () => {
    const { records, warnings } = await writeOneFile(async () => [{ schema: 'public', name: 'items_id_seq', value: '42', isCalled: true }]);
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      records.map((r) => r.t),
      ['header', 'begin', 'insert', 'commit', 'begin', 'insert', 'sequence', 'commit', 'trailer'],
    );
    assert.deepEqual(records[6], { t: 'sequence', schema: 'public', name: 'items_id_seq', value: '42', is_called: true });
    const trailer = records.at(-1);
    assert.ok(trailer?.t === 'trailer' && trailer.changes === 2 && trailer.transactions === 2, 'sequence records are no changes');
  });

  it('stores the file without them, with a warning, when they cannot be read', async () => {
    const { records, warnings } = await writeOneFile(async () => {
      throw new Error('connection to the source lost');
    });
    assert.deepEqual(
      records.map((r) => r.t),
      ['header', 'begin', 'insert', 'commit', 'begin', 'insert', 'commit', 'trailer'],
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /sequence values not recorded in this change file: connection to the source lost/);
  });
});
