import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { isPgtwinError } from '../../src/errors.js';
import { decodePgoutput, UNCHANGED_TOAST, type PgoutputMessage, type RelationMessage, type TupleValue } from '../../src/stream/pgoutput.js';
import { encodePgoutput, ProtocolWriter } from '../support/pgoutput-encode.js';

const MAX_U64 = 0xffff_ffff_ffff_ffffn;

function roundTrip(message: PgoutputMessage): void {
  assert.deepEqual(decodePgoutput(encodePgoutput(message)), message);
}

function decodeError(code = 'PGOUTPUT_DECODE', pattern?: RegExp) {
  return (error: unknown): boolean =>
    isPgtwinError(error) && error.code === code && error.nextStep !== undefined && (pattern === undefined || pattern.test(error.message));
}

const relation: RelationMessage = {
  tag: 'relation',
  relationOid: 16_385,
  schema: 'public',
  name: 'users',
  replicaIdentity: 'd',
  columns: [
    { flags: 1, isKey: true, name: 'id', typeOid: 20, typeMod: -1 },
    { flags: 0, isKey: false, name: 'email', typeOid: 1043, typeMod: 259 },
    { flags: 0, isKey: false, name: 'créé_à', typeOid: 1184, typeMod: -1 },
  ],
};

describe('decodePgoutput: every message kind', () => {
  it('begin and commit', () => {
    roundTrip({ tag: 'begin', finalLsn: 0x16_b374_d848n, commitTime: 762_525_296_789_123n, xid: 0xffff_ffff });
    roundTrip({ tag: 'begin', finalLsn: MAX_U64, commitTime: -1n, xid: 0 });
    roundTrip({ tag: 'commit', flags: 0, commitLsn: 0x16_b374_d848n, endLsn: 0x16_b374_d878n, commitTime: 762_525_296_789_123n });
  });

  it('begin has the documented layout: LSN, time, xid', () => {
    const bytes = new ProtocolWriter().char('B').u64(0x0102_0304_0506_0708n).i64(9n).u32(7).toBuffer();
    assert.equal(bytes.length, 21);
    assert.deepEqual(decodePgoutput(bytes), { tag: 'begin', finalLsn: 0x0102_0304_0506_0708n, commitTime: 9n, xid: 7 });
  });

  it('origin', () => {
    roundTrip({ tag: 'origin', originLsn: 42n, name: 'pg_16390' });
    roundTrip({ tag: 'origin', originLsn: 0n, name: '' });
  });

  it('relation, with every replica identity, key flags and type modifiers', () => {
    roundTrip(relation);
    for (const replicaIdentity of ['d', 'n', 'f', 'i'] as const) roundTrip({ ...relation, replicaIdentity });
    roundTrip({ ...relation, schema: '', name: 'pg_class_like', columns: [] });
    const decoded = decodePgoutput(encodePgoutput(relation));
    assert.ok(decoded.tag === 'relation');
    assert.deepEqual(
      decoded.columns.map((c) => c.isKey),
      [true, false, false],
    );
  });

  it('relation: isKey follows bit 1 of the flags only', () => {
    const bytes = new ProtocolWriter().char('R').u32(1).cstring('s').cstring('t').char('f').u16(2);
    bytes.u8(3).cstring('a').u32(23).i32(-1).u8(2).cstring('b').u32(25).i32(-1);
    const decoded = decodePgoutput(bytes.toBuffer());
    assert.ok(decoded.tag === 'relation');
    assert.deepEqual(
      decoded.columns.map((c) => [c.flags, c.isKey]),
      [
        [3, true],
        [2, false],
      ],
    );
  });

  it('type', () => {
    roundTrip({ tag: 'type', typeOid: 16_400, schema: 'public', name: 'mood' });
  });

  it('insert', () => {
    roundTrip({ tag: 'insert', relationOid: 16_385, newTuple: ['1', 'a@example.org', '2024-02-29 12:34:56.123456+00'] });
    roundTrip({ tag: 'insert', relationOid: 0xffff_ffff, newTuple: [] });
  });

  it('update without old values, with the old key (K) and with the old row (O)', () => {
    roundTrip({ tag: 'update', relationOid: 1, keyTuple: undefined, oldTuple: undefined, newTuple: ['1', 'new'] });
    roundTrip({ tag: 'update', relationOid: 1, keyTuple: ['1', null], oldTuple: undefined, newTuple: ['2', 'new'] });
    roundTrip({ tag: 'update', relationOid: 1, keyTuple: undefined, oldTuple: ['1', 'old'], newTuple: ['1', 'new'] });
  });

  it('delete with the old key (K) and with the old row (O)', () => {
    roundTrip({ tag: 'delete', relationOid: 1, keyTuple: ['1', null], oldTuple: undefined });
    roundTrip({ tag: 'delete', relationOid: 1, keyTuple: undefined, oldTuple: ['1', 'old'] });
  });

  it('truncate with each combination of CASCADE and RESTART IDENTITY', () => {
    for (const cascade of [false, true]) {
      for (const restartIdentity of [false, true]) roundTrip({ tag: 'truncate', relationOids: [16_385, 16_390], cascade, restartIdentity });
    }
    roundTrip({ tag: 'truncate', relationOids: [], cascade: false, restartIdentity: false });
  });

  it('truncate option bits: 1 is CASCADE, 2 is RESTART IDENTITY', () => {
    const decode = (options: number) => decodePgoutput(new ProtocolWriter().char('T').i32(1).u8(options).u32(5).toBuffer());
    assert.deepEqual(decode(1), { tag: 'truncate', relationOids: [5], cascade: true, restartIdentity: false });
    assert.deepEqual(decode(2), { tag: 'truncate', relationOids: [5], cascade: false, restartIdentity: true });
  });

  it('logical decoding message, transactional or not, with its content copied', () => {
    roundTrip({ tag: 'message', transactional: true, lsn: 99n, prefix: 'pgtwin', content: Buffer.from([0, 1, 2, 255]) });
    roundTrip({ tag: 'message', transactional: false, lsn: MAX_U64, prefix: '', content: Buffer.alloc(0) });
    const bytes = encodePgoutput({ tag: 'message', transactional: false, lsn: 1n, prefix: 'p', content: Buffer.from('abc') });
    const decoded = decodePgoutput(bytes);
    bytes.fill(0);
    assert.ok(decoded.tag === 'message');
    assert.equal(decoded.content.toString(), 'abc', 'the decoded content survives reuse of the input buffer');
  });
});

