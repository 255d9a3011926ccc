import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { commitTimeText, parseCommitTime } from '../../src/archive/commit-time.js';
import { decodeRecord, encodeRecord, type ChangeRecord } from '../../src/archive/change-records.js';
import { baseName, basePartPath, baseOfPath, changeFileName, parseBaseName, parseChangeFileName } from '../../src/archive/layout.js';
import { decodeArchiveManifest, decodeBaseManifest, encodeManifest, type ArchiveManifest } from '../../src/archive/manifest.js';
import { rulesDigest } from '../../src/archive/rules-digest.js';
import { PgtwinError } from '../../src/errors.js';

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof PgtwinError) return error.code;
    throw error;
  }
  return 'no error';
};

describe('archive layout', () => {
  it('change file names sort in stream order and parse back', () => {
    const names = [changeFileName(10, 0x1_0000_0000n), changeFileName(2, 0xffff_ffffn), changeFileName(1, 0x16b3748n)];
    assert.deepEqual([...names].sort(), [names[2], names[1], names[0]]);
    assert.equal(names[2], 'changes/0000000001-00000000016B3748.jsonl.gz');
    assert.deepEqual(parseChangeFileName(names[0] ?? ''), { name: names[0], seq: 10, firstLsn: 0x1_0000_0000n });
    assert.equal(parseChangeFileName('changes/1-16B3748.jsonl.gz'), undefined);
    assert.equal(parseChangeFileName('changes/0000000001-00000000016B3748.jsonl.gz.tmp-1'), undefined);
  });

  it('base names and part paths', () => {
    const base = baseName(3, 0xabcdefn);
    assert.equal(base, '000003-0000000000ABCDEF');
    assert.deepEqual(parseBaseName(base), { name: base, seq: 3, consistentLsn: 0xabcdefn });
    const part = basePartPath(base, 12, 7);
    assert.equal(part, 'bases/000003-0000000000ABCDEF/00012-000007.copy.gz');
    assert.equal(baseOfPath(part), base);
    assert.equal(baseOfPath('changes/x'), undefined);
    assert.throws(() => changeFileName(0, 1n), RangeError);
  });
});

describe('commit times', () => {
  it('keep microseconds both ways, before and after 2000', () => {
    for (const us of [0n, 1n, 123_456n, 849_000_000_123_456n, -1n, -86_400_000_001n]) {
      assert.equal(parseCommitTime(commitTimeText(us)), us);
    }
    assert.equal(commitTimeText(0n), '2000-01-01T00:00:00.000000Z');
    assert.equal(commitTimeText(-1n), '1999-12-31T23:59:59.999999Z');
    // Within one second, across a second, and beyond the range where Number arithmetic is exact.
    assert.equal(commitTimeText(849_000_000_000_001n), '2026-11-26T09:20:00.000001Z');
    assert.equal(commitTimeText(849_000_000_999_999n), '2026-11-26T09:20:00.999999Z');
    assert.equal(commitTimeText(849_000_001_000_000n), '2026-11-26T09:20:01.000000Z');
    for (const us of [9_007_199_254_740_993n, 9_100_000_000_000_123n]) assert.equal(parseCommitTime(commitTimeText(us)), us);
    assert.equal(
      code(() => parseCommitTime('2026-12-03 15:00:00')),
      'ARCHIVE_BAD_RECORD',
    );
  });
});

