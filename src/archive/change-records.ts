/**
 * The records of a change file, one JSON object per line
 * (docs/archive-format.md). A file is: a header, whole source transactions
 * (begin, changes, commit), and a trailer whose digest covers every line
 * before it. Values are text exactly as PostgreSQL prints them (or null),
 * already masked; a column whose TOASTed value did not change is named in
 * `unchanged` instead of carrying a value.
 *
 * Decoding checks each record's shape: a line that is not one of these is a
 * corrupt file, never guessed at.
 */
import { ArchiveError } from './errors.js';

export const CHANGES_FORMAT = 'pgtwin-changes';
export const CHANGES_VERSION = 1;

/** Column name -> value as text, or null. */
export type RowValues = Readonly<Record<string, string | null>>;

export interface TableName {
  readonly schema: string;
  readonly table: string;
}

export interface ColumnDef {
  readonly name: string;
  /** As format_type prints it: `character varying(80)`, `numeric(10,2)`, `public.mood`. */
  readonly type: string;
}

export interface HeaderRecord {
  readonly t: 'header';
  readonly format: typeof CHANGES_FORMAT;
  readonly version: number;
  readonly archive: string;
  readonly seq: number;
  /** The file before this one and its trailer digest; null for the first change file. */
  readonly prev: { readonly name: string; readonly digest: string } | null;
}

export interface BeginRecord {
  readonly t: 'begin';
  /** Commit LSN of the transaction (pgoutput's final LSN), as pg_lsn prints it. */
  readonly lsn: string;
  readonly time: string;
  readonly xid: number;
}

export interface InsertRecord extends TableName {
  readonly t: 'insert';
  readonly new: RowValues;
}

export interface UpdateRecord extends TableName {
  readonly t: 'update';
  /** The replica identity key's old values, when the source sent them (the key changed). */
  readonly key?: RowValues;
  /** The whole old row, under REPLICA IDENTITY FULL. */
  readonly old?: RowValues;
  readonly new: RowValues;
  /** Columns whose (TOASTed) value did not change: not in `new`. */
  readonly unchanged?: readonly string[];
}

export interface DeleteRecord extends TableName {
  readonly t: 'delete';
  readonly key?: RowValues;
  readonly old?: RowValues;
}

export interface TruncateRecord {
  readonly t: 'truncate';
  readonly tables: readonly TableName[];
  readonly cascade: boolean;
  readonly restart_identity: boolean;
}

/** A table's columns from here on (added, dropped or retyped on the source); apply makes the twin's match. */
export interface SchemaRecord extends TableName {
  readonly t: 'schema';
  readonly columns: readonly ColumnDef[];
}

/** A sequence's value on the source at this point of the stream. */
export interface SequenceRecord {
  readonly t: 'sequence';
  readonly schema: string;
  readonly name: string;
  readonly value: string;
  readonly is_called: boolean;
}

export interface CommitRecord {
  readonly t: 'commit';
  readonly lsn: string;
  /** End of the commit record: what the source slot may be told is flushed. */
  readonly end_lsn: string;
  readonly time: string;
}

export interface TrailerRecord {
  readonly t: 'trailer';
  readonly transactions: number;
  readonly changes: number;
  readonly first_lsn: string;
  readonly last_lsn: string;
  readonly end_lsn: string;
  /** SHA-256 (hex) of every byte of the file's lines before this one, newlines included. */
  readonly digest: string;
}

export type ChangeRecord =
  | HeaderRecord
  | BeginRecord
  | InsertRecord
  | UpdateRecord
  | DeleteRecord
  | TruncateRecord
  | SchemaRecord
  | SequenceRecord
  | CommitRecord
  | TrailerRecord;

