/**
 * Where an archive lives: a directory, an SFTP server or an S3-compatible
 * bucket. Every store offers the same few operations on files named by
 * relative, '/'-separated paths (`changes/0000000001-….jsonl.gz`). Files are
 * put whole from a local spool file, so neither a huge base part nor a huge
 * transaction is ever held in memory, and read as streams.
 *
 * `put` resolves only when the file is durable and confirmed: written under a
 * temporary name, flushed and renamed (directory, SFTP), or uploaded and its
 * stored size and checksum read back (S3). Capture acknowledges the source
 * slot past a file only after its `put` has resolved.
 */
import type { Readable } from 'node:stream';

/** A file in a store. */
export interface StoredFile {
  /** Relative path inside the archive, '/'-separated. */
  readonly name: string;
  /** Bytes as stored. */
  readonly size: number;
}

/** A local file, fully written, to be put into a store: its size and SHA-256 (hex) are known. */
export interface SpoolFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface ArchiveStore {
  /** The archive's location for messages: its URL without any password. */
  readonly display: string;
  /** Every file whose name starts with `prefix` ('' for all), sorted by name (byte order). */
  list(prefix: string): Promise<StoredFile[]>;
  /** The file's bytes as a stream; a file that is not there is an ArchiveStoreError with code ARCHIVE_FILE_MISSING. */
  read(name: string): Promise<Readable>;
  /** Whether the file is there. */
  exists(name: string): Promise<boolean>;
  /** Puts a local file under `name` (replacing one there); durable and verified when it resolves. */
  put(name: string, file: SpoolFile): Promise<void>;
  /** Removes a file; one that is already gone is not an error. */
  remove(name: string): Promise<void>;
  /** Releases connections; the store is not used after. */
  close(): Promise<void>;
}
