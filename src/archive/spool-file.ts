/**
 * A local file being written before it is put into a store: text in, gzip on
 * disk, with the SHA-256 and size of what is stored and the count of bytes
 * before compression. Writes go through the gzip stream with backpressure, so
 * a huge transaction or a huge table passes through a few buffers, never
 * whole in memory. The file is fsynced before it is handed over, so a store
 * that renames it (or uploads it) never sees a file that is still being written.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import type { ArchiveStore, SpoolFile } from '../store/store.js';
import { isAlive } from '../local/lock.js';

/** Fast compression: capture runs beside production, and level 6 cost about twice the CPU for a few percent of size. */
const GZIP_LEVEL = 1;
/** Lines are handed to gzip in pieces of about this size. */
const GZIP_BATCH_BYTES = 64 * 1024;

export class SpoolWriter {
  private readonly gzip: Gzip;
  private readonly file: WriteStream;
  private readonly hash: Hash = createHash('sha256');
  private stored = 0;
  private written = 0;
  private readonly done: Promise<void>;
  private failure: unknown;
  /** Lines not yet handed to gzip: one zlib call per line (a thread-pool round each) cost more than the masking. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** SHA-256 of the text before compression, when asked for: hashed a piece at a time, not a line at a time. */
  private content: Hash | undefined;

  private constructor(
    readonly path: string,
    options: { readonly contentDigest?: boolean },
  ) {
    if (options.contentDigest === true) this.content = createHash('sha256');
    this.gzip = createGzip({ level: GZIP_LEVEL });
    this.file = createWriteStream(path, { flags: 'wx' });
    const measure = new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) => {
        this.hash.update(chunk);
        this.stored += chunk.length;
        callback(null, chunk);
      },
    });
    this.done = pipeline(this.gzip, measure, this.file);
    // Seen by the next write or by finish(); kept here so that no rejection goes unhandled.
    this.done.catch((error: unknown) => {
      this.failure ??= error;
    });
  }

  /**
   * A new spool file in `dir`, named after `label` with a random suffix (two captures never share one).
   * `contentDigest`: keep the SHA-256 of the text written, for contentDigest().
   */
  static create(dir: string, label: string, options: { readonly contentDigest?: boolean } = {}): SpoolWriter {
    return new SpoolWriter(spoolPath(dir, label), options);
  }

  /** SHA-256 (hex) of every byte of text written so far; what is written after it is not covered (a trailer that names it). */
  async contentDigest(): Promise<string> {
    const content = this.content;
    if (content === undefined) throw new Error('this spool file keeps no digest of its text');
    await this.handOver();
    this.content = undefined;
    return content.digest('hex');
  }

  /** Bytes written so far, before compression. */
  get bytes(): number {
    return this.written;
  }

  /** Writes text; a promise only when the gzip stream asks to wait (backpressure). */
  write(text: string | Buffer): Promise<void> | undefined {
    if (this.failure !== undefined) throw this.failure;
    const chunk = typeof text === 'string' ? Buffer.from(text) : text;
    this.written += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < GZIP_BATCH_BYTES) return undefined;
    return this.handOver();
  }

  /** The pending lines to gzip in one piece; a promise only when gzip asks to wait. */
  private handOver(): Promise<void> | undefined {
    if (this.pendingBytes === 0) return undefined;
    const batch = this.pending.length === 1 ? (this.pending[0] ?? Buffer.alloc(0)) : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.content?.update(batch);
    if (this.gzip.write(batch)) return undefined;
    return new Promise((resolve, reject) => {
      const onDrain = (): void => {
        this.gzip.off('error', onError);
        resolve();
      };
      const onError = (error: unknown): void => {
        this.gzip.off('drain', onDrain);
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      this.gzip.once('drain', onDrain);
      this.gzip.once('error', onError);
    });
  }

  /** Ends the gzip stream, flushes the file to disk, and says what it holds. */
  async finish(): Promise<SpoolFile & { readonly bytes: number }> {
    if (this.failure !== undefined) throw this.failure;
    await this.handOver();
    this.gzip.end();
    await this.done;
    if (this.failure !== undefined) throw this.failure;
    const handle = await open(this.path, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    return { path: this.path, size: this.stored, sha256: this.hash.digest('hex'), bytes: this.written };
  }

  /** Drops the file, finished or not. */
  async discard(): Promise<void> {
    this.gzip.destroy();
    await this.done.catch(() => undefined);
    await rm(this.path, { force: true });
  }
}

/** A small uncompressed file (a manifest), written and flushed to disk in one go. */
export async function spoolText(dir: string, label: string, text: string): Promise<SpoolFile> {
  const path = spoolPath(dir, label);
  const bytes = Buffer.from(text);
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { path, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Puts a small text file (a manifest) into a store through a spool file, removed after. */
export async function putText(store: ArchiveStore, dir: string, name: string, text: string): Promise<void> {
  const file = await spoolText(dir, name.replace(/[^A-Za-z0-9.-]/g, '_'), text);
  try {
    await store.put(name, file);
  } finally {
    await rm(file.path, { force: true });
  }
}

/**
 * `pgtwin-<label>.<pid>-<random>.spool`: recognisable in a shared temporary
 * directory, and naming the process that writes it, so that a file left by a
 * killed capture can be told from one still being written.
 */
function spoolPath(dir: string, label: string): string {
  return join(dir, `pgtwin-${label}.${process.pid}-${randomBytes(6).toString('hex')}.spool`);
}

const SPOOL_NAME = /^pgtwin-.+\.(\d+)-[0-9a-f]{12}\.spool$/;

/**
 * Deletes the spool files in `dir` whose process is gone (a capture killed
 * while writing one leaves it behind; it is never needed again: the file is
 * written anew from the slot). Files of running processes and files that are
 * not pgtwin's are left alone; a file that cannot be deleted is skipped.
 * Returns the names deleted.
 */
export async function removeAbandonedSpools(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [])) {
    const pid = Number(SPOOL_NAME.exec(name)?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    if (
      await rm(join(dir, name), { force: true }).then(
        () => true,
        () => false,
      )
    )
      removed.push(name);
  }
  return removed;
}