describe('decodePgoutput: column values', () => {
  const insert = (newTuple: readonly TupleValue[]): PgoutputMessage => ({ tag: 'insert', relationOid: 7, newTuple });

  it('keeps NULL, unchanged TOAST and the empty string apart', () => {
    roundTrip(insert([null, UNCHANGED_TOAST, '', 'NULL', '\\N']));
    const decoded = decodePgoutput(encodePgoutput(insert([null, UNCHANGED_TOAST, ''])));
    assert.ok(decoded.tag === 'insert');
    assert.equal(decoded.newTuple[0], null);
    assert.equal(decoded.newTuple[1], UNCHANGED_TOAST);
    assert.equal(decoded.newTuple[2], '');
  });

  it('decodes multibyte UTF-8 exactly', () => {
    roundTrip(insert(['café', '€', '😀 emoji', '日本語', 'a\u0000b', 'tab\tnew\nline\\']));
  });

  it('keeps timestamps, numerics and other text verbatim', () => {
    const values = [
      '2024-02-29 12:34:56.123456+00',
      '1999-12-31 23:59:59.999999',
      '123456789012345678901234567890.000000001',
      'NaN',
      '-0',
      '{1,2,"a b"}',
      '\\xdeadbeef',
    ];
    const decoded = decodePgoutput(encodePgoutput(insert(values)));
    assert.ok(decoded.tag === 'insert');
    assert.deepEqual(decoded.newTuple, values);
    assert.equal(typeof decoded.newTuple[0], 'string');
  });

  it('decodes very long values (4 MiB of multibyte text)', () => {
    const long = 'é€'.repeat(800_000);
    const decoded = decodePgoutput(encodePgoutput(insert(['1', long])));
    assert.ok(decoded.tag === 'insert');
    assert.equal(decoded.newTuple[1], long);
  });

  it("refuses binary values ('b') with their own error", () => {
    const bytes = new ProtocolWriter()
      .char('I')
      .u32(7)
      .char('N')
      .u16(1)
      .char('b')
      .i32(4)
      .bytes(Buffer.from([0, 0, 0, 1]))
      .toBuffer();
    assert.throws(() => decodePgoutput(bytes), decodeError('PGOUTPUT_BINARY_VALUE', /binary/));
  });

  it('refuses an unknown kind of value', () => {
    const bytes = new ProtocolWriter().char('I').u32(7).char('N').u16(1).char('x').toBuffer();
    assert.throws(() => decodePgoutput(bytes), decodeError('PGOUTPUT_DECODE', /'x' of column 1/));
  });

  it('refuses a negative text length', () => {
    const bytes = new ProtocolWriter().char('I').u32(7).char('N').u16(1).char('t').i32(-1).toBuffer();
    assert.throws(() => decodePgoutput(bytes), decodeError('PGOUTPUT_DECODE', /negative length/));
  });
});

