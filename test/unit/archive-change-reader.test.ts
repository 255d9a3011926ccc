/** The change file reader: what it checks, record by record, and the error codes a damaged file gets. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readChangeFile, type ChangeFileExpectation } from '../../src/archive/change-reader.js';
import { encodeRecord, type ChangeRecord } from '../../src/archive/change-records.js';
import { RecordMessages } from '../../src/archive/record-messages.js';
import { PgtwinError } from '../../src/errors.js';
import { UNCHANGED_TOAST } from '../../src/stream/pgoutput.js';

const HEADER: ChangeRecord = {
  t: 'header',
  format: 'pgtwin-changes',
  version: 1,
  archive: 'a1',
  seq: 2,
  prev: { name: 'changes/one', digest: 'd'.repeat(64) },
};
const TX: ChangeRecord[] = [
  { t: 'begin', lsn: '0/100', time: '2026-12-03T15:00:00.000001Z', xid: 7 },
  { t: 'insert', schema: 'public', table: 't', new: { id: '1' } },
  { t: 'commit', lsn: '0/100', end_lsn: '0/108', time: '2026-12-03T15:00:00.000001Z' },
];
const EXPECT: ChangeFileExpectation = { archiveId: 'a1', seq: 2, prev: { name: 'changes/one', digest: 'd'.repeat(64) } };

function file(records: readonly ChangeRecord[], trailer: Partial<Extract<ChangeRecord, { t: 'trailer' }>> | null = {}): Buffer {
  const body = records.map(encodeRecord).join('');
  const digest = createHash('sha256').update(body).digest('hex');
  const end =
    trailer === null
      ? ''
      : encodeRecord({
          t: 'trailer',
          transactions: 1,
          changes: 1,
          first_lsn: '0/100',
          last_lsn: '0/100',
          end_lsn: '0/108',
          digest,
          ...trailer,
        });
  return gzipSync(Buffer.from(body + end));
}

async function codeOf(bytes: Buffer, expect = EXPECT): Promise<string> {
  try {
    const reader = readChangeFile(Readable.from([bytes]), 'changes/two', expect);
    let next = await reader.next();
    while (next.done !== true) next = await reader.next();
    return 'ok';
  } catch (error) {
    return error instanceof PgtwinError ? error.code : String(error);
  }
}

describe('change file reader', () => {
  it('reads a whole file', async () => {
    assert.equal(await codeOf(file([HEADER, ...TX])), 'ok');
    assert.equal(await codeOf(file([HEADER, ...TX]), { ...EXPECT, prev: undefined }), 'ok');
  });

  it('refuses what a damaged file looks like', async () => {
    const cases: Array<[string, Buffer, string]> = [
      ['no trailer', file([HEADER, ...TX], null), 'ARCHIVE_CORRUPT'],
      ['wrong digest', file([HEADER, ...TX], { digest: 'e'.repeat(64) }), 'ARCHIVE_CORRUPT'],
      ['wrong counts', file([HEADER, ...TX], { changes: 2 }), 'ARCHIVE_CORRUPT'],
      ['no header', file(TX), 'ARCHIVE_CORRUPT'],
      ['a change outside a transaction', file([HEADER, TX[1] as ChangeRecord, ...TX]), 'ARCHIVE_CORRUPT'],
      ['ends inside a transaction', file([HEADER, ...TX, TX[0] as ChangeRecord]), 'ARCHIVE_CORRUPT'],
      [
        'commit of another transaction',
        file([HEADER, TX[0] as ChangeRecord, { ...(TX[2] as ChangeRecord & { t: 'commit' }), lsn: '0/200' }]),
        'ARCHIVE_CORRUPT',
      ],
      ['a second header', file([HEADER, HEADER, ...TX]), 'ARCHIVE_CORRUPT'],
      ['not gzip', Buffer.from('hello'), 'ARCHIVE_CORRUPT'],
      ['cut short', file([HEADER, ...TX]).subarray(0, 30), 'ARCHIVE_CORRUPT'],
      ['another archive', file([{ ...HEADER, archive: 'a2' } as ChangeRecord, ...TX]), 'ARCHIVE_FOREIGN_FILE'],
      ['another place in the chain', file([{ ...HEADER, seq: 3 } as ChangeRecord, ...TX]), 'ARCHIVE_GAP'],
      [
        'another file before it',
        file([{ ...HEADER, prev: { name: 'changes/zero', digest: 'd'.repeat(64) } } as ChangeRecord, ...TX]),
        'ARCHIVE_GAP',
      ],
      [
        'a replaced file before it',
        file([{ ...HEADER, prev: { name: 'changes/one', digest: 'f'.repeat(64) } } as ChangeRecord, ...TX]),
        'ARCHIVE_GAP',
      ],
      ['a newer format', file([{ ...HEADER, version: 2 } as ChangeRecord, ...TX]), 'ARCHIVE_FORMAT_UNKNOWN'],
    ];
    for (const [what, bytes, code] of cases) assert.equal(await codeOf(bytes), code, what);
    const trailing = Buffer.concat([file([HEADER, ...TX]), gzipSync(Buffer.from('{"t":"begin"}\n'))]);
    assert.equal(await codeOf(trailing), 'ARCHIVE_CORRUPT', 'a line after the trailer');
  });
});

describe('records as pgoutput messages', () => {
  it('orders values by the relation, keeps unchanged TOAST apart from NULL, and announces new columns', () => {
    const messages = new RecordMessages(() => ['id', 'body', 'note']);
    const update = messages.messages({
      t: 'update',
      schema: 'public',
      table: 't',
      key: { id: '1' },
      new: { note: null, id: '2' },
      unchanged: ['body'],
    });
    assert.deepEqual(
      update.map((m) => m.tag),
      ['relation', 'update'],
    );
    const change = update[1];
    assert.ok(change?.tag === 'update');
    assert.deepEqual(change.newTuple, ['2', UNCHANGED_TOAST, null]);
    assert.deepEqual(change.keyTuple, ['1', null, null]);
    assert.deepEqual(
      messages.messages({ t: 'delete', schema: 'public', table: 't', key: { id: '2' } }).map((m) => m.tag),
      ['delete'],
    );
    messages.setColumns({ schema: 'public', table: 't' }, ['id', 'constructor']);
    const after = messages.messages({ t: 'insert', schema: 'public', table: 't', new: { id: '3' } });
    assert.deepEqual(
      after.map((m) => m.tag),
      ['relation', 'insert'],
    );
    const insert = after[1];
    assert.ok(insert?.tag === 'insert');
    assert.deepEqual(insert.newTuple, ['3', null], "a column named like an Object property is not the prototype's");
  });
});
