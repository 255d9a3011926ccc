/**
 * The byte path of built-in strategies: a mask that reads a field's raw UTF-8
 * bytes straight out of the COPY stream and writes its output bytes, with no
 * JavaScript string in between. It exists for speed only: for every input it
 * handles, it must give exactly the bytes of the string path's output (tests
 * check this property strategy by strategy). Whatever it does not handle it
 * declines, and the string path masks the value.
 *
 * Only built-ins carry one (under a symbol, so no custom strategy can attach
 * one by accident); the COPY transform uses it for fields that are not NULL,
 * hold no backslash escape and are well-formed UTF-8, so that the bytes are
 * exactly the UTF-8 encoding of the value the string path would see.
 */

/**
 * Masks src[start, end) into `maskOutput.bytes` from offset 0 and returns the
 * output length, or DECLINED. `ascii` says every input byte is below 0x80.
 * The output is COPY text: it never contains a byte that COPY escapes
 * (backslash, TAB, LF, CR, and U+0008..U+000D).
 */
export type ByteMask = (src: Uint8Array, start: number, end: number, ascii: boolean) => number;

export const DECLINED = -1;

const BYTE_MASK: unique symbol = Symbol('pgtwin.byteMask');

interface WithByteMask {
  [BYTE_MASK]?: ByteMask;
}

/** `mask` (a function) carrying `bytes` as its byte path; returns `mask` itself. */
export function withByteMask<F extends object>(mask: F, bytes: ByteMask | undefined): F {
  if (bytes !== undefined) (mask as WithByteMask)[BYTE_MASK] = bytes;
  return mask;
}

/** The byte path attached to `mask`, if any. */
export function byteMaskOf(mask: object): ByteMask | undefined {
  return (mask as WithByteMask)[BYTE_MASK];
}

/** Where byte masks write: one growable buffer per thread, read by the caller right after each call. */
export const maskOutput = {
  bytes: new Uint8Array(256),
  /** Makes `bytes` hold at least n bytes, keeping none of its contents. */
  reserve(n: number): Uint8Array {
    if (n > this.bytes.length) {
      let size = this.bytes.length;
      while (size < n) size *= 2;
      this.bytes = new Uint8Array(size);
    }
    return this.bytes;
  },
};

/** Writes the ASCII string `text` at out[at...]; returns the offset after it. */
export function putAscii(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  return at + text.length;
}

/** Copies src[start, end) to out[at...]; returns the offset after it. */
export function putBytes(out: Uint8Array, at: number, src: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) out[at++] = src[i] as number;
  return at;
}

/** Whether src[start, end) equals `bytes`. */
export function sameBytes(src: Uint8Array, start: number, end: number, bytes: Uint8Array): boolean {
  if (end - start !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (src[start + i] !== bytes[i]) return false;
  return true;
}

/** What a field's bytes are: all ASCII, well-formed UTF-8 with other characters, or not well-formed UTF-8. */
export const Utf8Kind = { Ascii: 0, Valid: 1, Invalid: 2 } as const;
export type Utf8Kind = (typeof Utf8Kind)[keyof typeof Utf8Kind];

/**
 * Classifies src[start, end). Well-formed means what TextDecoder accepts
 * without replacement: no overlong forms, no surrogates, nothing above
 * U+10FFFF, no truncated sequence; only then does decoding and re-encoding
 * give back the same bytes, which is what lets a byte mask hash the bytes.
 */
export function utf8Kind(src: Uint8Array, start: number, end: number): Utf8Kind {
  let i = start;
  while (i < end && (src[i] as number) < 0x80) i++;
  if (i === end) return Utf8Kind.Ascii;
  while (i < end) {
    const c = src[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      min = 0x80;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      min = 0x800;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      min = 0x10000;
      cp = c & 0x07;
    } else {
      return Utf8Kind.Invalid;
    }
    if (i + need >= end) return Utf8Kind.Invalid;
    for (let k = 1; k <= need; k++) {
      const d = src[i + k] as number;
      if ((d & 0xc0) !== 0x80) return Utf8Kind.Invalid;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return Utf8Kind.Invalid;
    i += need + 1;
  }
  return Utf8Kind.Valid;
}