/** The record as one line, newline included. */
export function encodeRecord(record: ChangeRecord): string {
  // Row records are most of a file: their fixed keys are written here and only the values go
  // through JSON.stringify, about a third less time than stringifying the whole record, for the
  // same text (keys in the order the record objects hold them; test/unit/archive-records.test.ts).
  switch (record.t) {
    case 'insert':
      return `${rowPrefix(record)},"new":${JSON.stringify(record.new)}}\n`;
    case 'update':
      return (
        rowPrefix(record) +
        (record.key === undefined ? '' : `,"key":${JSON.stringify(record.key)}`) +
        (record.old === undefined ? '' : `,"old":${JSON.stringify(record.old)}`) +
        `,"new":${JSON.stringify(record.new)}` +
        (record.unchanged === undefined ? '' : `,"unchanged":${JSON.stringify(record.unchanged)}`) +
        '}\n'
      );
    case 'delete':
      return (
        rowPrefix(record) +
        (record.key === undefined ? '' : `,"key":${JSON.stringify(record.key)}`) +
        (record.old === undefined ? '' : `,"old":${JSON.stringify(record.old)}`) +
        '}\n'
      );
    default:
      return `${JSON.stringify(record)}\n`;
  }
}

function rowPrefix(record: InsertRecord | UpdateRecord | DeleteRecord): string {
  return `{"t":"${record.t}","schema":${JSON.stringify(record.schema)},"table":${JSON.stringify(record.table)}`;
}

/** One line (without its newline) back into a record; `where` names the file and line for the error. */
export function decodeRecord(line: string, where: string): ChangeRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw corrupt(where, 'is not JSON', error);
  }
  if (!isObject(value) || typeof value.t !== 'string') throw corrupt(where, 'has no record type');
  const ok = SHAPES[value.t as ChangeRecord['t']];
  if (ok === undefined) throw corrupt(where, `has an unknown record type ${JSON.stringify(value.t)}`);
  if (!ok(value)) throw corrupt(where, `is not a valid ${value.t} record`);
  return value as unknown as ChangeRecord;
}

type Shape = (v: Record<string, unknown>) => boolean;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isLsn = (v: unknown): boolean => isString(v) && /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/.test(v);
const isDigest = (v: unknown): boolean => isString(v) && /^[0-9a-f]{64}$/.test(v);
const isRow = (v: unknown): boolean => isObject(v) && Object.values(v).every((x) => x === null || isString(x));
const isOptionalRow = (v: unknown): boolean => v === undefined || isRow(v);
const isTable = (v: Record<string, unknown>): boolean => isString(v.schema) && isString(v.table);
const isColumns = (v: unknown): boolean => Array.isArray(v) && v.every((c) => isObject(c) && isString(c.name) && isString(c.type));

const SHAPES: Readonly<Record<ChangeRecord['t'], Shape>> = {
  header: (v) =>
    v.format === CHANGES_FORMAT &&
    typeof v.version === 'number' &&
    isString(v.archive) &&
    isCount(v.seq) &&
    (v.prev === null || (isObject(v.prev) && isString(v.prev.name) && isDigest(v.prev.digest))),
  begin: (v) => isLsn(v.lsn) && isString(v.time) && isCount(v.xid),
  insert: (v) => isTable(v) && isRow(v.new),
  update: (v) =>
    isTable(v) &&
    isRow(v.new) &&
    isOptionalRow(v.key) &&
    isOptionalRow(v.old) &&
    (v.unchanged === undefined || (Array.isArray(v.unchanged) && v.unchanged.every(isString))),
  delete: (v) => isTable(v) && isOptionalRow(v.key) && isOptionalRow(v.old) && (v.key !== undefined || v.old !== undefined),
  truncate: (v) =>
    Array.isArray(v.tables) &&
    v.tables.every((t) => isObject(t) && isTable(t)) &&
    typeof v.cascade === 'boolean' &&
    typeof v.restart_identity === 'boolean',
  schema: (v) => isTable(v) && isColumns(v.columns),
  sequence: (v) =>
    isString(v.schema) && isString(v.name) && isString(v.value) && /^-?\d+$/.test(v.value) && typeof v.is_called === 'boolean',
  commit: (v) => isLsn(v.lsn) && isLsn(v.end_lsn) && isString(v.time),
  trailer: (v) =>
    isCount(v.transactions) && isCount(v.changes) && isLsn(v.first_lsn) && isLsn(v.last_lsn) && isLsn(v.end_lsn) && isDigest(v.digest),
};

function corrupt(where: string, what: string, cause?: unknown): ArchiveError {
  return new ArchiveError('ARCHIVE_CORRUPT', `${where} ${what}.`, {
    cause,
    nextStep:
      'The file was altered or damaged after it was written: run pgtwin archive verify to see every damaged file, then restore them from a backup or start a new base (pgtwin capture --new-base).',
  });
}
