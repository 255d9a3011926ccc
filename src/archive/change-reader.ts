/**
 * Reads one change file as a stream: gunzip → lines → records
 * (docs/archive-format.md), checking as it goes what makes a damaged
 * archive detectable: the header names this archive, the expected place in
 * the chain and the file before it; transactions are whole (begin, changes,
 * commit with the begin's LSN); the trailer's counts and digest match every
 * line before it, and nothing follows it.
 *
 * Records are handed out as they are read, so memory stays bounded whatever
 * the file or transaction size. The file is known good only once the
 * iteration has ended without an error: a reader that applies records must
 * not commit them before (apply holds them in one twin transaction until the
 * end of the file).
 */
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { messageOf } from '../errors.js';
import { decodeRecord, type ChangeRecord, type HeaderRecord, type TrailerRecord } from './change-records.js';
import { ArchiveError } from './errors.js';
import { checkFormatVersion } from './manifest.js';

/** What the file must say about itself. */
export interface ChangeFileExpectation {
  /** Undefined when not known (verify of an archive whose manifest is damaged). */
  readonly archiveId: string | undefined;
  readonly seq: number;
  /** The file before it and its trailer's digest; null for the first file; undefined when not known (reading starts mid-chain). */
  readonly prev: { readonly name: string; readonly digest: string } | null | undefined;
}

/** A change file read to its end and found whole. */
export interface ChangeFileSummary {
  readonly name: string;
  readonly header: HeaderRecord;
  readonly trailer: TrailerRecord;
}

const NEXT_STEP =
  'Nothing of this file was applied. Run pgtwin archive verify to see every damaged or missing file; restore it from a backup, or start a new base (pgtwin capture --new-base) and apply from it (pgtwin apply --recreate).';

function damaged(name: string, problem: string, code = 'ARCHIVE_CORRUPT', cause?: unknown): ArchiveError {
  return new ArchiveError(code, `${name}: ${problem}.`, { nextStep: NEXT_STEP, ...(cause === undefined ? {} : { cause }) });
}

/**
 * The file's records, header and trailer included, in order; returns the
 * summary once the trailer has been checked. Throws an ArchiveError naming
 * the file at the first problem.
 */
export async function* readChangeFile(
  stream: Readable,
  name: string,
  expect: ChangeFileExpectation,
): AsyncGenerator<ChangeRecord, ChangeFileSummary, undefined> {
  const gunzip = createGunzip();
  let streamError: unknown;
  const onError = (error: unknown): void => {
    streamError ??= error;
    gunzip.destroy(error instanceof Error ? error : new Error(String(error)));
  };
  stream.on('error', onError);
  stream.pipe(gunzip);
  const lines = createInterface({ input: gunzip, crlfDelay: Infinity });
  const digest = createHash('sha256');
  const check = new FileCheck(name, expect);
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      const where = `${name} line ${lineNumber}`;
      if (check.trailer !== undefined)
        throw damaged(name, `has ${JSON.stringify(line.slice(0, 40))} after its trailer (line ${lineNumber})`);
      const record = decodeRecord(line, where);
      if (record.t === 'trailer') {
        const computed = digest.digest('hex');
        check.trailerSeen(record, computed);
      } else {
        digest.update(line);
        digest.update('\n');
        check.record(record, lineNumber);
      }
      yield record;
    }
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    const cause = streamError ?? error;
    if (streamError !== undefined && !isZlibError(cause)) throw cause;
    throw damaged(name, `cannot be decompressed (${messageOf(cause)})`, 'ARCHIVE_CORRUPT', cause);
  } finally {
    lines.close();
    stream.off('error', onError);
    stream.unpipe(gunzip);
    stream.destroy();
    gunzip.destroy();
  }
  if (streamError !== undefined) {
    if (!isZlibError(streamError)) throw streamError;
    throw damaged(name, `cannot be decompressed (${messageOf(streamError)})`, 'ARCHIVE_CORRUPT', streamError);
  }
  return check.summary(lineNumber);
}

