/**
 * The two ends of a chunk's copy, so one worker pool serves every mode: a
 * reader gives a chunk's rows as COPY text (from the source under a snapshot,
 * or from an archive's base parts), a writer takes them (into the twin in one
 * transaction that records the chunk, or into an archive's part files). The
 * masking transform sits between them when the mode masks.
 *
 * Each worker opens its own reader and writer lazily and closes them when it
 * is done or when a chunk failed part way (a session cut off in the middle of
 * COPY cannot be reused).
 */
import type { Readable, Transform } from 'node:stream';
import type { TablePlan } from '../plan/plan.js';
import type { ChunkPlan } from '../plan/chunk-bounds.js';

export interface CopyResult {
  readonly rows: number;
  readonly bytes: number;
  readonly durationMs: number;
}

export interface ChunkReader {
  /** The chunk's rows as COPY text (one line per row; a table with no column gives empty lines). */
  read(table: TablePlan, chunk: ChunkPlan): Readable;
  close(): Promise<void>;
}

export interface ChunkWrite {
  readonly table: TablePlan;
  readonly chunk: ChunkPlan;
  readonly rows: Readable;
  /** Between the reader and the writer: masks, or counts rows as they pass (rows, bytes). */
  readonly transform: Transform;
  readonly signal: AbortSignal;
  readonly started: number;
  /** Totals so far, as the transform counts them. */
  readonly counted: () => { readonly rows: number; readonly bytes: number };
}

export interface ChunkWriter {
  /** Writes the chunk whole, or not at all (a failure leaves nothing of it behind). */
  write(chunk: ChunkWrite): Promise<CopyResult>;
  close(): Promise<void>;
}

export interface CopyEnds {
  /** What the first failure message of a worker names, e.g. `source session`. */
  openReader(signal: AbortSignal): Promise<ChunkReader>;
  openWriter(signal: AbortSignal): Promise<ChunkWriter>;
}
