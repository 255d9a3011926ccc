/**
 * Field access within one row of COPY text, for the masking stage. Fields are
 * located only as far as the last one asked for and decoded only when asked,
 * so columns after the last masked one are never even split.
 */
import { utf8Kind, Utf8Kind } from '../anonymize/index.js';
import type { RowView } from '../anonymize/index.js';
import { COPY_BACKSLASH, COPY_TAB, decodeEscaped, isNullField } from '../pg/copy-text.js';

const EMPTY = Buffer.alloc(0);

/** plainKind's answers. */
export const NOT_PLAIN = -1;
export const PLAIN_ASCII = 0;
export const PLAIN_UTF8 = 1;

/**
 * Locates and decodes fields of the current row on demand. One instance is
 * reused for every row, so a row costs no allocation beyond decoded values.
 */
export class RowCursor implements RowView {
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

  /** Decoded on first use in each row. */
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

  /**
   * Whether field `index` can go to a byte mask as it stands: PLAIN_ASCII or
   * PLAIN_UTF8 when it is not NULL, holds no escape and is well-formed UTF-8
   * (its bytes are then exactly its value's UTF-8), NOT_PLAIN otherwise.
   */
  plainKind(index: number): number {
    this.locate(index);
    const start = this.starts[index] as number;
    const end = this.ends[index] as number;
    if (isNullField(this.buf, start, end) || this.hasBackslash(start, end)) return NOT_PLAIN;
    const kind = utf8Kind(this.buf, start, end);
    return kind === Utf8Kind.Ascii ? PLAIN_ASCII : kind === Utf8Kind.Valid ? PLAIN_UTF8 : NOT_PLAIN;
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
    return this.hasBackslash(start, end) ? decodeEscaped(buf, start, end) : buf.toString('utf8', start, end);
  }

  private hasBackslash(start: number, end: number): boolean {
    if (start < this.bsFrom || start > this.bsAt) {
      const found = this.buf.indexOf(COPY_BACKSLASH, start);
      this.bsFrom = start;
      this.bsAt = found === -1 ? this.buf.length : found;
    }
    return this.bsAt < end;
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