/** zlib's own errors (a damaged or cut gzip stream), as opposed to the store's. */
function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/** The rules a file's records must follow, checked one record at a time. */
class FileCheck {
  header: HeaderRecord | undefined;
  trailer: TrailerRecord | undefined;
  private openLsn: string | undefined;
  private transactions = 0;
  private changes = 0;
  private firstLsn: string | undefined;
  private lastLsn: string | undefined;
  private endLsn: string | undefined;

  constructor(
    private readonly name: string,
    private readonly expect: ChangeFileExpectation,
  ) {}

  record(record: Exclude<ChangeRecord, TrailerRecord>, line: number): void {
    if (this.header === undefined) {
      if (record.t !== 'header') throw damaged(this.name, 'does not start with a header');
      this.checkHeader(record);
      this.header = record;
      return;
    }
    const at = `(line ${line})`;
    switch (record.t) {
      case 'header':
        throw damaged(this.name, `has a second header ${at}`);
      case 'begin':
        if (this.openLsn !== undefined) throw damaged(this.name, `begins a transaction inside another ${at}`);
        this.openLsn = record.lsn;
        return;
      case 'commit':
        if (this.openLsn === undefined) throw damaged(this.name, `commits with no transaction open ${at}`);
        if (record.lsn !== this.openLsn)
          throw damaged(this.name, `commits ${record.lsn} in a transaction that began as ${this.openLsn} ${at}`);
        this.openLsn = undefined;
        this.transactions++;
        this.firstLsn ??= record.lsn;
        this.lastLsn = record.lsn;
        this.endLsn = record.end_lsn;
        return;
      default:
        if (this.openLsn === undefined) throw damaged(this.name, `has a ${record.t} record outside a transaction ${at}`);
        if (record.t !== 'schema' && record.t !== 'sequence') this.changes++;
    }
  }

  trailerSeen(trailer: TrailerRecord, computed: string): void {
    if (this.header === undefined) throw damaged(this.name, 'does not start with a header');
    if (this.openLsn !== undefined) throw damaged(this.name, `ends inside the transaction ${this.openLsn}`);
    if (trailer.digest !== computed) throw damaged(this.name, 'does not match its digest: it was altered after it was written');
    if (trailer.transactions !== this.transactions || trailer.changes !== this.changes)
      throw damaged(
        this.name,
        `holds ${this.transactions} transactions and ${this.changes} changes, its trailer says ${trailer.transactions} and ${trailer.changes}`,
      );
    if (
      this.transactions > 0 &&
      (trailer.first_lsn !== this.firstLsn || trailer.last_lsn !== this.lastLsn || trailer.end_lsn !== this.endLsn)
    )
      throw damaged(this.name, 'has a trailer whose LSNs are not those of its transactions');
    this.trailer = trailer;
  }

  summary(lines: number): ChangeFileSummary {
    if (this.header === undefined) throw damaged(this.name, lines === 0 ? 'is empty' : 'does not start with a header');
    if (this.trailer === undefined) throw damaged(this.name, 'ends without its trailer: it was cut short');
    return { name: this.name, header: this.header, trailer: this.trailer };
  }

  private checkHeader(header: HeaderRecord): void {
    checkFormatVersion(header.version, this.name);
    const { expect } = this;
    if (expect.archiveId !== undefined && header.archive !== expect.archiveId)
      throw damaged(this.name, `belongs to another archive (${header.archive}, this one is ${expect.archiveId})`, 'ARCHIVE_FOREIGN_FILE');
    if (header.seq !== expect.seq)
      throw damaged(
        this.name,
        `is number ${header.seq} of the chain where number ${expect.seq} belongs: files are missing or reordered`,
        'ARCHIVE_GAP',
      );
    if (expect.prev === undefined) return;
    if (expect.prev === null) {
      if (header.prev !== null)
        throw damaged(this.name, `names ${header.prev.name} before it, but it is the first change file`, 'ARCHIVE_GAP');
      return;
    }
    if (header.prev === null || header.prev.name !== expect.prev.name)
      throw damaged(this.name, `does not follow ${expect.prev.name} (it names ${header.prev?.name ?? 'no file'} before it)`, 'ARCHIVE_GAP');
    if (header.prev.digest !== expect.prev.digest)
      throw damaged(this.name, `follows a different ${expect.prev.name} than the one in the archive: a file was replaced`, 'ARCHIVE_GAP');
  }
}