describe('decodePgoutput: malformed input', () => {
  it('refuses an empty buffer and unknown tags, naming the tag and offset', () => {
    assert.throws(() => decodePgoutput(Buffer.alloc(0)), decodeError());
    assert.throws(() => decodePgoutput(Buffer.from('Z')), decodeError('PGOUTPUT_DECODE', /'Z' at byte 0/));
    assert.throws(() => decodePgoutput(Buffer.from([0x01])), decodeError('PGOUTPUT_DECODE', /0x01/));
  });

  it('names streamed and two-phase messages instead of misreading them', () => {
    for (const tag of ['S', 'E', 'c', 'A'])
      assert.throws(() => decodePgoutput(Buffer.from(tag)), decodeError('PGOUTPUT_DECODE', /streaming/));
    for (const tag of ['b', 'P', 'K', 'r', 'p'])
      assert.throws(() => decodePgoutput(Buffer.from(tag)), decodeError('PGOUTPUT_DECODE', /two_phase/));
  });

  it('refuses every truncation of every kind of message', () => {
    const messages: PgoutputMessage[] = [
      { tag: 'begin', finalLsn: 1n, commitTime: 2n, xid: 3 },
      { tag: 'commit', flags: 0, commitLsn: 1n, endLsn: 2n, commitTime: 3n },
      { tag: 'origin', originLsn: 1n, name: 'o' },
      relation,
      { tag: 'type', typeOid: 1, schema: 's', name: 't' },
      { tag: 'insert', relationOid: 1, newTuple: ['abc', null, UNCHANGED_TOAST] },
      { tag: 'update', relationOid: 1, keyTuple: ['k'], oldTuple: undefined, newTuple: ['abc'] },
      { tag: 'update', relationOid: 1, keyTuple: undefined, oldTuple: ['o'], newTuple: ['abc'] },
      { tag: 'delete', relationOid: 1, keyTuple: undefined, oldTuple: ['o', 'p'] },
      { tag: 'truncate', relationOids: [1, 2], cascade: true, restartIdentity: false },
      { tag: 'message', transactional: true, lsn: 1n, prefix: 'p', content: Buffer.from('xyz') },
    ];
    for (const message of messages) {
      const bytes = encodePgoutput(message);
      for (let length = 1; length < bytes.length; length++) {
        assert.throws(() => decodePgoutput(bytes.subarray(0, length)), decodeError(), `${message.tag} cut at ${length} of ${bytes.length}`);
      }
      assert.throws(
        () => decodePgoutput(Buffer.concat([bytes, Buffer.from([0])])),
        decodeError('PGOUTPUT_DECODE', /unexpected byte/),
        `${message.tag} with a trailing byte`,
      );
    }
  });

  it('refuses wrong tuple markers and replica identities', () => {
    const insertWithO = new ProtocolWriter().char('I').u32(1).char('O').u16(0).toBuffer();
    assert.throws(() => decodePgoutput(insertWithO), decodeError('PGOUTPUT_DECODE', /marker 'N'/));
    const updateWithX = new ProtocolWriter().char('U').u32(1).char('X').u16(0).toBuffer();
    assert.throws(() => decodePgoutput(updateWithX), decodeError('PGOUTPUT_DECODE', /'K', 'O' or 'N'/));
    const updateKeyWithoutNew = new ProtocolWriter().char('U').u32(1).char('K').u16(0).char('K').u16(0).toBuffer();
    assert.throws(() => decodePgoutput(updateKeyWithoutNew), decodeError('PGOUTPUT_DECODE', /marker 'N'/));
    const deleteWithN = new ProtocolWriter().char('D').u32(1).char('N').u16(0).toBuffer();
    assert.throws(() => decodePgoutput(deleteWithN), decodeError('PGOUTPUT_DECODE', /'K' or 'O'/));
    const badIdentity = new ProtocolWriter().char('R').u32(1).cstring('s').cstring('t').char('x').u16(0).toBuffer();
    assert.throws(() => decodePgoutput(badIdentity), decodeError('PGOUTPUT_DECODE', /replica identity/));
  });

  it('never puts row data into an error message', () => {
    const secret = 'alice.secret@example.org';
    const bytes = encodePgoutput({ tag: 'update', relationOid: 1, keyTuple: undefined, oldTuple: [secret], newTuple: [secret, secret] });
    for (let length = 1; length < bytes.length; length++) {
      try {
        decodePgoutput(bytes.subarray(0, length));
        assert.fail('should throw');
      } catch (error) {
        assert.ok(error instanceof Error);
        assert.ok(!error.message.includes('secret') && !(isPgtwinError(error) && (error.nextStep ?? '').includes('secret')), error.message);
      }
    }
  });
});

