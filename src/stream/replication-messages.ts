/**
 * The framing inside the CopyData messages of START_REPLICATION (the streaming
 * replication protocol): the server sends XLogData ('w', carrying one pgoutput
 * message) and primary keepalives ('k'); the client answers with standby
 * status updates ('r'), which is also how the slot learns what it may discard.
 */
import { ByteReader, describeTag } from './byte-reader.js';
import { FollowError } from './follow-errors.js';
import type { Lsn } from './lsn.js';

export type ReplicationMessage =
  | {
      readonly kind: 'xlog';
      readonly walStart: Lsn;
      readonly walEnd: Lsn;
      /** Server clock, microseconds since 2000-01-01 UTC. */
      readonly sendTime: bigint;
      /** The pgoutput message: a view into the given buffer, not a copy. */
      readonly data: Buffer;
    }
  | { readonly kind: 'keepalive'; readonly walEnd: Lsn; readonly sendTime: bigint; readonly replyRequested: boolean };

const XLOG_DATA = 0x77; // 'w'
const KEEPALIVE = 0x6b; // 'k'
const STANDBY_STATUS_UPDATE = 0x72; // 'r'

/** 'r' + written + flushed + applied + client time + reply flag. */
const STANDBY_STATUS_UPDATE_LENGTH = 1 + 8 + 8 + 8 + 8 + 1;

/** 2000-01-01T00:00:00Z in milliseconds since the Unix epoch: PostgreSQL's epoch. */
const PG_EPOCH_UNIX_MS = 946_684_800_000;

function decodeError(tag: string) {
  return (problem: string, offset: number): FollowError =>
    new FollowError('REPLICATION_MESSAGE_DECODE', `Cannot read a replication protocol message (${tag}) at byte ${offset}: ${problem}.`, {
      nextStep:
        'The server sent a message pgtwin does not understand; report it with the source version (SELECT version()). The slot keeps every change pgtwin has not confirmed.',
    });
}

export function parseReplicationMessage(buf: Buffer): ReplicationMessage {
  const tag = buf[0];
  if (tag === undefined) throw decodeError('empty')('the CopyData message is empty', 0);
  if (tag === XLOG_DATA) {
    const reader = new ByteReader(buf, decodeError("XLogData 'w'"));
    reader.u8('tag');
    const walStart = reader.u64('WAL start');
    const walEnd = reader.u64('WAL end');
    const sendTime = reader.i64('send time');
    return { kind: 'xlog', walStart, walEnd, sendTime, data: reader.rest() };
  }
  if (tag === KEEPALIVE) {
    const reader = new ByteReader(buf, decodeError("primary keepalive 'k'"));
    reader.u8('tag');
    const walEnd = reader.u64('WAL end');
    const sendTime = reader.i64('send time');
    // Trailing bytes are tolerated: a keepalive carries no data, so a longer one from a future server is harmless.
    const replyRequested = reader.u8('reply flag') !== 0;
    return { kind: 'keepalive', walEnd, sendTime, replyRequested };
  }
  throw decodeError(`tag ${describeTag(tag)}`)('unknown message tag', 0);
}

/**
 * The standby status update: positions are sent exactly as given (the caller
 * decides what "written/flushed/applied" mean, usually the end LSN of the last
 * applied commit); `flushed` is what the slot may discard up to.
 */
export function standbyStatusUpdate(
  written: Lsn,
  flushed: Lsn,
  applied: Lsn,
  replyRequested: boolean,
  nowMicros: bigint = pgEpochMicros(),
): Buffer {
  const buf = Buffer.alloc(STANDBY_STATUS_UPDATE_LENGTH);
  let offset = buf.writeUInt8(STANDBY_STATUS_UPDATE, 0);
  offset = buf.writeBigUInt64BE(written, offset);
  offset = buf.writeBigUInt64BE(flushed, offset);
  offset = buf.writeBigUInt64BE(applied, offset);
  offset = buf.writeBigInt64BE(nowMicros, offset);
  buf.writeUInt8(replyRequested ? 1 : 0, offset);
  return buf;
}

/** Microseconds since 2000-01-01 00:00 UTC, the clock of the replication protocol. `date` as a Date or Unix milliseconds; now by default. */
export function pgEpochMicros(date: Date | number = Date.now()): bigint {
  const unixMs = typeof date === 'number' ? date : date.getTime();
  if (!Number.isFinite(unixMs))
    throw new FollowError('INVALID_TIME', 'Cannot convert an invalid date to a replication protocol timestamp.');
  // Round at microseconds: fractional milliseconds (performance.timeOrigin + now()) are welcome, BigInt needs an integer.
  return BigInt(Math.round((unixMs - PG_EPOCH_UNIX_MS) * 1000));
}
