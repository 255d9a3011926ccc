/**
 * PostgreSQL's COPY text format (default options: TAB delimiter, `\N` for NULL,
 * rows ended by a single LF), as produced by `COPY ... TO STDOUT` and accepted by
 * `COPY ... FROM STDIN`.
 *
 * Everything here works on bytes, because the stream arrives as bytes and most
 * fields never need to become strings at all. Rules the rest of pgtwin relies on:
 * COPY TO escapes every data TAB and LF, so a raw 0x09 always separates fields
 * and a raw 0x0A always ends a row; and neither byte can occur inside a
 * multi-byte UTF-8 sequence, so splitting on them is safe at any byte offset.
 */

const TAB = 0x09;
const LF = 0x0a;
const BACKSLASH = 0x5c;
const UPPER_N = 0x4e;

/** The NULL marker, compared against the raw (still escaped) field bytes, as PostgreSQL does. */
export const NULL_MARKER = '\\N';

/** Whether the raw field [start, end) is exactly the two bytes `\N`. */
export function isNullField(buf: Buffer, start: number, end: number): boolean {
  return end - start === 2 && buf[start] === BACKSLASH && buf[start + 1] === UPPER_N;
}

/**
 * Decodes the raw field bytes [start, end) to its value: `null` for `\N`,
 * otherwise the de-escaped text.
 */
export function decodeField(buf: Buffer, start: number, end: number): string | null {
  if (isNullField(buf, start, end)) return null;
  // The subarray bounds the search: indexOf on `buf` itself would scan past `end`.
  if (buf.subarray(start, end).indexOf(BACKSLASH) === -1) return buf.toString('utf8', start, end);
  return decodeEscaped(buf, start, end);
}

/**
 * De-escapes a field the caller already knows contains a backslash and is not
 * the NULL marker. Split out so the transform, which tracks backslash positions
 * across a whole chunk, can skip the per-field check.
 *
 * Escapes produce bytes, not characters (`\303\251` is "é"), so the value is
 * assembled as bytes and UTF-8 decoded once at the end. Invalid UTF-8 turns into
 * U+FFFD like any Buffer#toString; a UTF8 source never sends it.
 */
export function decodeEscaped(buf: Buffer, start: number, end: number): string {
  // De-escaping never lengthens a field, so the input length is enough room.
  const out = Buffer.allocUnsafe(end - start);
  let o = 0;
  let p = start;
  while (p < end) {
    const c = byteAt(buf, p++);
    if (c !== BACKSLASH) {
      out[o++] = c;
      continue;
    }
    // PostgreSQL drops a backslash that ends the line; COPY TO never writes one.
    if (p >= end) break;
    const e = byteAt(buf, p++);
    if (e >= 0x30 && e <= 0x37) {
      let value = e - 0x30;
      for (let digits = 1; digits < 3 && p < end && isOctalDigit(byteAt(buf, p)); digits++) {
        value = (value << 3) + (byteAt(buf, p++) - 0x30);
      }
      // `\777` overflows a byte; PostgreSQL keeps the low 8 bits.
      out[o++] = value & 0xff;
      continue;
    }
    if (e === 0x78 /* x */ && p < end && hexValue(byteAt(buf, p)) >= 0) {
      let value = hexValue(byteAt(buf, p++));
      if (p < end && hexValue(byteAt(buf, p)) >= 0) value = (value << 4) + hexValue(byteAt(buf, p++));
      out[o++] = value;
      continue;
    }
    out[o++] = simpleEscapeValue(e);
  }
  return out.toString('utf8', 0, o);
}

/** `\b \f \n \r \t \v` map to control bytes; any other escaped byte (including `\x` without hex digits) stands for itself. */
function simpleEscapeValue(e: number): number {
  switch (e) {
    case 0x62:
      return 0x08; // b
    case 0x66:
      return 0x0c; // f
    case 0x6e:
      return 0x0a; // n
    case 0x72:
      return 0x0d; // r
    case 0x74:
      return 0x09; // t
    case 0x76:
      return 0x0b; // v
    default:
      return e;
  }
}

function isOctalDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x37;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Callers only index inside [start, end), which lies inside the buffer. */
function byteAt(buf: Buffer, i: number): number {
  return buf[i] as number;
}

// The six characters COPY TO escapes are exactly U+0008..U+000D, plus the
// backslash; matching control characters is the point of these patterns.
/* eslint-disable no-control-regex */
const NEEDS_ESCAPE = /[\x08-\x0d\\]/;
const NEEDS_ESCAPE_ALL = /[\x08-\x0d\\]/g;
/* eslint-enable no-control-regex */
const ESCAPES: Readonly<Record<string, string>> = {
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '\\': '\\\\',
};

function escapeChar(ch: string): string {
  return ESCAPES[ch] ?? ch;
}

/**
 * Encodes a value the way COPY TO does: `\N` for NULL, and the letter escapes
 * for backslash and the U+0008..U+000D controls. Other characters, including
 * other controls and non-ASCII, are written as they are.
 */
export function encodeField(value: string | null): string {
  if (value === null) return NULL_MARKER;
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(NEEDS_ESCAPE_ALL, escapeChar);
}

/** Number of complete rows (LF bytes) in a chunk of COPY text. */
export function countRows(chunk: Buffer): number {
  let rows = 0;
  let p = chunk.indexOf(LF);
  while (p !== -1) {
    rows++;
    p = chunk.indexOf(LF, p + 1);
  }
  return rows;
}

export const COPY_TAB = TAB;
export const COPY_LF = LF;
export const COPY_BACKSLASH = BACKSLASH;