describe('decodePgoutput: properties', () => {
  const textArb = fc.string({ unit: 'binary', maxLength: 40 });
  const valueArb: fc.Arbitrary<TupleValue> = fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant(UNCHANGED_TOAST) },
    { weight: 4, arbitrary: textArb },
  );
  const tupleArb = fc.array(valueArb, { maxLength: 30 });
  const oidArb = fc.integer({ min: 0, max: 0xffff_ffff });
  const lsnArb = fc.bigInt({ min: 0n, max: MAX_U64 });
  const timeArb = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });

  const messageArb: fc.Arbitrary<PgoutputMessage> = fc.oneof(
    fc.record({ tag: fc.constant('begin' as const), finalLsn: lsnArb, commitTime: timeArb, xid: oidArb }),
    fc.record({
      tag: fc.constant('commit' as const),
      flags: fc.integer({ min: 0, max: 255 }),
      commitLsn: lsnArb,
      endLsn: lsnArb,
      commitTime: timeArb,
    }),
    fc.record({
      tag: fc.constant('origin' as const),
      originLsn: lsnArb,
      name: fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !s.includes('\u0000')),
    }),
    fc.record({ tag: fc.constant('insert' as const), relationOid: oidArb, newTuple: tupleArb }),
    fc
      .record({
        relationOid: oidArb,
        old: fc.oneof(fc.constant(undefined), fc.record({ kind: fc.constantFrom('K', 'O'), values: tupleArb })),
        newTuple: tupleArb,
      })
      .map(({ relationOid, old, newTuple }) => ({
        tag: 'update' as const,
        relationOid,
        keyTuple: old?.kind === 'K' ? old.values : undefined,
        oldTuple: old?.kind === 'O' ? old.values : undefined,
        newTuple,
      })),
    fc.record({ relationOid: oidArb, kind: fc.constantFrom('K', 'O'), values: tupleArb }).map(({ relationOid, kind, values }) => ({
      tag: 'delete' as const,
      relationOid,
      keyTuple: kind === 'K' ? values : undefined,
      oldTuple: kind === 'O' ? values : undefined,
    })),
    fc.record({
      tag: fc.constant('truncate' as const),
      relationOids: fc.array(oidArb, { maxLength: 10 }),
      cascade: fc.boolean(),
      restartIdentity: fc.boolean(),
    }),
    fc.record({
      tag: fc.constant('message' as const),
      transactional: fc.boolean(),
      lsn: lsnArb,
      prefix: fc.string({ maxLength: 10 }).filter((s) => !s.includes('\u0000')),
      content: fc.uint8Array({ maxLength: 50 }).map((a) => Buffer.from(a)),
    }),
  );

  it('encode -> decode is the identity for random tuples', () => {
    fc.assert(
      fc.property(oidArb, tupleArb, (relationOid, newTuple) => {
        assert.deepEqual(decodePgoutput(encodePgoutput({ tag: 'insert', relationOid, newTuple })), {
          tag: 'insert',
          relationOid,
          newTuple,
        });
      }),
      { numRuns: 500 },
    );
  });

  it('encode -> decode is the identity for random messages of every kind', () => {
    fc.assert(
      fc.property(messageArb, (message) => {
        // fc.record builds null-prototype objects; the spread gives the plain object the decoder returns.
        assert.deepEqual(decodePgoutput(encodePgoutput(message)), { ...message });
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes either decode or fail with a PgtwinError, never anything else', () => {
    fc.assert(
      fc.property(fc.constantFrom(...'BCORYIUDTM'), fc.uint8Array({ maxLength: 64 }), (tag, rest) => {
        try {
          decodePgoutput(Buffer.concat([Buffer.from(tag), rest]));
        } catch (error) {
          assert.ok(isPgtwinError(error), String(error));
        }
      }),
      { numRuns: 1000 },
    );
  });
});
