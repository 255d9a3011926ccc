/**
 * SipHash-2-4 (Aumasson & Bernstein), 64- and 128-bit output, written with
 * 32-bit integer arithmetic so that V8 never allocates: each 64-bit lane is a
 * pair of int32 locals. About 0.13 µs for a 30-byte value (`npm run bench:mask`),
 * 15-20× cheaper than `createHmac` per value, which is what lets masking hide
 * behind the target's ingest.
 *
 * Byte ranges (the byte masks' fields) are hashed by the WebAssembly version
 * in sip-wasm.ts where it runs: the same function, with native 64-bit lanes.
 *
 * ASCII strings are read directly with charCodeAt; other messages (non-ASCII
 * text as UTF-8, the words of a Feistel round) go through one module-level
 * scratch buffer, filled immediately before hashing. Byte order is fixed to
 * little-endian as the specification says, on every host, because masked
 * outputs must be identical on every machine (archive mode masks on one host
 * and applies on another).
 */

import { sipWasm, WASM_MESSAGE_LIMIT } from './sip-wasm.js';

/** A SipHash key as four uint32: k0 low, k0 high, k1 low, k1 high (k0 = key bytes 0..7, little-endian). */
export type SipKey = Readonly<Uint32Array>;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// A const holder rather than module-level `let`s: V8 checks a `let` binding for
// its temporal dead zone on every access from a hot function.
const scratch = { bytes: new Uint8Array(1024), words: new Uint32Array(256) };
scratch.words = new Uint32Array(scratch.bytes.buffer);

/** Makes the scratch buffer hold at least `bytes` bytes (plus a word of slack). */
function ensureScratch(bytes: number): void {
  if (bytes + 8 <= scratch.bytes.length) return;
  let size = scratch.bytes.length;
  while (size < bytes + 8) size *= 2;
  scratch.bytes = new Uint8Array(size);
  scratch.words = new Uint32Array(scratch.bytes.buffer);
}

