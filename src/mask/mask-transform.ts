/**
 * The stream stage between `COPY ... TO STDOUT` on the source and
 * `COPY ... FROM STDIN` on the target, masking on the copying thread: source
 * chunks are cut at row boundaries (a row that straddles two chunks is the only
 * one copied) and handed to the RowMasker. The worker-thread variant is
 * parallel-mask-transform.ts.
 */
import { Transform, type TransformCallback } from 'node:stream';

import { COPY_LF, countRows } from '../pg/copy-text.js';
import type { ColumnMask } from '../anonymize/index.js';
import { RowMasker } from './row-masker.js';

export type { ColumnMask, RowView } from '../anonymize/index.js';

export interface MaskingSpec {
  /** Number of columns in each row, in COPY column order. */
  columnCount: number;
  /** Masks by 0-based column index; applied in ascending column order. */
  masks: ReadonlyMap<number, ColumnMask>;
  /** Called once per input chunk with the rows completed in it and its byte length. */
  onRows?: (rows: number, bytes: number) => void;
}

// Several source chunks (pg-copy-streams hands over socket reads, typically
// 16-64 KiB) may queue on each side; 256 KiB keeps that bounded per table while
// letting the source keep reading while the target is briefly busy.
const HIGH_WATER_MARK = 256 * 1024;

export function createMaskingTransform(spec: MaskingSpec): Transform {
  return new MaskingTransform(spec);
}

/** Bytes pass through untouched; only rows (LF bytes) and bytes are counted. */
export function createCountingPassThrough(onRows: (rows: number, bytes: number) => void): Transform {
  let lastByte = COPY_LF;
  return new Transform({
    highWaterMark: HIGH_WATER_MARK,
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
      try {
        if (chunk.length > 0) lastByte = chunk[chunk.length - 1] ?? COPY_LF;
        onRows(countRows(chunk), chunk.length);
      } catch (err) {
        callback(asError(err));
        return;
      }
      callback(null, chunk);
    },
    flush(callback: TransformCallback): void {
      // Costs one byte of state and catches a truncated source like the masking path does.
      callback(lastByte === COPY_LF ? null : new Error('COPY stream ended in the middle of a row'));
    },
  });
}

class MaskingTransform extends Transform {
  private readonly masker: RowMasker;
  private readonly onRows: ((rows: number, bytes: number) => void) | undefined;

  /** The unterminated row carried over from earlier chunks, kept as pieces to avoid re-copying. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(spec: MaskingSpec) {
    super({ highWaterMark: HIGH_WATER_MARK });
    this.masker = new RowMasker(spec.columnCount, spec.masks);
    this.onRows = spec.onRows;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.processChunk(chunk);
    } catch (err) {
      callback(asError(err));
      return;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.pendingBytes > 0) {
      callback(
        new Error(
          `COPY stream ended in the middle of a row: ${this.pendingBytes} bytes after row ${this.masker.rowNumber} have no terminating newline`,
        ),
      );
      return;
    }
    callback();
  }

  private processChunk(chunk: Buffer): void {
    const { masker } = this;
    const rowsBefore = masker.rowNumber;
    masker.begin(this.pendingBytes + chunk.length + (chunk.length >>> 3) + 64);

    let pos = 0;
    if (this.pendingBytes > 0) {
      const lf = chunk.indexOf(COPY_LF);
      if (lf === -1) {
        this.hold(chunk);
      } else {
        // Only the one row that straddles the boundary is copied; the rest of the chunk is read in place.
        this.pending.push(chunk.subarray(0, lf + 1));
        const row = Buffer.concat(this.pending, this.pendingBytes + lf + 1);
        this.pending = [];
        this.pendingBytes = 0;
        masker.maskRows(row, 0, row.length);
        pos = lf + 1;
      }
    }
    if (this.pendingBytes === 0) {
      const lastLf = chunk.lastIndexOf(COPY_LF);
      if (lastLf >= pos) {
        masker.maskRows(chunk, pos, lastLf + 1);
        pos = lastLf + 1;
      }
      if (pos < chunk.length) this.hold(chunk.subarray(pos));
    }

    const out = masker.take();
    if (out.length > 0) this.push(out);
    this.onRows?.(masker.rowNumber - rowsBefore, chunk.length);
  }

  private hold(piece: Buffer): void {
    this.pending.push(piece);
    this.pendingBytes += piece.length;
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(describe(err));
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
