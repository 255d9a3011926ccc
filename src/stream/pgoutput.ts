/**
 * Decodes the messages of the pgoutput plugin (PostgreSQL's "Logical
 * Replication Message Formats"), protocol version 1. Versions 2 and later send
 * the same bytes for every message here as long as streaming and two_phase are
 * off, which is how pgtwin starts replication; their extra messages (streamed
 * and prepared transactions) are refused by name rather than misread.
 *
 * One call decodes one message and keeps nothing: a transaction of a million
 * rows is a million independent calls, so memory stays flat however large the
 * transaction is.
 *
 * Column values stay text exactly as the server's output functions wrote them
 * (the same text COPY would give): turning a timestamp into a Date would drop
 * its microseconds, a numeric into a number its digits.
 */
import { ByteReader, describeTag } from './byte-reader.js';
import { FollowError } from './follow-errors.js';
import type { Lsn } from './lsn.js';

/** A TOASTed column the change did not touch: the server does not resend it, and the twin must keep what it has. */
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged TOAST value');

export type TupleValue = string | null | typeof UNCHANGED_TOAST;

export interface RelationColumn {
  /** 1 when the column is part of the replica identity key. */
  readonly flags: number;
  readonly isKey: boolean;
  readonly name: string;
  readonly typeOid: number;
  readonly typeMod: number;
}

export interface RelationMessage {
  readonly tag: 'relation';
  readonly relationOid: number;
  /** Empty for pg_catalog. */
  readonly schema: string;
  readonly name: string;
  readonly replicaIdentity: 'd' | 'n' | 'f' | 'i';
  readonly columns: readonly RelationColumn[];
}

export type PgoutputMessage =
  | { readonly tag: 'begin'; readonly finalLsn: Lsn; readonly commitTime: bigint; readonly xid: number }
  | { readonly tag: 'commit'; readonly flags: number; readonly commitLsn: Lsn; readonly endLsn: Lsn; readonly commitTime: bigint }
  | { readonly tag: 'origin'; readonly originLsn: Lsn; readonly name: string }
  | RelationMessage
  | { readonly tag: 'type'; readonly typeOid: number; readonly schema: string; readonly name: string }
  | { readonly tag: 'insert'; readonly relationOid: number; readonly newTuple: readonly TupleValue[] }
  | {
      readonly tag: 'update';
      readonly relationOid: number;
      /** The old key, sent when the key changed (replica identity default or index). */
      readonly keyTuple: readonly TupleValue[] | undefined;
      /** The whole old row, sent under replica identity full. */
      readonly oldTuple: readonly TupleValue[] | undefined;
      readonly newTuple: readonly TupleValue[];
    }
  | {
      readonly tag: 'delete';
      readonly relationOid: number;
      readonly keyTuple: readonly TupleValue[] | undefined;
      readonly oldTuple: readonly TupleValue[] | undefined;
    }
  | { readonly tag: 'truncate'; readonly relationOids: readonly number[]; readonly cascade: boolean; readonly restartIdentity: boolean }
  | {
      readonly tag: 'message';
      readonly transactional: boolean;
      readonly lsn: Lsn;
      readonly prefix: string;
      /** A copy, independent of the buffer it was decoded from. */
      readonly content: Buffer;
    };

const TRUNCATE_CASCADE = 1;
const TRUNCATE_RESTART_IDENTITY = 2;
const MESSAGE_TRANSACTIONAL = 1;
const COLUMN_IS_KEY = 1;

const REPLICA_IDENTITIES: ReadonlySet<string> = new Set(['d', 'n', 'f', 'i']);

/** Messages of protocol versions pgtwin does not negotiate, named so the error says what was asked for by mistake. */
const STREAMING_TAGS = new Set(['S', 'E', 'c', 'A']);
const TWO_PHASE_TAGS = new Set(['b', 'P', 'K', 'r', 'p']);

const DECODE_NEXT_STEP =
  'The source sent a change pgtwin cannot read; report it with the source version (SELECT version()). The slot keeps every change pgtwin has not confirmed, so nothing is lost by stopping here.';

