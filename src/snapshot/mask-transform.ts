/**
 * The stream stage between `COPY ... TO STDOUT` on the source and
 * `COPY ... FROM STDIN` on the target. It touches as little as it can: each row
 * is split on TAB only as far as the last masked column, only masked fields are
 * decoded, and every other byte is copied through untouched, so unmasked columns
 * never become JavaScript strings.
 */
import { Transform, type TransformCallback } from 'node:stream';

import { COPY_BACKSLASH, COPY_LF, COPY_TAB, countRows, decodeEscaped, encodeField, isNullField } from './copy-text.js';

/** Read access to the current row, for masks that derive a value from other columns. */
export interface RowView {
  /**
   * The source value of column `index` (0-based) in the current row, decoded on
   * first use. Masked columns read back their original value, not the masked
   * one. Only valid during the mask call it was passed to.
   */
  field(index: number): string | null;
}

export type ColumnMask = (value: string | null, row: RowView) => string | null;

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

const EMPTY = Buffer.alloc(0);

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
  private readonly maskedColumns: number[];
  private readonly maskFns: ColumnMask[];
  private readonly cursor: RowCursor;
  private readonly onRows: ((rows: number, bytes: number) => void) | undefined;

  /** The unterminated row carried over from earlier chunks, kept as pieces to avoid re-copying. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private rowNumber = 0;

  /** Output of the chunk being processed: one buffer, pushed once. */
  private out: Buffer = EMPTY;
  private outLen = 0;
  private outEstimate = 0;

  constructor(spec: MaskingSpec) {
    super({ highWaterMark: HIGH_WATER_MARK });
    const { columnCount, masks } = spec;
    if (!Number.isInteger(columnCount) || columnCount < 1) {
      throw new Error(`columnCount must be a positive integer, got ${String(columnCount)}`);
    }
    const entries = [...masks.entries()].sort((a, b) => a[0] - b[0]);
    for (const [index, mask] of entries) {
      if (!Number.isInteger(index) || index < 0 || index >= columnCount) {
        throw new Error(`mask column index ${index} is out of range for a table of ${columnCount} columns`);
      }
      if (typeof mask !== 'function') throw new Error(`mask for column ${index} is not a function`);
    }
    this.maskedColumns = entries.map(([index]) => index);
    this.maskFns = entries.map(([, mask]) => mask);
    this.cursor = new RowCursor(columnCount);
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
          `COPY stream ended in the middle of a row: ${this.pendingBytes} bytes after row ${this.rowNumber} have no terminating newline`,
        ),
      );
      return;
    }
    callback();
  }

  private processChunk(chunk: Buffer): void {
    const rowsBefore = this.rowNumber;
    this.out = EMPTY;
    this.outLen = 0;
    this.outEstimate = this.pendingBytes + chunk.length + (chunk.length >>> 3) + 64;

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
        this.maskRows(row, 0, row.length);
        pos = lf + 1;
      }
    }
    if (this.pendingBytes === 0) {
      const lastLf = chunk.lastIndexOf(COPY_LF);
      if (lastLf >= pos) {
        this.maskRows(chunk, pos, lastLf + 1);
        pos = lastLf + 1;
      }
      if (pos < chunk.length) this.hold(chunk.subarray(pos));
    }

    if (this.outLen > 0) this.push(this.out.subarray(0, this.outLen));
    this.out = EMPTY;
    this.onRows?.(this.rowNumber - rowsBefore, chunk.length);
  }

  private hold(piece: Buffer): void {
    this.pending.push(piece);
    this.pendingBytes += piece.length;
  }

  /** Masks the complete rows in buf[from, to); `to` is just past a LF. */
  private maskRows(buf: Buffer, from: number, to: number): void {
    const { cursor, maskedColumns, maskFns } = this;
    const maskCount = maskedColumns.length;
    cursor.setBuffer(buf);
    // Bytes before copyFrom are already in the output; unmasked runs are copied
    // lazily so consecutive rows' untouched bytes go out in one copy.
    let copyFrom = from;
    let p = from;
    while (p < to) {
      const lf = buf.indexOf(COPY_LF, p);
      const rowNumber = ++this.rowNumber;
      cursor.begin(p, lf, rowNumber);
      for (let k = 0; k < maskCount; k++) {
        const column = maskedColumns[k] as number;
        const value = cursor.field(column);
        const masked = applyMask(maskFns[k] as ColumnMask, value, cursor, column, rowNumber);
        // An unchanged value keeps its original bytes, which are already correct.
        if (masked === value) continue;
        this.copyOut(buf, copyFrom, cursor.fieldStart(column));
        this.writeOut(encodeField(masked));
        copyFrom = cursor.fieldEnd(column);
      }
      p = lf + 1;
    }
    this.copyOut(buf, copyFrom, to);
  }

  private copyOut(buf: Buffer, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    this.reserve(n);
    buf.copy(this.out, this.outLen, from, to);
    this.outLen += n;
  }

  private writeOut(text: string): void {
    if (text.length === 0) return;
    // A UTF-16 code unit never takes more than 3 UTF-8 bytes; cheaper than Buffer.byteLength.
    this.reserve(text.length * 3);
    this.outLen += this.out.write(text, this.outLen, 'utf8');
  }

  private reserve(n: number): void {
    const needed = this.outLen + n;
    if (needed <= this.out.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.out.length * 2, this.outEstimate));
    this.out.copy(grown, 0, 0, this.outLen);
    this.out = grown;
  }
}

