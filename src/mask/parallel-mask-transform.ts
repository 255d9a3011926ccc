/**
 * The masking stage of one COPY stream when masking runs on worker threads:
 * source bytes are gathered into blocks of whole rows, each block is masked by
 * the pool while the next is gathered, and results are pushed in source
 * order. At most `maxInFlight` blocks are out at once; past that the source is
 * not read, so memory stays bounded and a slow target still slows the source.
 */
import { Transform, type TransformCallback } from 'node:stream';

import { COPY_LF, countRows } from '../pg/copy-text.js';
import type { MaskedBlock, MaskPool } from './mask-pool.js';

/** Rows are cut into blocks of about this size: large enough that messaging is noise, small enough to overlap. */
const BLOCK_BYTES = 256 * 1024;
const HIGH_WATER_MARK = 256 * 1024;

export interface ParallelMaskingSpec {
  readonly pool: MaskPool;
  readonly table: string;
  /** Called as each block is passed on, with its rows and input bytes. */
  readonly onRows?: (rows: number, bytes: number) => void;
  /** Blocks out at once for this stream; default twice the pool's size. */
  readonly maxInFlight?: number;
}

interface Job {
  readonly inputBytes: number;
  result?: MaskedBlock;
  error?: unknown;
}

export function createParallelMaskingTransform(spec: ParallelMaskingSpec): Transform {
  return new ParallelMaskingTransform(spec);
}

class ParallelMaskingTransform extends Transform {
  private readonly maxInFlight: number;
  private block: Buffer = Buffer.allocUnsafeSlow(BLOCK_BYTES);
  private blockLength = 0;
  private rowsDispatched = 0;
  private readonly jobs: Job[] = [];
  /** A transform callback held back while too many blocks are out. */
  private waiting: TransformCallback | undefined;
  private flushing: TransformCallback | undefined;

  constructor(private readonly spec: ParallelMaskingSpec) {
    super({ highWaterMark: HIGH_WATER_MARK });
    this.maxInFlight = Math.max(1, spec.maxInFlight ?? spec.pool.size * 2);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.append(chunk);
    if (this.blockLength >= BLOCK_BYTES) this.dispatch();
    if (this.jobs.length >= this.maxInFlight) this.waiting = callback;
    else callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.blockLength > 0 && this.block[this.blockLength - 1] !== COPY_LF) {
      const carried = this.blockLength - (this.block.subarray(0, this.blockLength).lastIndexOf(COPY_LF) + 1);
      callback(
        new Error(
          `COPY stream ended in the middle of a row: ${carried} bytes after row ${this.rowsDispatched + countRows(this.block.subarray(0, this.blockLength))} have no terminating newline`,
        ),
      );
      return;
    }
    if (this.blockLength > 0) this.dispatch();
    if (this.jobs.length === 0) callback();
    else this.flushing = callback;
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Blocks still out are dropped when they come back (settle() checks `destroyed`).
    this.jobs.length = 0;
    callback(error);
  }

  private append(chunk: Buffer): void {
    const needed = this.blockLength + chunk.length;
    if (needed > this.block.length) {
      // A row longer than a block (a big text or bytea value): the block grows to hold it whole.
      const grown = Buffer.allocUnsafeSlow(Math.max(needed, this.block.length * 2));
      this.block.copy(grown, 0, 0, this.blockLength);
      this.block = grown;
    }
    chunk.copy(this.block, this.blockLength);
    this.blockLength = needed;
  }

  /** Sends the block's whole rows to the pool; the unfinished row starts the next block. */
  private dispatch(): void {
    const filled = this.block.subarray(0, this.blockLength);
    const cut = filled.lastIndexOf(COPY_LF) + 1;
    if (cut === 0) return;
    const next = Buffer.allocUnsafeSlow(Math.max(BLOCK_BYTES, this.blockLength - cut));
    this.block.copy(next, 0, cut, this.blockLength);
    const rows = countRows(filled.subarray(0, cut));
    const job: Job = { inputBytes: cut };
    this.jobs.push(job);
    const rowsBefore = this.rowsDispatched;
    this.rowsDispatched += rows;
    const sent = this.block;
    this.block = next;
    this.blockLength -= cut;
    this.spec.pool.mask(this.spec.table, sent, cut, rowsBefore).then(
      (result) => this.settle(job, result, undefined),
      (error: unknown) => this.settle(job, undefined, error ?? new Error('masking failed')),
    );
  }

  private settle(job: Job, result: MaskedBlock | undefined, error: unknown): void {
    if (this.destroyed) return;
    job.result = result;
    job.error = error;
    this.pump();
  }

  /** Passes on finished blocks in order, then releases a held-back callback. */
  private pump(): void {
    for (let head = this.jobs[0]; head !== undefined && (head.result !== undefined || head.error !== undefined); head = this.jobs[0]) {
      this.jobs.shift();
      if (head.error !== undefined) {
        this.fail(head.error);
        return;
      }
      const { output, rows } = head.result as MaskedBlock;
      this.push(output);
      this.spec.onRows?.(rows, head.inputBytes);
    }
    if (this.waiting !== undefined && this.jobs.length < this.maxInFlight) {
      const callback = this.waiting;
      this.waiting = undefined;
      callback();
    }
    if (this.flushing !== undefined && this.jobs.length === 0) {
      const callback = this.flushing;
      this.flushing = undefined;
      callback();
    }
  }

  private fail(error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    const callback = this.waiting ?? this.flushing;
    this.waiting = this.flushing = undefined;
    if (callback !== undefined) callback(err);
    else this.destroy(err);
  }
}
