/**
 * Where a capture resumes: the end of the archive's chain of change files.
 * The last stored file says (its header and trailer) which number the next
 * file gets, which file and digest it must name as its predecessor, and the
 * commit LSN of the last transaction written: a transaction the slot sends
 * again at or below it is already in the archive and is skipped, so a
 * capture killed at any point writes neither a gap nor a second copy.
 *
 * Files are put whole (write-then-rename, or a complete upload), so the last
 * file is whole too; one that does not check out is damage, never repaired here.
 */
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { ArchiveStore } from '../store/store.js';
import { parseLsn, type Lsn } from '../stream/lsn.js';
import { decodeRecord, type HeaderRecord, type TrailerRecord } from './change-records.js';
import { ArchiveError } from './errors.js';
import { CHANGES_DIR, parseChangeFileName } from './layout.js';

export interface ChainEnd {
  /** The number of the next change file. */
  readonly nextSeq: number;
  /** The last file and its trailer digest (the next file's `prev`); null before the first. */
  readonly prev: { readonly name: string; readonly digest: string } | null;
  /** Commit LSN of the last transaction written; undefined before the first change file. */
  readonly lastCommitLsn: Lsn | undefined;
}

export async function readChainEnd(store: ArchiveStore, archiveId: string): Promise<ChainEnd> {
  const files = (await store.list(CHANGES_DIR)).map((f) => parseChangeFileName(f.name)).filter((f) => f !== undefined);
  const last = files.at(-1);
  if (last === undefined) return { nextSeq: 1, prev: null, lastCommitLsn: undefined };
  const { header, trailer } = await readEnds(store, last.name);
  if (header.archive !== archiveId || header.seq !== last.seq) {
    throw damaged(
      last.name,
      header.archive !== archiveId ? `belongs to archive ${header.archive}` : `says it is file ${header.seq} of the chain`,
    );
  }
  return { nextSeq: last.seq + 1, prev: { name: last.name, digest: trailer.digest }, lastCommitLsn: parseLsn(trailer.last_lsn) };
}

/** The header and the trailer of a change file, its digest checked. */
async function readEnds(store: ArchiveStore, name: string): Promise<{ header: HeaderRecord; trailer: TrailerRecord }> {
  const hash = createHash('sha256');
  let header: HeaderRecord | undefined;
  let trailer: TrailerRecord | undefined;
  let lineNo = 0;
  const lines = createInterface({ input: (await store.read(name)).pipe(createGunzip()), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    lineNo++;
    if (trailer !== undefined) throw damaged(name, 'has lines after its trailer');
    if (line.startsWith('{"t":"trailer"')) {
      const record = decodeRecord(line, `${name} line ${lineNo}`);
      if (record.t === 'trailer') {
        trailer = record;
        continue;
      }
    }
    hash.update(line);
    hash.update('\n');
    if (lineNo === 1) {
      const record = decodeRecord(line, `${name} line 1`);
      if (record.t !== 'header') throw damaged(name, 'does not start with a header');
      header = record;
    }
  }
  if (header === undefined || trailer === undefined) throw damaged(name, 'has no header or no trailer');
  if (hash.digest('hex') !== trailer.digest) throw damaged(name, "does not match its trailer's digest");
  return { header, trailer };
}

function damaged(name: string, what: string): ArchiveError {
  return new ArchiveError('ARCHIVE_CORRUPT', `The archive's last change file ${name} ${what}: capture cannot continue the chain.`, {
    nextStep:
      'Run pgtwin archive verify to see what is damaged; restore the file from a backup, or start a new base with pgtwin capture --new-base.',
  });
}