function applyMask(mask: ColumnMask, value: string | null, row: RowView, column: number, rowNumber: number): string | null {
  let masked: string | null;
  try {
    masked = mask(value, row);
  } catch (err) {
    throw new Error(`mask for column ${column} failed on COPY row ${rowNumber}: ${describe(err)}`, { cause: err });
  }
  // Masks may come from plain JavaScript; `undefined` would otherwise be written as the text "undefined".
  if (typeof masked !== 'string' && masked !== null) {
    throw new Error(`mask for column ${column} returned ${typeof masked} on COPY row ${rowNumber}; expected a string or null`);
  }
  return masked;
}

/**
 * Locates and decodes fields of the current row on demand. One instance is
 * reused for every row, so a row costs no allocation beyond decoded values.
 */
class RowCursor implements RowView {
  private buf: Buffer = EMPTY;
  private rowNumber = 0;
  private rowStart = 0;
  /** Index of the row's LF. */
  private rowEnd = 0;
  /** Fields [0, located) have known bounds; the next one starts at nextStart. */
  private located = 0;
  private nextStart = 0;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly values: (string | null)[];
  /** Row number each entry of `values` was decoded for, so rows need no reset loop. */
  private readonly decodedRow: Float64Array;

  // Searches restart from each field, so without memory a search that finds
  // nothing would rescan the rest of the chunk for every row (quadratic for a
  // one-column table, or a chunk without backslashes). Invariant: the buffer
  // holds no TAB in [tabFrom, tabAt) and no backslash in [bsFrom, bsAt); an
  // `*At` of buf.length means none up to the end.
  private tabFrom = 0;
  private tabAt = 0;
  private bsFrom = 0;
  private bsAt = 0;

  constructor(private readonly columnCount: number) {
    this.starts = new Int32Array(columnCount);
    this.ends = new Int32Array(columnCount);
    this.values = new Array<string | null>(columnCount).fill(null);
    this.decodedRow = new Float64Array(columnCount);
  }

  setBuffer(buf: Buffer): void {
    this.buf = buf;
    // A `from` past every position forces the first search in the new buffer.
    this.tabFrom = this.bsFrom = buf.length + 1;
  }

  begin(start: number, lf: number, rowNumber: number): void {
    this.rowStart = start;
    this.rowEnd = lf;
    this.rowNumber = rowNumber;
    this.located = 0;
    this.nextStart = start;
  }

  field(index: number): string | null {
    if (!Number.isInteger(index) || index < 0 || index >= this.columnCount) {
      throw new Error(`column index ${index} is out of range for a table of ${this.columnCount} columns`);
    }
    if (this.decodedRow[index] === this.rowNumber) return this.values[index] ?? null;
    this.locate(index);
    const value = this.decode(this.fieldStart(index), this.fieldEnd(index));
    this.values[index] = value;
    this.decodedRow[index] = this.rowNumber;
    return value;
  }

  fieldStart(index: number): number {
    return this.starts[index] as number;
  }

  fieldEnd(index: number): number {
    return this.ends[index] as number;
  }

  /** Finds the bounds of fields up to `index`, failing if the row is too short (or too long, when that is visible). */
  private locate(index: number): void {
    while (this.located <= index) {
      const i = this.located;
      const start = this.nextStart;
      if (start > this.rowEnd) {
        throw new Error(`COPY row ${this.rowNumber} has ${fieldCount(i)}, expected ${this.columnCount}`);
      }
      const tab = this.nextTab(start);
      let end = this.rowEnd;
      if (tab < this.rowEnd) {
        if (i === this.columnCount - 1) {
          throw new Error(`COPY row ${this.rowNumber} has ${fieldCount(this.countFields())}, expected ${this.columnCount}`);
        }
        end = tab;
      }
      this.starts[i] = start;
      this.ends[i] = end;
      this.nextStart = end + 1;
      this.located = i + 1;
    }
  }

  private nextTab(from: number): number {
    if (from < this.tabFrom || from > this.tabAt) {
      const found = this.buf.indexOf(COPY_TAB, from);
      this.tabFrom = from;
      this.tabAt = found === -1 ? this.buf.length : found;
    }
    return this.tabAt;
  }

  private decode(start: number, end: number): string | null {
    const { buf } = this;
    if (isNullField(buf, start, end)) return null;
    if (start < this.bsFrom || start > this.bsAt) {
      const found = buf.indexOf(COPY_BACKSLASH, start);
      this.bsFrom = start;
      this.bsAt = found === -1 ? buf.length : found;
    }
    return this.bsAt >= end ? buf.toString('utf8', start, end) : decodeEscaped(buf, start, end);
  }

  private countFields(): number {
    let fields = 1;
    for (let p = this.buf.indexOf(COPY_TAB, this.rowStart); p !== -1 && p < this.rowEnd; p = this.buf.indexOf(COPY_TAB, p + 1)) {
      fields++;
    }
    return fields;
  }
}

function fieldCount(n: number): string {
  return n === 1 ? '1 field' : `${n} fields`;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(describe(err));
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
