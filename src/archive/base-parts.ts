/**
 * The writer end of a base's table copy: masked COPY text in, gzip part
 * files of bounded size out, each put into the store before the next one is
 * started. Parts are cut at row boundaries: in COPY text a raw newline (0x0A)
 * ends a row (one inside a value is written as the two characters `\n`), so
 * the first newline after a part reaches its size ends it. Back-pressure
 * reaches the source's COPY through the pipeline: a slow store slows the
 * read, and memory stays a few buffers whatever the table's size.
 */
import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ChunkWrite, ChunkWriter, CopyResult } from '../snapshot/copy-ends.js';
import type { ArchiveStore } from '../store/store.js';
import type { BasePart } from './manifest.js';
import { SpoolWriter } from './spool-file.js';

const NEWLINE = 0x0a;

export interface PartsChunkWriterOptions {
  readonly store: ArchiveStore;
  readonly spoolDir: string;
  readonly maxPartBytes: number;
  /** The archive path of a table's part `n` (from 1). */
  readonly nameOf: (table: string, part: number) => string;
  /** Called with a table's parts once all of them are stored. */
  readonly onParts: (table: string, parts: readonly BasePart[]) => void;
}

/**
 * The copy pool's writer end for a base (src/snapshot/copy-ends.ts): a
 * chunk (capture copies each table as one) into part files. Written whole or
 * not at all: parts are put under their final names, but only the base
 * manifest, stored last, makes them part of a base.
 */
export function partsChunkWriter(options: PartsChunkWriterOptions): ChunkWriter {
  return {
    async write({ table, rows, transform, signal, started, counted }: ChunkWrite): Promise<CopyResult> {
      const parts = new BasePartsWriter({ ...options, nameOf: (part) => options.nameOf(table.key, part) });
      await pipeline(rows, transform, parts, { signal });
      options.onParts(table.key, parts.parts);
      const { rows: copied, bytes } = counted();
      return { rows: copied, bytes, durationMs: Math.round(performance.now() - started) };
    },
    close: () => Promise.resolve(),
  };
}

export interface BasePartsOptions {
  readonly store: ArchiveStore;
  readonly spoolDir: string;
  /** The archive path of part `n` (from 1). */
  readonly nameOf: (part: number) => string;
  /** A part ends at the first row end once it holds this many bytes of COPY text. */
  readonly maxPartBytes: number;
}

export class BasePartsWriter extends Writable {
  private spool: SpoolWriter | undefined;
  private rows = 0;
  private readonly stored: BasePart[] = [];

  constructor(private readonly options: BasePartsOptions) {
    super();
  }

  /** The parts stored, in order; complete once the stream has finished. */
  get parts(): readonly BasePart[] {
    return this.stored;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.take(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.close().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const spool = this.spool;
    this.spool = undefined;
    (spool === undefined ? Promise.resolve() : spool.discard()).then(
      () => callback(error),
      () => callback(error),
    );
  }

  private async take(chunk: Buffer): Promise<void> {
    let rest = chunk;
    while (rest.length > 0) {
      const spool = (this.spool ??= SpoolWriter.create(this.options.spoolDir, `base-part-${this.stored.length + 1}`));
      const room = this.options.maxPartBytes - spool.bytes;
      // Where this part may end: the first row end at or after its size is reached.
      const end = room > rest.length ? -1 : rest.indexOf(NEWLINE, Math.max(0, room - 1));
      const piece = end < 0 ? rest : rest.subarray(0, end + 1);
      this.rows += countRows(piece);
      await spool.write(piece);
      rest = end < 0 ? Buffer.alloc(0) : rest.subarray(end + 1);
      if (end >= 0) await this.close();
    }
  }

  /** The part in hand, finished and put into the store. */
  private async close(): Promise<void> {
    const spool = this.spool;
    if (spool === undefined) return;
    this.spool = undefined;
    const name = this.options.nameOf(this.stored.length + 1);
    try {
      const file = await spool.finish();
      await this.options.store.put(name, file);
      this.stored.push({ name, rows: this.rows, bytes: file.bytes, size: file.size, sha256: file.sha256 });
      this.rows = 0;
    } finally {
      await rm(spool.path, { force: true });
    }
  }
}

function countRows(piece: Buffer): number {
  let rows = 0;
  for (let at = piece.indexOf(NEWLINE); at >= 0; at = piece.indexOf(NEWLINE, at + 1)) rows++;
  return rows;
}
