/**
 * Reads a base's parts as the chunks of the copy pool (src/snapshot/copy-ends.ts):
 * chunk i of a table is its part i, gunzipped into the COPY text it was
 * written as. The stored bytes are counted and hashed as they pass, and a
 * part whose size or SHA-256 is not the manifest's fails at its end, before
 * the writer commits its rows.
 */
import { createHash } from 'node:crypto';
import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { ChunkPlan } from '../plan/chunk-bounds.js';
import type { TablePlan } from '../plan/plan.js';
import type { ChunkReader } from '../snapshot/copy-ends.js';
import type { ArchiveStore } from '../store/store.js';
import { ArchiveError } from './errors.js';
import type { BaseManifest, BasePart } from './manifest.js';

export function openBaseReader(store: ArchiveStore, base: BaseManifest): ChunkReader {
  const parts = new Map(base.tables.map((t) => [t.key, t.parts]));
  return {
    read(table: TablePlan, chunk: ChunkPlan): Readable {
      const part = parts.get(table.key)?.[chunk.index];
      const out = new PassThrough();
      if (part === undefined) {
        out.destroy(new ArchiveError('ARCHIVE_CORRUPT', `Base ${base.name} lists no part ${chunk.index + 1} of ${table.key}.`));
        return out;
      }
      store
        .read(part.name)
        .then((stored) => pipeline(stored, new StoredBytes(part, `${store.display}/${part.name}`), createGunzip(), out))
        .catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
      return out;
    },
    close: async () => undefined,
  };
}

/** Passes the stored bytes on; at their end, fails unless their size and SHA-256 are the manifest's. */
class StoredBytes extends Transform {
  private size = 0;
  private readonly hash = createHash('sha256');

  constructor(
    private readonly part: BasePart,
    private readonly where: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.size === this.part.size && this.hash.digest('hex') === this.part.sha256) return callback();
    callback(
      new ArchiveError('ARCHIVE_CORRUPT', `${this.where} is not the part its base manifest lists (its size or SHA-256 differs).`, {
        nextStep: 'Nothing of it was loaded. Run pgtwin archive verify; restore the part from a backup, or apply from another base.',
      }),
    );
  }
}