function failure(tag: string) {
  return (problem: string, offset: number): FollowError =>
    new FollowError('PGOUTPUT_DECODE', `Cannot decode pgoutput message ${tag} at byte ${offset}: ${problem}.`, {
      nextStep: DECODE_NEXT_STEP,
    });
}

export function decodePgoutput(data: Buffer): PgoutputMessage {
  const tagByte = data[0];
  if (tagByte === undefined) throw failure('(none)')('the message is empty', 0);
  const tag = String.fromCharCode(tagByte);
  const reader = new ByteReader(data, failure(describeTag(tagByte)));
  reader.u8('tag');
  const message = decodeBody(tag, tagByte, reader);
  reader.end('the message');
  return message;
}

function decodeBody(tag: string, tagByte: number, reader: ByteReader): PgoutputMessage {
  switch (tag) {
    case 'B':
      return { tag: 'begin', finalLsn: reader.u64('final LSN'), commitTime: reader.i64('commit time'), xid: reader.u32('xid') };
    case 'C':
      return {
        tag: 'commit',
        flags: reader.u8('flags'),
        commitLsn: reader.u64('commit LSN'),
        endLsn: reader.u64('end LSN'),
        commitTime: reader.i64('commit time'),
      };
    case 'O':
      return { tag: 'origin', originLsn: reader.u64('origin LSN'), name: reader.cstring('origin name') };
    case 'R':
      return decodeRelation(reader);
    case 'Y':
      return { tag: 'type', typeOid: reader.u32('type OID'), schema: reader.cstring('type schema'), name: reader.cstring('type name') };
    case 'I': {
      const relationOid = reader.u32('relation OID');
      expectMarker(reader, 'N', 'the new tuple');
      return { tag: 'insert', relationOid, newTuple: decodeTuple(reader, 'new tuple') };
    }
    case 'U':
      return decodeUpdate(reader);
    case 'D':
      return decodeDelete(reader);
    case 'T':
      return decodeTruncate(reader);
    case 'M': {
      const flags = reader.u8('flags');
      const lsn = reader.u64('message LSN');
      const prefix = reader.cstring('message prefix');
      const length = reader.i32('content length');
      // Copied: the caller's buffer may be reused by the connection once this returns.
      const content = Buffer.from(reader.bytes(length, 'message content'));
      return { tag: 'message', transactional: (flags & MESSAGE_TRANSACTIONAL) !== 0, lsn, prefix, content };
    }
    default:
      throw reader.failAt(unknownTagProblem(tag, tagByte), 0);
  }
}

function unknownTagProblem(tag: string, tagByte: number): string {
  if (STREAMING_TAGS.has(tag)) return 'it belongs to a streamed transaction, and pgtwin starts replication with streaming off';
  if (TWO_PHASE_TAGS.has(tag)) return 'it belongs to a prepared (two-phase) transaction, and pgtwin starts replication with two_phase off';
  return `unknown message tag ${describeTag(tagByte)}`;
}

function decodeRelation(reader: ByteReader): RelationMessage {
  const relationOid = reader.u32('relation OID');
  const schema = reader.cstring('schema name');
  const name = reader.cstring('relation name');
  const identityOffset = reader.offset;
  const identity = String.fromCharCode(reader.u8('replica identity'));
  if (!isReplicaIdentity(identity)) throw reader.failAt(`unknown replica identity ${JSON.stringify(identity)}`, identityOffset);
  const count = reader.u16('column count');
  const columns: RelationColumn[] = [];
  for (let i = 1; i <= count; i++) {
    const flags = reader.u8(`flags of column ${i}`);
    columns.push({
      flags,
      isKey: (flags & COLUMN_IS_KEY) !== 0,
      name: reader.cstring(`name of column ${i}`),
      typeOid: reader.u32(`type OID of column ${i}`),
      typeMod: reader.i32(`type modifier of column ${i}`),
    });
  }
  return { tag: 'relation', relationOid, schema, name, replicaIdentity: identity, columns };
}

