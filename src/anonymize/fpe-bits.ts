/**
 * A keyed permutation of a bit field of up to 128 bits (addresses, UUIDs):
 * an alternating Feistel network whose halves are at most 64 bits, each held as
 * a pair of uint32 so that no BigInt is needed per value. Unbalanced widths
 * work because the halves swap roles every round (as in FF1 with radix 2, with
 * XOR in place of addition). The strategies use its derangement (derangeBits:
 * π⁻¹(π(x) + 1), no fixed point, see fpe-digits.ts).
 *
 * Values live in a big-endian container of four uint32 words: bit 0 is the most
 * significant bit of word 0.
 */
import type { Prf } from './prf.js';

const ROUNDS = 8;

/** The low `bits` bits set (0..32). Shifts, not `2 ** bits`: Math.pow dominated the profile. */
function mask(bits: number): number {
  return bits >= 32 ? 0xffffffff : ((1 << bits) >>> 0) - 1;
}

/** Bits [start, start + len) of the container, len 0..32, right-aligned. */
export function getBits(words: Uint32Array, start: number, len: number): number {
  if (len === 0) return 0;
  const i = start >>> 5;
  const off = start & 31;
  const first = words[i] ?? 0;
  const second = off + len > 32 ? (words[i + 1] ?? 0) : 0;
  const window = off === 0 ? first : (first << off) | (second >>> (32 - off));
  return len === 32 ? window >>> 0 : window >>> (32 - len);
}

/** Writes the low `len` bits of `value` (len 0..32) to bits [start, start + len). */
export function setBits(words: Uint32Array, start: number, len: number, value: number): void {
  if (len === 0) return;
  const i = start >>> 5;
  const off = start & 31;
  const end = off + len;
  if (end <= 32) {
    const shift = 32 - end;
    const m = (mask(len) << shift) >>> 0;
    words[i] = (((words[i] ?? 0) & ~m) | ((value << shift) & m)) >>> 0;
    return;
  }
  const firstLen = 32 - off;
  const secondLen = end - 32;
  const m1 = mask(firstLen);
  words[i] = (((words[i] ?? 0) & ~m1) | ((value >>> secondLen) & m1)) >>> 0;
  const shift = 32 - secondLen;
  const m2 = (mask(secondLen) << shift) >>> 0;
  words[i + 1] = (((words[i + 1] ?? 0) & ~m2) | ((value << shift) & m2)) >>> 0;
}

/** Reads a half of up to 64 bits into `into` as [high, low] (high: the bits above the low 32). */
function readHalf(words: Uint32Array, start: number, len: number, into: Uint32Array, at: number): void {
  if (len <= 32) {
    into[at] = 0;
    into[at + 1] = getBits(words, start, len);
  } else {
    into[at] = getBits(words, start, len - 32);
    into[at + 1] = getBits(words, start + len - 32, 32);
  }
}

function writeHalf(words: Uint32Array, start: number, len: number, hi: number, lo: number): void {
  if (len <= 32) {
    setBits(words, start, len, lo);
  } else {
    setBits(words, start, len - 32, hi);
    setBits(words, start + len - 32, 32, lo);
  }
}

const halves = new Uint32Array(4);

/**
 * Permutes bits [start, start + width) of `words` in place, under `tweak`
 * (a uint32 that selects an unrelated permutation). Other bits are untouched.
 */
export function permuteBits(words: Uint32Array, start: number, width: number, prf: Prf, tweak = 0): void {
  run(words, start, width, prf, tweak, false);
}

/**
 * As permuteBits, with σ(x) = π⁻¹(π(x) + 1 mod 2^width) in place of π: a
 * permutation without a fixed point (see fpe-digits.ts), so an address or UUID
 * never masks to itself. Two passes of π; a one-bit field is flipped.
 */
export function derangeBits(words: Uint32Array, start: number, width: number, prf: Prf, tweak = 0): void {
  run(words, start, width, prf, tweak, true);
}

