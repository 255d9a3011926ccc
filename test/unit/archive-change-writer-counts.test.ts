/** The change file writer: the trailer it writes agrees with what the reader counts in the file. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readChangeFile } from '../../src/archive/change-reader.js';
import { ChangeWriter } from '../../src/archive/change-writer.js';
import type { TablePlan } from '../../src/plan/plan.js';
import { openStore } from '../../src/store/index.js';
import type { PgoutputMessage } from '../../src/stream/pgoutput.js';

/** Only what the writer reads of a plan: a two-column table with a primary key. */
const PLAN = {
  key: 'public.notes',
  source: {
    schema: 'public',
    name: 'notes',
    columns: [
      { name: 'id', type: 'integer', generated: false },
      { name: 'body', type: 'text', generated: false },
    ],
  },
  target: { schema: 'public', name: 'notes', primaryKey: ['id'] },
  columns: ['id', 'body'],
} as unknown as TablePlan;

const MESSAGES: PgoutputMessage[] = [
  { tag: 'begin', finalLsn: 0x100n, commitTime: 0n, xid: 7 },
  {
    tag: 'relation',
    relationOid: 42,
    schema: 'public',
    name: 'notes',
    replicaIdentity: 'd',
    columns: [
      { flags: 1, isKey: true, name: 'id', typeOid: 23, typeMod: -1 },
      { flags: 0, isKey: false, name: 'body', typeOid: 25, typeMod: -1 },
    ],
  },
  { tag: 'insert', relationOid: 42, newTuple: ['1', 'one'] },
  { tag: 'truncate', relationOids: [42], cascade: false, restartIdentity: false },
  { tag: 'commit', flags: 0, commitLsn: 0x100n, endLsn: 0x108n, commitTime: 0n },
];

describe('change file writer', () => {
  it('counts a truncate among the changes its trailer announces, as the reader does', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgtwin-change-writer-'));
    const store = await openStore(join(dir, 'archive'), { env: {}, create: true });
    try {
      const writer = new ChangeWriter({
        store,
        archiveId: 'a1',
        spoolDir: dir,
        tables: new Map([[PLAN.key, PLAN]]),
        ownerOf: (schema, name) => (schema === 'public' && name === 'notes' ? PLAN.key : undefined),
        masks: new Map(),
        strict: true,
        warn: (message) => assert.fail(message),
        declared: new Map([
          [
            PLAN.key,
            [
              { name: 'id', type: 'integer' },
              { name: 'body', type: 'text' },
            ],
          ],
        ]),
        chain: { nextSeq: 1, prev: null, lastCommitLsn: undefined },
        archivedLsn: 0n,
        maxFileBytes: 1 << 20,
      });
      for (const message of MESSAGES) await writer.handle(message);
      const stored = await (await writer.commit())?.committed;
      assert.equal(stored?.changes, 2);
      const [file] = await store.list('changes/');
      assert.ok(file !== undefined);
      const reader = readChangeFile(await store.read(file.name), file.name, { archiveId: 'a1', seq: 1, prev: null });
      const kinds: string[] = [];
      let next = await reader.next();
      while (next.done !== true) {
        kinds.push(next.value.t);
        next = await reader.next();
      }
      assert.deepEqual(kinds, ['header', 'begin', 'insert', 'truncate', 'commit', 'trailer']);
      assert.equal(next.value.trailer.changes, 2);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
