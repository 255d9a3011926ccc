/**
 * Builds pgoutput messages and the replication framing around them, the way a
 * PostgreSQL walsender would: the inverse of src/stream/pgoutput.ts and
 * src/stream/replication-messages.ts, for unit tests and fake servers. Written
 * from the protocol documentation, not from the decoder, so a round trip checks
 * one reading of the spec against another.
 */
import { UNCHANGED_TOAST, type PgoutputMessage, type TupleValue } from '../../src/stream/pgoutput.js';
import type { Lsn } from '../../src/stream/lsn.js';

/** Appends big-endian protocol fields; also used by tests to hand-build malformed messages. */
export class ProtocolWriter {
  private readonly parts: Buffer[] = [];

  u8(value: number): this {
    const b = Buffer.alloc(1);
    b.writeUInt8(value);
    return this.push(b);
  }

  char(letter: string): this {
    return this.u8(letter.charCodeAt(0));
  }

  u16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(value);
    return this.push(b);
  }

  i32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    return this.push(b);
  }

  u32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value);
    return this.push(b);
  }

  u64(value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(value);
    return this.push(b);
  }

  i64(value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(value);
    return this.push(b);
  }

  /** A String of the protocol: UTF-8 then a NUL byte. */
  cstring(value: string): this {
    return this.push(Buffer.from(value, 'utf8')).u8(0);
  }

  bytes(value: Buffer): this {
    return this.push(value);
  }

  /** TupleData: Int16 count, then n / u / t+Int32 length+bytes per column. */
  tuple(values: readonly TupleValue[]): this {
    this.u16(values.length);
    for (const value of values) {
      if (value === null) this.char('n');
      else if (value === UNCHANGED_TOAST) this.char('u');
      else {
        const text = Buffer.from(value, 'utf8');
        this.char('t').i32(text.length).bytes(text);
      }
    }
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }

  private push(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
}

export function encodePgoutput(message: PgoutputMessage): Buffer {
  const w = new ProtocolWriter();
  switch (message.tag) {
    case 'begin':
      return w.char('B').u64(message.finalLsn).i64(message.commitTime).u32(message.xid).toBuffer();
    case 'commit':
      return w.char('C').u8(message.flags).u64(message.commitLsn).u64(message.endLsn).i64(message.commitTime).toBuffer();
    case 'origin':
      return w.char('O').u64(message.originLsn).cstring(message.name).toBuffer();
    case 'relation':
      w.char('R')
        .u32(message.relationOid)
        .cstring(message.schema)
        .cstring(message.name)
        .char(message.replicaIdentity)
        .u16(message.columns.length);
      for (const column of message.columns) w.u8(column.flags).cstring(column.name).u32(column.typeOid).i32(column.typeMod);
      return w.toBuffer();
    case 'type':
      return w.char('Y').u32(message.typeOid).cstring(message.schema).cstring(message.name).toBuffer();
    case 'insert':
      return w.char('I').u32(message.relationOid).char('N').tuple(message.newTuple).toBuffer();
    case 'update':
      w.char('U').u32(message.relationOid);
      if (message.keyTuple !== undefined) w.char('K').tuple(message.keyTuple);
      else if (message.oldTuple !== undefined) w.char('O').tuple(message.oldTuple);
      return w.char('N').tuple(message.newTuple).toBuffer();
    case 'delete':
      w.char('D').u32(message.relationOid);
      if (message.keyTuple !== undefined) return w.char('K').tuple(message.keyTuple).toBuffer();
      if (message.oldTuple !== undefined) return w.char('O').tuple(message.oldTuple).toBuffer();
      throw new Error('a delete carries either the old key or the old row');
    case 'truncate':
      w.char('T')
        .i32(message.relationOids.length)
        .u8((message.cascade ? 1 : 0) | (message.restartIdentity ? 2 : 0));
      for (const oid of message.relationOids) w.u32(oid);
      return w.toBuffer();
    case 'message':
      return w
        .char('M')
        .u8(message.transactional ? 1 : 0)
        .u64(message.lsn)
        .cstring(message.prefix)
        .i32(message.content.length)
        .bytes(message.content)
        .toBuffer();
  }
}

/** XLogData ('w'): the CopyData payload that carries one pgoutput message. */
export function encodeXLogData(walStart: Lsn, walEnd: Lsn, sendTime: bigint, data: Buffer): Buffer {
  return new ProtocolWriter().char('w').u64(walStart).u64(walEnd).i64(sendTime).bytes(data).toBuffer();
}

/** Primary keepalive ('k'). */
export function encodeKeepalive(walEnd: Lsn, sendTime: bigint, replyRequested: boolean): Buffer {
  return new ProtocolWriter()
    .char('k')
    .u64(walEnd)
    .i64(sendTime)
    .u8(replyRequested ? 1 : 0)
    .toBuffer();
}
