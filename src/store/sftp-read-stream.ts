/**
 * A remote file as a stream, with several READ requests in flight (one at a
 * time would make each 32 KiB wait a round trip). When the connection drops
 * mid-file, the stream opens the file again on a new connection and goes on
 * from where it was, so a long base part survives a network blip; when that
 * fails too, the stream ends with the store's error.
 */
import { Readable } from 'node:stream';
import type { SftpSession } from './sftp-session.js';

const READ_CHUNK = 32 * 1024;
const READS_IN_FLIGHT = 8;
/** Times one stream may reconnect before it gives up (each reconnection itself retries with backoff). */
const MAX_RESUMES = 5;

export interface OpenedRemoteFile {
  readonly session: SftpSession;
  readonly handle: Buffer;
  readonly size: number;
}

export interface RemoteFileSource {
  /** Opens the file on a live session, reconnecting (with retries) when needed. */
  open(): Promise<OpenedRemoteFile>;
  isTransient(error: unknown): boolean;
  /** The error the reader sees for a failure. */
  fail(error: unknown): Error;
}

export class SftpReadStream extends Readable {
  private file: OpenedRemoteFile;
  private position = 0;
  private scheduled = 0;
  private queue: Array<Promise<Buffer>> = [];
  private pumping = false;
  private resumes = 0;

  constructor(
    private readonly source: RemoteFileSource,
    first: OpenedRemoteFile,
  ) {
    super({ highWaterMark: READ_CHUNK * READS_IN_FLIGHT });
    this.file = first;
  }

  override _read(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.pump().finally(() => {
      this.pumping = false;
    });
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        if (this.position >= this.file.size) {
          await this.closeHandle();
          this.push(null);
          return;
        }
        this.schedule();
        const next = this.queue.shift();
        if (next === undefined) return;
        let chunk: Buffer;
        try {
          chunk = await next;
        } catch (error) {
          if (!this.source.isTransient(error) || this.resumes >= MAX_RESUMES) throw error;
          await this.reopen();
          continue;
        }
        this.position += chunk.length;
        if (!this.push(chunk)) return;
      }
    } catch (error) {
      this.destroy(this.source.fail(error));
    }
  }

  private schedule(): void {
    while (this.queue.length < READS_IN_FLIGHT && this.scheduled < this.file.size) {
      const length = Math.min(READ_CHUNK, this.file.size - this.scheduled);
      const read = readExactly(this.file, this.scheduled, length);
      read.catch(() => undefined); // awaited in order by pump; a failure after an earlier one is dropped with the queue
      this.queue.push(read);
      this.scheduled += length;
    }
  }

  /** A new connection, the file opened again, reading from the first byte not yet pushed. */
  private async reopen(): Promise<void> {
    this.resumes++;
    this.queue = [];
    const size = this.file.size;
    this.file = await this.source.open();
    if (this.file.size !== size) throw new Error(`the file changed size while being read (${size} bytes, now ${this.file.size})`);
    this.scheduled = this.position;
  }

  private async closeHandle(): Promise<void> {
    const { session, handle } = this.file;
    if (!session.alive) return;
    await session.call<void>((sftp, done) => sftp.close(handle, (error) => done(error, undefined))).catch(() => undefined);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.queue = [];
    this.closeHandle().then(
      () => callback(error),
      () => callback(error),
    );
  }
}

/** `length` bytes at `position`; a short READ (the server may send less) is followed by another. */
async function readExactly(file: OpenedRemoteFile, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const got = await file.session.call<number>((sftp, done) =>
      sftp.read(file.handle, buffer, filled, length - filled, position + filled, (error, bytesRead) => done(error, bytesRead)),
    );
    if (got === 0) throw new Error(`the file ended at byte ${position + filled} of ${file.size} while being read`);
    filled += got;
  }
  return buffer;
}