function run(words: Uint32Array, start: number, width: number, prf: Prf, tweak: number, derange: boolean): void {
  if (width <= 0) return;
  if (width > 128) throw new RangeError(`permuteBits handles at most 128 bits, got ${width}`);
  if (width === 1) {
    // One bit: flip it or not, by key and tweak; the only derangement flips it.
    prf.round(tweak, 1, 0, 0xffffffff);
    setBits(words, start, 1, getBits(words, start, 1) ^ (derange ? 1 : (prf.out[0] as number) & 1));
    return;
  }
  const u = width >>> 1;
  const v = width - u;
  readHalf(words, start, u, halves, 0);
  readHalf(words, start + u, v, halves, 2);
  feistel(width, prf, tweak, true);
  if (derange) {
    // π(x) + 1: the low half first, carrying into the high half.
    if (addOne(halves, 2, v)) addOne(halves, 0, u);
    feistel(width, prf, tweak, false);
  }
  // After an even number of rounds a has u bits and b has v bits again.
  writeHalf(words, start, u, halves[0] as number, halves[1] as number);
  writeHalf(words, start + u, v, halves[2] as number, halves[3] as number);
}

/** Adds 1 modulo 2^bits to the number held as [high, low] at h[at]; true when it wrapped to 0. */
function addOne(h: Uint32Array, at: number, bits: number): boolean {
  const lo = (((h[at + 1] as number) + 1) & mask(Math.min(bits, 32))) >>> 0;
  h[at + 1] = lo;
  if (lo !== 0) return false;
  if (bits <= 32) return true;
  const hi = (((h[at] as number) + 1) & mask(bits - 32)) >>> 0;
  h[at] = hi;
  return hi === 0;
}

/**
 * The Feistel rounds over `halves` ([aHi, aLo, bHi, bLo]: a of u = width >>> 1
 * bits, b of the other v), forwards (π) or backwards (π⁻¹).
 */
function feistel(width: number, prf: Prf, tweak: number, forward: boolean): void {
  const u = width >>> 1;
  const v = width - u;
  let aHi = halves[0] as number;
  let aLo = halves[1] as number;
  let bHi = halves[2] as number;
  let bLo = halves[3] as number;
  // Masks of the half widths, low and high words (computed once, not per round).
  const loMaskU = mask(Math.min(u, 32));
  const hiMaskU = u > 32 ? mask(u - 32) : 0;
  const loMaskV = mask(Math.min(v, 32));
  const hiMaskV = v > 32 ? mask(v - 32) : 0;
  const out = prf.out;
  if (forward) {
    for (let i = 0; i < ROUNDS; i++) {
      const even = (i & 1) === 0;
      prf.round(bLo, bHi, (i << 8) | width, tweak);
      // c = a XOR F(b), truncated to this round's width; then (a, b) = (b, c).
      const cLo = (aLo ^ (out[0] as number)) & (even ? loMaskU : loMaskV);
      const cHi = (aHi ^ (out[1] as number)) & (even ? hiMaskU : hiMaskV);
      aHi = bHi;
      aLo = bLo;
      bHi = cHi >>> 0;
      bLo = cLo >>> 0;
    }
  } else {
    for (let i = ROUNDS - 1; i >= 0; i--) {
      const even = (i & 1) === 0;
      // Round i turned (a', b') into (b', a' XOR F(b')): b' is now a.
      prf.round(aLo, aHi, (i << 8) | width, tweak);
      const pLo = (bLo ^ (out[0] as number)) & (even ? loMaskU : loMaskV);
      const pHi = (bHi ^ (out[1] as number)) & (even ? hiMaskU : hiMaskV);
      bHi = aHi;
      bLo = aLo;
      aHi = pHi >>> 0;
      aLo = pLo >>> 0;
    }
  }
  halves[0] = aHi;
  halves[1] = aLo;
  halves[2] = bHi;
  halves[3] = bLo;
}
