/**
 * Where each file of an archive lives (docs/archive-format.md):
 *
 *   pgtwin-archive.json                        the archive's manifest
 *   bases/<base>/base.json                     a base's manifest, written last: a base without it is incomplete
 *   bases/<base>/<table>-<part>.copy.gz        a table's rows, COPY text, gzip
 *   changes/<seq>-<first commit lsn>.jsonl.gz  change files, whole source transactions
 *
 * Numbers are zero-padded so that byte order is stream order: listing a
 * store sorted by name gives the change files in the order they were written.
 */
import { ArchiveError } from './errors.js';

export const ARCHIVE_MANIFEST = 'pgtwin-archive.json';
export const BASES_DIR = 'bases/';
export const CHANGES_DIR = 'changes/';
export const BASE_MANIFEST = 'base.json';

const SEQ_DIGITS = 10;
const BASE_DIGITS = 6;
const LSN_DIGITS = 16;

const CHANGE_FILE = /^changes\/(\d{10})-([0-9A-F]{16})\.jsonl\.gz$/;
const BASE_NAME = /^(\d{6})-([0-9A-F]{16})$/;

export interface ChangeFileName {
  readonly name: string;
  /** Position in the chain: the first change file is 1, each next one one more. */
  readonly seq: number;
  /** Commit LSN of the file's first transaction. */
  readonly firstLsn: bigint;
}

export interface BaseName {
  readonly name: string;
  /** 1 for the archive's first base, then one more for each. */
  readonly seq: number;
  /** The consistent point of the snapshot the base was copied under: its changes start there. */
  readonly consistentLsn: bigint;
}

const hex = (lsn: bigint): string => lsn.toString(16).toUpperCase().padStart(LSN_DIGITS, '0');
const padded = (n: number, digits: number): string => {
  if (!Number.isSafeInteger(n) || n < 1 || String(n).length > digits) throw new RangeError(`${n} does not fit ${digits} digits`);
  return String(n).padStart(digits, '0');
};

export function changeFileName(seq: number, firstLsn: bigint): string {
  return `${CHANGES_DIR}${padded(seq, SEQ_DIGITS)}-${hex(firstLsn)}.jsonl.gz`;
}

/** The parts of a change file's name; undefined for any other file. */
export function parseChangeFileName(name: string): ChangeFileName | undefined {
  const match = CHANGE_FILE.exec(name);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { name, seq: Number(match[1]), firstLsn: BigInt(`0x${match[2]}`) };
}

export function baseName(seq: number, consistentLsn: bigint): string {
  return `${padded(seq, BASE_DIGITS)}-${hex(consistentLsn)}`;
}

export function parseBaseName(name: string): BaseName | undefined {
  const match = BASE_NAME.exec(name);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { name, seq: Number(match[1]), consistentLsn: BigInt(`0x${match[2]}`) };
}

export function baseManifestPath(base: string): string {
  return `${BASES_DIR}${base}/${BASE_MANIFEST}`;
}

/** A part of a table's rows in a base: tables by their index in the base manifest, parts from 1. */
export function basePartPath(base: string, tableIndex: number, part: number): string {
  if (!Number.isSafeInteger(tableIndex) || tableIndex < 0) throw new ArchiveError('ARCHIVE_BAD_NAME', `table index ${tableIndex}`);
  return `${BASES_DIR}${base}/${String(tableIndex).padStart(5, '0')}-${padded(part, 6)}.copy.gz`;
}

/** The base a file belongs to (`bases/<base>/...`), or undefined. */
export function baseOfPath(path: string): string | undefined {
  if (!path.startsWith(BASES_DIR)) return undefined;
  const rest = path.slice(BASES_DIR.length);
  const slash = rest.indexOf('/');
  return slash > 0 ? rest.slice(0, slash) : undefined;
}
