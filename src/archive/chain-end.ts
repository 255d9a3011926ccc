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

/**
 * The header and the trailer of a change file, its digest checked. The file
 * is hashed in the pieces gunzip gives, not line by line: a capture started
 * from cron reads its last file on every start, which may be as large as the
 * rotation size.
 */
async function readEnds(store: ArchiveStore, name: string): Promise<{ header: HeaderRecord; trailer: TrailerRecord }> {
  const hash = createHash('sha256');
  let firstLine: string | undefined;
  /** Bytes not hashed yet: the last line seen so far, which may be the trailer, and any part of the next. */
  let held: Buffer = Buffer.alloc(0);
  for await (const piece of (await store.read(name)).pipe(createGunzip()) as AsyncIterable<Buffer>) {
    const bytes = held.length === 0 ? piece : Buffer.concat([held, piece]);
    if (firstLine === undefined) {
      const end = bytes.indexOf(NEWLINE);
      if (end >= 0) firstLine = bytes.toString('utf8', 0, end);
    }
    // Every line followed by more bytes is not the last one: hashed now.
    const cut = bytes.length < 2 ? -1 : bytes.lastIndexOf(NEWLINE, bytes.length - 2);
    if (cut >= 0) hash.update(bytes.subarray(0, cut + 1));
    held = bytes.subarray(cut + 1);
  }
  if (firstLine === undefined) throw damaged(name, 'does not start with a header');
  const header = decodeRecord(firstLine, `${name} line 1`);
  if (header.t !== 'header') throw damaged(name, 'does not start with a header');
  const last = held.toString('utf8');
  if (!last.startsWith('{"t":"trailer"') || !last.endsWith('\n')) throw damaged(name, 'does not end with its trailer');
  const trailer = decodeRecord(last.slice(0, -1), `${name} (its last line)`);
  if (trailer.t !== 'trailer') throw damaged(name, 'does not end with its trailer');
  if (hash.digest('hex') !== trailer.digest) throw damaged(name, "does not match its trailer's digest");
  return { header, trailer };
}

const NEWLINE = 0x0a;

function damaged(name: string, what: string): ArchiveError {
  return new ArchiveError('ARCHIVE_CORRUPT', `The archive's last change file ${name} ${what}: capture cannot continue the chain.`, {
    nextStep:
      'Run pgtwin archive verify to see what is damaged; restore the file from a backup, or start a new base with pgtwin capture --new-base.',
  });
}
