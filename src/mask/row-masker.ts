/**
 * Masks whole rows of COPY text: the synchronous core shared by the in-thread
 * transform and the masking worker threads. Each row is split on TAB only as
 * far as the last masked column, and every byte outside the masked fields is
 * copied through untouched, so unmasked columns never become JavaScript
 * strings. A masked field goes to its strategy's byte path when it has one
 * and the field is plain (see anonymize/byte-mask.ts); only the others are
 * decoded to strings.
 */
import { COPY_LF, encodeField } from '../pg/copy-text.js';
import { byteMaskOf, DECLINED, maskOutput, type ByteMask } from '../anonymize/index.js';
import type { ColumnMask, RowView } from '../anonymize/index.js';
import { PLAIN_ASCII, RowCursor } from './row-cursor.js';

const EMPTY = Buffer.alloc(0);
/** Gaps shorter than this are copied byte by byte, values up to SHORT_VALUE chars written char by char. */
const SHORT_COPY = 48;
const SHORT_VALUE = 64;

/** A mask threw, or returned something that is not a value; names the column and row, never the value. */
export class MaskRowError extends Error {
  constructor(
    readonly column: number,
    readonly row: number,
    message: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'MaskRowError';
  }
}

export class RowMasker {
  private readonly maskedColumns: number[];
  private readonly maskFns: ColumnMask[];
  /** The byte path of each mask (built-in strategies), used for plain fields. */
  private readonly byteFns: (ByteMask | undefined)[];
  private readonly cursor: RowCursor;
  /** Rows masked so far; the next row's number is one more. */
  rowNumber: number;

  /** Output being assembled: one buffer per call to take(). */
  private out: Buffer = EMPTY;
  private outLen = 0;
  private outEstimate = 0;

  constructor(columnCount: number, masks: ReadonlyMap<number, ColumnMask>, rowsBefore = 0) {
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
    this.byteFns = entries.map(([, mask]) => byteMaskOf(mask));
    this.cursor = new RowCursor(columnCount);
    this.rowNumber = rowsBefore;
  }

  /** Starts a new output; `estimate` sizes its first buffer (masked output is usually about the input's size). */
  begin(estimate: number): void {
    this.out = EMPTY;
    this.outLen = 0;
    this.outEstimate = estimate;
  }

  /** The output since begin(), as one buffer (a view of it). */
  take(): Buffer {
    const result = this.outLen === 0 ? EMPTY : this.out.subarray(0, this.outLen);
    this.out = EMPTY;
    this.outLen = 0;
    return result;
  }

  /** Masks the complete rows in buf[from, to) into the output; `to` is just past a LF. */
  maskRows(buf: Buffer, from: number, to: number): void {
    const { cursor, maskedColumns, maskFns, byteFns } = this;
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
        const bytes = byteFns[k];
        if (bytes !== undefined) {
          const kind = cursor.plainKind(column);
          const length =
            kind < 0 ? DECLINED : maskBytes(bytes, buf, cursor.fieldStart(column), cursor.fieldEnd(column), kind === PLAIN_ASCII);
          if (length !== DECLINED) {
            this.copyOut(buf, copyFrom, cursor.fieldStart(column));
            this.writeMaskOutput(length);
            copyFrom = cursor.fieldEnd(column);
            continue;
          }
        }
        const value = cursor.field(column);
        const masked = applyMask(maskFns[k] as ColumnMask, value, cursor, column, rowNumber);
        // An unchanged value keeps its original bytes, which are already correct.
        if (masked === value) continue;
        this.copyOut(buf, copyFrom, cursor.fieldStart(column));
        this.writeValue(masked);
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
    // Between two masked fields of a row there are often only a few bytes; a
    // loop beats the native call for those.
    if (n < SHORT_COPY) {
      const out = this.out;
      let o = this.outLen;
      for (let i = from; i < to; i++) out[o++] = buf[i] as number;
    } else {
      buf.copy(this.out, this.outLen, from, to);
    }
    this.outLen += n;
  }

  /** Appends what a byte mask wrote (short: a loop, no native call). */
  private writeMaskOutput(n: number): void {
    this.reserve(n);
    const src = maskOutput.bytes;
    const out = this.out;
    const at = this.outLen;
    for (let i = 0; i < n; i++) out[at + i] = src[i] as number;
    this.outLen = at + n;
  }

  /**
   * Writes a masked value as COPY text. Masked values are mostly short ASCII
   * with nothing to escape: those bytes are written straight from the string;
   * anything else takes encodeField and Buffer#write.
   */
  private writeValue(value: string | null): void {
    if (value === null) {
      this.writeOut(encodeField(null));
      return;
    }
    const n = value.length;
    if (n > SHORT_VALUE) {
      this.writeOut(encodeField(value));
      return;
    }
    this.reserve(n);
    const out = this.out;
    const start = this.outLen;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      // Non-ASCII, the backslash and U+0008..U+000D (what COPY escapes): the general path.
      if (c >= 0x80 || c === 0x5c || (c >= 0x08 && c <= 0x0d)) {
        this.writeOut(encodeField(value));
        return;
      }
      out[start + i] = c;
    }
    this.outLen = start + n;
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
    // Not from Buffer's shared pool: a worker thread transfers this memory to the copying thread.
    const grown = Buffer.allocUnsafeSlow(Math.max(needed, this.out.length * 2, this.outEstimate));
    this.out.copy(grown, 0, 0, this.outLen);
    this.out = grown;
  }
}

/** A byte mask's output length; a byte mask that throws declines, and the string path reports the problem. */
function maskBytes(mask: ByteMask, buf: Buffer, start: number, end: number, ascii: boolean): number {
  try {
    return mask(buf, start, end, ascii);
  } catch {
    return DECLINED;
  }
}

function applyMask(mask: ColumnMask, value: string | null, row: RowView, column: number, rowNumber: number): string | null {
  let masked: string | null;
  try {
    masked = mask(value, row);
  } catch (err) {
    throw new MaskRowError(column, rowNumber, `mask for column ${column} failed on COPY row ${rowNumber}: ${describe(err)}`, {
      cause: err,
    });
  }
  // Masks may come from plain JavaScript; `undefined` would otherwise be written as the text "undefined".
  if (typeof masked !== 'string' && masked !== null) {
    throw new MaskRowError(
      column,
      rowNumber,
      `mask for column ${column} returned ${typeof masked} on COPY row ${rowNumber}; expected a string or null`,
    );
  }
  return masked;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