export function sipKeyFromBytes(bytes: Uint8Array): SipKey {
  if (bytes.length !== 16) throw new RangeError(`a SipHash key is 16 bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return Uint32Array.of(view.getUint32(0, true), view.getUint32(4, true), view.getUint32(8, true), view.getUint32(12, true));
}

/**
 * Encodes `text` as UTF-8 into the scratch buffer and returns the byte length.
 * Hand-written because short values dominate and a JS loop beats a native call
 * for them; lone surrogates become U+FFFD as in TextEncoder.
 */
function encodeUtf8(text: string): number {
  const n = text.length;
  ensureScratch(n * 3);
  const b = scratch.bytes;
  let p = 0;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      b[p++] = c;
    } else if (c < 0x800) {
      b[p++] = 0xc0 | (c >>> 6);
      b[p++] = 0x80 | (c & 63);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < n ? text.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          b[p++] = 0xf0 | (c >>> 18);
          b[p++] = 0x80 | ((c >>> 12) & 63);
          b[p++] = 0x80 | ((c >>> 6) & 63);
          b[p++] = 0x80 | (c & 63);
          continue;
        }
        c = 0xfffd;
      }
      b[p++] = 0xe0 | (c >>> 12);
      b[p++] = 0x80 | ((c >>> 6) & 63);
      b[p++] = 0x80 | (c & 63);
    }
  }
  return p;
}

/** Little-endian int32 at byte offset `p` of the scratch buffer, for big-endian hosts. */
function wordAt(p: number): number {
  const b = scratch.bytes;
  return (b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16) | ((b[p + 3] as number) << 24);
}

/** Writes four little-endian uint32 words at the start of the scratch buffer (fixed-size messages). */
function putWords(a: number, b: number, c: number, d: number): void {
  if (LITTLE_ENDIAN_HOST) {
    scratch.words[0] = a;
    scratch.words[1] = b;
    scratch.words[2] = c;
    scratch.words[3] = d;
    return;
  }
  const values = [a, b, c, d];
  for (let i = 0; i < 4; i++) {
    const v = values[i] as number;
    scratch.bytes[i * 4] = v & 0xff;
    scratch.bytes[i * 4 + 1] = (v >>> 8) & 0xff;
    scratch.bytes[i * 4 + 2] = (v >>> 16) & 0xff;
    scratch.bytes[i * 4 + 3] = v >>> 24;
  }
}

/**
 * The SipHash-2-4 core. The message is either `text` (read through charCodeAt,
 * valid only while every code unit is ASCII, so it equals its UTF-8 bytes) or,
 * when `text` is null, the first `len` bytes of the scratch buffer. Reading
 * ASCII text directly skips copying it. Returns false, having written nothing,
 * as soon as the text turns out not to be ASCII.
 *
 * Carries are computed without branches: a `carry ? 1 : 0` per 64-bit addition
 * is unpredictable on varied inputs and made the hash three times slower.
 *
 * Writes the 64-bit result to out[0] (low) and out[1] (high); with `wide`, the
 * 128-bit variant, whose second half goes to out[2], out[3].
 */
function sipCore(key: SipKey, text: string | null, len: number, out: Uint32Array, wide: boolean): boolean {
  const k0l = key[0] as number;
  const k0h = key[1] as number;
  const k1l = key[2] as number;
  const k1h = key[3] as number;
  // "somepseudorandomlygeneratedbytes"
  let v0l = k0l ^ 0x70736575;
  let v0h = k0h ^ 0x736f6d65;
  let v1l = k1l ^ 0x6e646f6d ^ (wide ? 0xee : 0);
  let v1h = k1h ^ 0x646f7261;
  let v2l = k0l ^ 0x6e657261;
  let v2h = k0h ^ 0x6c796765;
  let v3l = k1l ^ 0x79746573;
  let v3h = k1h ^ 0x74656462;
  let t: number;
  const words = scratch.words;
  const bytes = scratch.bytes;
  const blocks = len >>> 3;

  // One iteration more than there are full blocks: the last one carries the tail bytes and the length byte.
  for (let blk = 0; blk <= blocks; blk++) {
    const base = blk << 3;
    let ml = 0;
    let mh = 0;
    if (text !== null) {
      const n = blk < blocks ? 8 : len & 7;
      let seen = 0;
      for (let j = n - 1; j >= 0; j--) {
        const c = text.charCodeAt(base + j);
        seen |= c;
        if (j >= 4) mh = (mh << 8) | c;
        else ml = (ml << 8) | c;
      }
      if (seen > 0x7f) return false;
    } else if (blk < blocks) {
      if (LITTLE_ENDIAN_HOST) {
        ml = (words[blk << 1] as number) | 0;
        mh = (words[(blk << 1) + 1] as number) | 0;
      } else {
        ml = wordAt(base);
        mh = wordAt(base + 4);
      }
    } else {
      for (let j = (len & 7) - 1; j >= 0; j--) {
        const c = bytes[base + j] as number;
        if (j >= 4) mh = (mh << 8) | c;
        else ml = (ml << 8) | c;
      }
    }
    if (blk === blocks) mh |= (len & 0xff) << 24;
    v3l ^= ml;
    v3h ^= mh;
    for (let r = 0; r < 2; r++) {
      t = (v0l + v1l) | 0;
      v0h = (v0h + v1h + (((v0l & v1l) | ((v0l | v1l) & ~t)) >>> 31)) | 0;
      v0l = t;
      t = (v1h << 13) | (v1l >>> 19);
      v1l = (v1l << 13) | (v1h >>> 19) | 0;
      v1h = t | 0;
      v1l = (v1l ^ v0l) | 0;
      v1h = (v1h ^ v0h) | 0;
      t = v0l;
      v0l = v0h;
      v0h = t;
      t = (v2l + v3l) | 0;
      v2h = (v2h + v3h + (((v2l & v3l) | ((v2l | v3l) & ~t)) >>> 31)) | 0;
      v2l = t;
      t = (v3h << 16) | (v3l >>> 16);
      v3l = (v3l << 16) | (v3h >>> 16) | 0;
      v3h = t | 0;
      v3l = (v3l ^ v2l) | 0;
      v3h = (v3h ^ v2h) | 0;
      t = (v0l + v3l) | 0;
      v0h = (v0h + v3h + (((v0l & v3l) | ((v0l | v3l) & ~t)) >>> 31)) | 0;
      v0l = t;
      t = (v3h << 21) | (v3l >>> 11);
      v3l = (v3l << 21) | (v3h >>> 11) | 0;
      v3h = t | 0;
      v3l = (v3l ^ v0l) | 0;
      v3h = (v3h ^ v0h) | 0;
      t = (v2l + v1l) | 0;
      v2h = (v2h + v1h + (((v2l & v1l) | ((v2l | v1l) & ~t)) >>> 31)) | 0;
      v2l = t;
      t = (v1h << 17) | (v1l >>> 15);
      v1l = (v1l << 17) | (v1h >>> 15) | 0;
      v1h = t | 0;
      v1l = (v1l ^ v2l) | 0;
      v1h = (v1h ^ v2h) | 0;
      t = v2l;
      v2l = v2h;
      v2h = t;
    }
    v0l ^= ml;
    v0h ^= mh;
  }

  v2l ^= wide ? 0xee : 0xff;
  const outputs = wide ? 2 : 1;
  for (let o = 0; o < outputs; o++) {
    if (o === 1) v1l ^= 0xdd;
    for (let r = 0; r < 4; r++) {
      t = (v0l + v1l) | 0;
      v0h = (v0h + v1h + (((v0l & v1l) | ((v0l | v1l) & ~t)) >>> 31)) | 0;
      v0l = t;
      t = (v1h << 13) | (v1l >>> 19);
      v1l = (v1l << 13) | (v1h >>> 19) | 0;
      v1h = t | 0;
      v1l = (v1l ^ v0l) | 0;
      v1h = (v1h ^ v0h) | 0;
      t = v0l;
      v0l = v0h;
      v0h = t;
      t = (v2l + v3l) | 0;
      v2h = (v2h + v3h + (((v2l & v3l) | ((v2l | v3l) & ~t)) >>> 31)) | 0;
      v2l = t;
      t = (v3h << 16) | (v3l >>> 16);
      v3l = (v3l << 16) | (v3h >>> 16) | 0;
      v3h = t | 0;
      v3l = (v3l ^ v2l) | 0;
      v3h = (v3h ^ v2h) | 0;
      t = (v0l + v3l) | 0;
      v0h = (v0h + v3h + (((v0l & v3l) | ((v0l | v3l) & ~t)) >>> 31)) | 0;
      v0l = t;
      t = (v3h << 21) | (v3l >>> 11);
      v3l = (v3l << 21) | (v3h >>> 11) | 0;
      v3h = t | 0;
      v3l = (v3l ^ v0l) | 0;
      v3h = (v3h ^ v0h) | 0;
      t = (v2l + v1l) | 0;
      v2h = (v2h + v1h + (((v2l & v1l) | ((v2l | v1l) & ~t)) >>> 31)) | 0;
      v2l = t;
      t = (v1h << 17) | (v1l >>> 15);
      v1l = (v1l << 17) | (v1h >>> 15) | 0;
      v1h = t | 0;
      v1l = (v1l ^ v2l) | 0;
      v1h = (v1h ^ v2h) | 0;
      t = v2l;
      v2l = v2h;
      v2h = t;
    }
    out[o * 2] = v0l ^ v1l ^ v2l ^ v3l;
    out[o * 2 + 1] = v0h ^ v1h ^ v2h ^ v3h;
  }
  return true;
}

/** SipHash-2-4 of the first `len` scratch bytes (see sipCore for `out` and `wide`). */
export function sipHashScratch(key: SipKey, len: number, out: Uint32Array, wide: boolean): void {
  sipCore(key, null, len, out, wide);
}

/** SipHash-2-4 of a byte string (tests, key derivation). */
export function sipHashBytes(key: SipKey, message: Uint8Array, out: Uint32Array, wide = false): void {
  ensureScratch(message.length);
  scratch.bytes.set(message, 0);
  sipHashScratch(key, message.length, out, wide);
}

/**
 * SipHash-2-4 of src[start, end) (a field straight from a COPY buffer): the
 * same result as hashing the string those bytes encode. Copied by a loop into
 * the scratch buffer, which for field-sized inputs costs less than a native call.
 */
export function sipHashRange(key: SipKey, src: Uint8Array, start: number, end: number, out: Uint32Array, wide: boolean): void {
  const len = end - start;
  const wasm = sipWasm();
  if (wasm !== undefined && len <= WASM_MESSAGE_LIMIT) {
    const m = wasm.message;
    for (let i = 0; i < len; i++) m[i] = src[start + i] as number;
    // The last block loads eight bytes: those past the message must be zero.
    for (let i = len; i < len + 8; i++) m[i] = 0;
    const k0l = key[0] as number;
    const k0h = key[1] as number;
    const k1l = key[2] as number;
    const k1h = key[3] as number;
    const r = wasm.out;
    if (wide) {
      wasm.sip128(len, k0l, k0h, k1l, k1h);
      out[2] = r[2] as number;
      out[3] = r[3] as number;
    } else {
      wasm.sip64(len, k0l, k0h, k1l, k1h);
    }
    out[0] = r[0] as number;
    out[1] = r[1] as number;
    return;
  }
  sipHashRangeJs(key, src, start, end, out, wide);
}

/** sipHashRange in JavaScript: for messages too long for the WebAssembly memory, hosts without it, and as the tests' reference. */
export function sipHashRangeJs(key: SipKey, src: Uint8Array, start: number, end: number, out: Uint32Array, wide: boolean): void {
  const len = end - start;
  ensureScratch(len);
  const b = scratch.bytes;
  for (let i = 0; i < len; i++) b[i] = src[start + i] as number;
  sipCore(key, null, len, out, wide);
}

/** SipHash-2-4 of the UTF-8 bytes of `text`. */
export function sipHashString(key: SipKey, text: string, out: Uint32Array, wide = false): void {
  if (!sipCore(key, text, text.length, out, wide)) sipCore(key, null, encodeUtf8(text), out, wide);
}

/** SipHash-2-4 of a 16-byte message given as four uint32 (Feistel round functions). */
export function sipHashWords(key: SipKey, a: number, b: number, c: number, d: number, out: Uint32Array): void {
  putWords(a, b, c, d);
  sipHashScratch(key, 16, out, false);
}

/** SipHash-2-4 of an 8-byte message given as two uint32: one block fewer than sipHashWords. */
export function sipHashWords2(key: SipKey, a: number, b: number, out: Uint32Array): void {
  putWords(a, b, 0, 0);
  sipHashScratch(key, 8, out, false);
}