describe('change records', () => {
  const records: ChangeRecord[] = [
    { t: 'header', format: 'pgtwin-changes', version: 1, archive: 'a1', seq: 1, prev: null },
    { t: 'begin', lsn: '0/16B3748', time: '2026-12-03T15:00:00.000001Z', xid: 750 },
    { t: 'insert', schema: 'public', table: 'users', new: { id: '1', email: 'x@example.com', note: null } },
    { t: 'update', schema: 'public', table: 'users', key: { id: '1' }, new: { id: '2' }, unchanged: ['bio'] },
    { t: 'delete', schema: 'public', table: 'users', old: { id: '2', email: null } },
    { t: 'truncate', tables: [{ schema: 'public', table: 'users' }], cascade: false, restart_identity: true },
    { t: 'schema', schema: 'public', table: 'users', columns: [{ name: 'id', type: 'integer' }] },
    { t: 'sequence', schema: 'public', name: 'users_id_seq', value: '-42', is_called: true },
    { t: 'commit', lsn: '0/16B3748', end_lsn: '0/16B3778', time: '2026-12-03T15:00:00.000001Z' },
    {
      t: 'trailer',
      transactions: 1,
      changes: 4,
      first_lsn: '0/16B3748',
      last_lsn: '0/16B3748',
      end_lsn: '0/16B3778',
      digest: 'a'.repeat(64),
    },
  ];

  it('round trip as single lines', () => {
    for (const record of records) {
      const line = encodeRecord(record);
      assert.equal(line.indexOf('\n'), line.length - 1, 'one line, newline at the end');
      assert.deepEqual(decodeRecord(line.slice(0, -1), 'f:1'), record);
    }
  });

  it('are the JSON text of the record, with odd names and values (quotes, backslashes, control characters, other scripts)', () => {
    const odd = 'a "quoted" \\ back\u0001slash\ttab é 中 😀 \u2028';
    const rows: ChangeRecord[] = [
      ...records,
      { t: 'insert', schema: odd, table: odd, new: { [odd]: odd, '1': 'digits first', n: null } },
      { t: 'update', schema: 's', table: 't', old: { [odd]: null }, new: { x: odd } },
      { t: 'update', schema: 's', table: 't', key: { k: '1' }, old: { k: '0' }, new: { k: '1' }, unchanged: [odd] },
      { t: 'delete', schema: 's', table: 't', key: { [odd]: odd } },
      { t: 'delete', schema: 's', table: 't' },
    ];
    for (const record of rows) assert.equal(encodeRecord(record), `${JSON.stringify(record)}\n`);
  });

  it('values with newlines stay on one line', () => {
    const line = encodeRecord({ t: 'insert', schema: 'public', table: 't', new: { body: 'a\nb\r\n' } });
    assert.equal(line.split('\n').length, 2);
  });

  it('refuse what is not a record', () => {
    const bad = [
      'not json',
      '[]',
      '{"t":"nope"}',
      '{"t":"insert","schema":"public","table":"t","new":{"a":1}}',
      '{"t":"delete","schema":"public","table":"t"}',
      '{"t":"begin","lsn":"0/xyz","time":"t","xid":1}',
      '{"t":"header","format":"other","version":1,"archive":"a","seq":1,"prev":null}',
      '{"t":"trailer","transactions":1,"changes":1,"first_lsn":"0/1","last_lsn":"0/1","end_lsn":"0/1","digest":"short"}',
    ];
    for (const line of bad)
      assert.equal(
        code(() => decodeRecord(line, 'f:1')),
        'ARCHIVE_CORRUPT',
        line,
      );
  });
});

describe('manifests', () => {
  const manifest: ArchiveManifest = {
    format: 'pgtwin-archive',
    version: 1,
    archiveId: '1f0e',
    createdAt: '2026-12-03T15:00:00.000Z',
    source: { systemId: '7412', database: 'shop', serverVersion: 180004 },
    slot: 'pgtwin_archive_1f0e',
    publication: 'pgtwin',
    tables: ['public.users'],
    rulesDigest: 'd',
    keyFingerprint: null,
  };

  it('round trip, and an unknown version is refused with its own code', () => {
    assert.deepEqual(decodeArchiveManifest(encodeManifest(manifest), 'm'), manifest);
    assert.equal(
      code(() => decodeArchiveManifest(JSON.stringify({ ...manifest, version: 2 }), 'm')),
      'ARCHIVE_FORMAT_UNKNOWN',
    );
    assert.equal(
      code(() => decodeArchiveManifest(JSON.stringify({ ...manifest, tables: 'x' }), 'm')),
      'ARCHIVE_CORRUPT',
    );
    assert.equal(
      code(() => decodeBaseManifest(encodeManifest(manifest), 'm')),
      'ARCHIVE_CORRUPT',
    );
  });
});

describe('rules digest', () => {
  const spec = (table: string, rules: [string, { strategy: string; options?: Record<string, unknown> }][]) => ({
    table,
    rules: rules as never,
    columns: [],
    primaryKey: [],
    uniqueKeys: [],
  });
  it('ignores order, sees every option', () => {
    const a = rulesDigest([
      spec('public.a', [
        ['x', { strategy: 'hash', options: { length: 8, salt: 's' } }],
        ['y', { strategy: 'email' }],
      ]),
      spec('public.b', []),
    ]);
    const b = rulesDigest([
      spec('public.b', []),
      spec('public.a', [
        ['y', { strategy: 'email' }],
        ['x', { strategy: 'hash', options: { salt: 's', length: 8 } }],
      ]),
    ]);
    const c = rulesDigest([
      spec('public.a', [
        ['x', { strategy: 'hash', options: { length: 9, salt: 's' } }],
        ['y', { strategy: 'email' }],
      ]),
      spec('public.b', []),
    ]);
    assert.equal(a, b);
    assert.notEqual(a, c);
  });
});