function isReplicaIdentity(value: string): value is RelationMessage['replicaIdentity'] {
  return REPLICA_IDENTITIES.has(value);
}

/** Update: an optional old key ('K') or old row ('O'), then the new row ('N'). */
function decodeUpdate(reader: ByteReader): PgoutputMessage {
  const relationOid = reader.u32('relation OID');
  const markerOffset = reader.offset;
  const marker = String.fromCharCode(reader.u8('tuple marker'));
  let keyTuple: TupleValue[] | undefined;
  let oldTuple: TupleValue[] | undefined;
  if (marker === 'K') keyTuple = decodeTuple(reader, 'old key');
  else if (marker === 'O') oldTuple = decodeTuple(reader, 'old tuple');
  else if (marker !== 'N')
    throw reader.failAt(`expected tuple marker 'K', 'O' or 'N', found ${describeTag(marker.charCodeAt(0))}`, markerOffset);
  if (marker !== 'N') expectMarker(reader, 'N', 'the new tuple');
  return { tag: 'update', relationOid, keyTuple, oldTuple, newTuple: decodeTuple(reader, 'new tuple') };
}

/** Delete: the old key ('K') or the old row ('O'); one of them is always there. */
function decodeDelete(reader: ByteReader): PgoutputMessage {
  const relationOid = reader.u32('relation OID');
  const markerOffset = reader.offset;
  const marker = String.fromCharCode(reader.u8('tuple marker'));
  if (marker === 'K') return { tag: 'delete', relationOid, keyTuple: decodeTuple(reader, 'old key'), oldTuple: undefined };
  if (marker === 'O') return { tag: 'delete', relationOid, keyTuple: undefined, oldTuple: decodeTuple(reader, 'old tuple') };
  throw reader.failAt(`expected tuple marker 'K' or 'O', found ${describeTag(marker.charCodeAt(0))}`, markerOffset);
}

function decodeTruncate(reader: ByteReader): PgoutputMessage {
  const count = reader.i32('relation count');
  if (count < 0) throw reader.failAt(`negative relation count ${count}`, reader.offset - 4);
  const options = reader.u8('options');
  const relationOids: number[] = [];
  for (let i = 1; i <= count; i++) relationOids.push(reader.u32(`OID of relation ${i}`));
  return {
    tag: 'truncate',
    relationOids,
    cascade: (options & TRUNCATE_CASCADE) !== 0,
    restartIdentity: (options & TRUNCATE_RESTART_IDENTITY) !== 0,
  };
}

function expectMarker(reader: ByteReader, expected: string, what: string): void {
  const offset = reader.offset;
  const marker = reader.u8(`marker of ${what}`);
  if (marker !== expected.charCodeAt(0))
    throw reader.failAt(`expected ${what} (marker '${expected}'), found ${describeTag(marker)}`, offset);
}

/** TupleData: a column count, then per column 'n' (NULL), 'u' (unchanged TOAST), 't' (text) or 'b' (binary). */
function decodeTuple(reader: ByteReader, what: string): TupleValue[] {
  const count = reader.u16(`column count of the ${what}`);
  const values: TupleValue[] = [];
  for (let i = 1; i <= count; i++) {
    const kindOffset = reader.offset;
    const kind = reader.u8(`kind of column ${i} of the ${what}`);
    switch (kind) {
      case 0x6e: // 'n'
        values.push(null);
        break;
      case 0x75: // 'u'
        values.push(UNCHANGED_TOAST);
        break;
      case 0x74: {
        // 't'
        const length = reader.i32(`length of column ${i} of the ${what}`);
        values.push(reader.utf8(length, `column ${i} of the ${what}`));
        break;
      }
      case 0x62: // 'b'
        throw new FollowError('PGOUTPUT_BINARY_VALUE', `Column ${i} of the ${what} arrived in binary format, which pgtwin does not read.`, {
          nextStep: "Start replication without the `binary 'true'` option: pgtwin applies column values as text.",
        });
      default:
        throw reader.failAt(`unknown kind ${describeTag(kind)} of column ${i} of the ${what}`, kindOffset);
    }
  }
  return values;
}
