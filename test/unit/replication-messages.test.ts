import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { isPgtwinError } from '../../src/errors.js';
import { parseLsn } from '../../src/stream/lsn.js';
import { parseReplicationMessage, pgEpochMicros, standbyStatusUpdate } from '../../src/stream/replication-messages.js';
import { encodeKeepalive, encodeXLogData } from '../support/pgoutput-encode.js';

const MAX_U64 = 0xffff_ffff_ffff_ffffn;
const lsnArb = fc.bigInt({ min: 0n, max: MAX_U64 });
const timeArb = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });

function isDecodeError(error: unknown): boolean {
  return isPgtwinError(error) && error.code === 'REPLICATION_MESSAGE_DECODE';
}

describe('parseReplicationMessage', () => {
  it("reads XLogData ('w') and hands the payload through untouched", () => {
    const payload = Buffer.from([0x42, 0x00, 0xff, 0x10]);
    const message = parseReplicationMessage(encodeXLogData(parseLsn('16/B374D848'), parseLsn('16/B374D900'), 123_456_789n, payload));
    assert.equal(message.kind, 'xlog');
    assert.ok(message.kind === 'xlog');
    assert.equal(message.walStart, 0x16_b374_d848n);
    assert.equal(message.walEnd, 0x16_b374_d900n);
    assert.equal(message.sendTime, 123_456_789n);
    assert.deepEqual(message.data, payload);
  });

  it('reads an XLogData with an empty payload (25 header bytes)', () => {
    const message = parseReplicationMessage(encodeXLogData(0n, 0n, 0n, Buffer.alloc(0)));
    assert.ok(message.kind === 'xlog');
    assert.equal(message.data.length, 0);
  });

  it("reads a keepalive ('k') with and without the reply request", () => {
    for (const reply of [true, false]) {
      const message = parseReplicationMessage(encodeKeepalive(MAX_U64, -1n, reply));
      assert.deepEqual(message, { kind: 'keepalive', walEnd: MAX_U64, sendTime: -1n, replyRequested: reply });
    }
  });

  it('takes any non-zero reply byte as a request', () => {
    const buf = encodeKeepalive(1n, 2n, false);
    buf[17] = 2;
    const message = parseReplicationMessage(buf);
    assert.ok(message.kind === 'keepalive' && message.replyRequested);
  });

  it('reads LSNs unsigned and send times signed', () => {
    fc.assert(
      fc.property(lsnArb, lsnArb, timeArb, fc.uint8Array({ maxLength: 64 }), fc.boolean(), (start, end, time, bytes, reply) => {
        const x = parseReplicationMessage(encodeXLogData(start, end, time, Buffer.from(bytes)));
        assert.deepEqual(x, { kind: 'xlog', walStart: start, walEnd: end, sendTime: time, data: Buffer.from(bytes) });
        const k = parseReplicationMessage(encodeKeepalive(end, time, reply));
        assert.deepEqual(k, { kind: 'keepalive', walEnd: end, sendTime: time, replyRequested: reply });
      }),
    );
  });

  it('refuses an empty buffer, an unknown tag and short messages', () => {
    assert.throws(() => parseReplicationMessage(Buffer.alloc(0)), isDecodeError);
    assert.throws(
      () => parseReplicationMessage(Buffer.from('x')),
      (error: unknown) => isDecodeError(error) && /'x'/.test((error as Error).message),
    );
    const xlog = encodeXLogData(1n, 2n, 3n, Buffer.alloc(0));
    for (let length = 1; length < 25; length++) assert.throws(() => parseReplicationMessage(xlog.subarray(0, length)), isDecodeError);
    const keepalive = encodeKeepalive(1n, 2n, true);
    for (let length = 1; length < 18; length++) assert.throws(() => parseReplicationMessage(keepalive.subarray(0, length)), isDecodeError);
  });

  it('never puts payload bytes into the error', () => {
    try {
      parseReplicationMessage(Buffer.from('zsecret-value'));
      assert.fail('should throw');
    } catch (error) {
      assert.ok(error instanceof Error && !error.message.includes('secret'));
    }
  });
});

describe('standbyStatusUpdate', () => {
  it("is exactly 34 bytes: 'r', written, flushed, applied, clock, reply flag", () => {
    const buf = standbyStatusUpdate(0x0102_0304_0506_0708n, 0x1112_1314_1516_1718n, 0x2122_2324_2526_2728n, true, 0x3132_3334_3536_3738n);
    assert.equal(buf.length, 34);
    assert.equal(
      buf.toString('hex'),
      ['72', '0102030405060708', '1112131415161718', '2122232425262728', '3132333435363738', '01'].join(''),
    );
  });

  it('sends the positions as given (no +1) and the reply flag as 0 or 1', () => {
    const buf = standbyStatusUpdate(5n, 4n, 3n, false, 0n);
    assert.equal(buf.readBigUInt64BE(1), 5n);
    assert.equal(buf.readBigUInt64BE(9), 4n);
    assert.equal(buf.readBigUInt64BE(17), 3n);
    assert.equal(buf.readBigInt64BE(25), 0n);
    assert.equal(buf[33], 0);
  });

  it('carries the maximum LSN and a negative clock', () => {
    const buf = standbyStatusUpdate(MAX_U64, MAX_U64, MAX_U64, true, -5n);
    assert.equal(buf.readBigUInt64BE(1), MAX_U64);
    assert.equal(buf.readBigInt64BE(25), -5n);
  });

  it('stamps the current time by default', () => {
    const before = pgEpochMicros();
    const stamped = standbyStatusUpdate(0n, 0n, 0n, false).readBigInt64BE(25);
    const after = pgEpochMicros();
    assert.ok(stamped >= before && stamped <= after, `${before} <= ${stamped} <= ${after}`);
  });
});

describe('pgEpochMicros', () => {
  it('is zero at 2000-01-01 00:00 UTC and counts microseconds', () => {
    assert.equal(pgEpochMicros(new Date('2000-01-01T00:00:00Z')), 0n);
    assert.equal(pgEpochMicros(Date.UTC(2000, 0, 1, 0, 0, 1)), 1_000_000n);
    assert.equal(pgEpochMicros(new Date('1999-12-31T23:59:59.999Z')), -1000n);
    assert.equal(pgEpochMicros(new Date('2024-02-29T12:34:56.789Z')), 762_525_296_789_000n);
  });

  it('keeps sub-millisecond parts of a number', () => {
    assert.equal(pgEpochMicros(946_684_800_000.25), 250n);
  });

  it('refuses an invalid date', () => {
    assert.throws(
      () => pgEpochMicros(new Date('not a date')),
      (error: unknown) => isPgtwinError(error),
    );
  });
});
