/**
 * A keyed permutation of decimal digit strings of a given length: the FF1
 * construction (NIST SP 800-38G: alternating Feistel, addition modulo 10^m)
 * with the domain's PRF as round function. Being a permutation, it maps
 * distinct inputs to distinct outputs of the same length, which is what keeps a
 * unique phone, card or SSN column unique after masking: no collision bound,
 * no retries.
 *
 * Halves are plain doubles (at most 12 digits < 2^53), so no BigInt per value.
 * Longer strings are cut into 24-digit chunks, each permuted under a tweak that
 * depends on the chunks before it (a chained mode: still a permutation, because
 * the chunks can be recovered left to right).
 *
 * Eight rounds, as FF3-1; each is one SipHash of an 8-byte message (about
 * 70 ns). An earlier version remembered round outputs in tables per PRF; on
 * these machines a lookup in tables of megabytes missed the CPU caches and
 * cost as much as the hash, and whole syncs ran faster without them.
 */
import { type Prf, top53 } from './prf.js';

const ROUNDS = 8;
const CHUNK = 24;
const TWO_32 = 4294967296;
const INV_TWO_53 = 1 / 9007199254740992;
const POW10: readonly number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** Parses digits [from, to) of `s` (all ASCII digits) as a number. */
function parseDigits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
}

const ZEROS = '000000000000';

function formatDigits(n: number, width: number): string {
  const text = String(n);
  return text.length >= width ? text : ZEROS.slice(0, width - text.length) + text;
}

/**
 * The image of `digits` (only 0-9) under the permutation of strings of its
 * length selected by `tweak` (a uint32: different tweaks, unrelated permutations).
 */
export function permuteDigits(digits: string, prf: Prf, tweak = 0): string {
  const n = digits.length;
  if (n <= CHUNK) return permuteChunk(digits, 0, n, prf, tweak);
  let out = '';
  let chainTweak = tweak;
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    out += permuteChunk(digits, start, end, prf, chainTweak);
    // The next chunk's permutation depends on this chunk's input: changing one
    // digit early changes everything after it.
    prf.hash64(`${chainTweak}:${digits.slice(start, end)}`);
    chainTweak = prf.out[0] as number;
  }
  return out;
}

/**
 * Cycle-walks `permuteDigits` until `accept` holds: a permutation of the accepted
 * strings (of this length), when `digits` itself is accepted. Used for integers,
 * which must not gain a leading zero nor pass their type's maximum.
 */
export function permuteDigitsWithin(digits: string, prf: Prf, tweak: number, accept: (candidate: string) => boolean): string {
  let candidate = permuteDigits(digits, prf, tweak);
  // Terminates: the cycle through `digits` returns to it, and it is accepted.
  while (!accept(candidate)) candidate = permuteDigits(candidate, prf, tweak);
  return candidate;
}

function permuteChunk(s: string, from: number, to: number, prf: Prf, tweak: number): string {
  const n = to - from;
  if (n === 0) return '';
  if (n === 1) return String(rotateDigit(s.charCodeAt(from) - 48, prf, tweak));
  const u = n >>> 1;
  permuteHalves(parseDigits(s, from, from + u), parseDigits(s, from + u, to), n, prf, tweak);
  return formatDigits(halves.a, u) + formatDigits(halves.b, n - u);
}

/**
 * As permuteDigits, in place, for ASCII digit codes in codes[from, to) (the
 * byte path of phone masks): the same permutation, so the same digits. Returns
 * false, having changed nothing, for strings longer than one chunk.
 */
export function permuteDigitCodes(codes: Uint8Array, from: number, to: number, prf: Prf, tweak: number): boolean {
  const n = to - from;
  if (n > CHUNK) return false;
  if (n === 0) return true;
  if (n === 1) {
    codes[from] = 48 + rotateDigit((codes[from] as number) - 48, prf, tweak);
    return true;
  }
  const u = n >>> 1;
  let a = 0;
  for (let i = from; i < from + u; i++) a = a * 10 + ((codes[i] as number) - 48);
  let b = 0;
  for (let i = from + u; i < to; i++) b = b * 10 + ((codes[i] as number) - 48);
  permuteHalves(a, b, n, prf, tweak);
  // Written from the right, zero-padded to each half's width, as formatDigits does.
  a = halves.a;
  for (let i = from + u - 1; i >= from; i--) {
    const q = Math.floor(a / 10);
    codes[i] = 48 + (a - q * 10);
    a = q;
  }
  b = halves.b;
  for (let i = to - 1; i >= from + u; i--) {
    const q = Math.floor(b / 10);
    codes[i] = 48 + (b - q * 10);
    b = q;
  }
  return true;
}

/** Tweaks only select among permutations; folding them to 16 bits keeps the round message at 8 bytes. */
function fold16(tweak: number): number {
  return (tweak ^ (tweak >>> 16)) & 0xffff;
}

/** A single digit: a keyed rotation of 0-9 (a permutation; nothing finer is possible). */
function rotateDigit(digit: number, prf: Prf, tweak: number): number {
  prf.round8(0, (1 << 11) | (fold16(tweak) << 16));
  const shift = (prf.out[0] as number) % 10;
  return (digit + shift) % 10;
}

/** Output of permuteHalves: a module-level pair, so no object per value. */
const halves = { a: 0, b: 0 };

/**
 * The Feistel rounds over the halves of an n-digit string (a of u = n >>> 1
 * digits, b of the other v), shared by the string and byte paths; the result
 * is left in `halves`.
 */
function permuteHalves(a: number, b: number, n: number, prf: Prf, tweak: number): void {
  const tweak16 = fold16(tweak);
  const u = n >>> 1;
  const v = n - u;
  const out = prf.out;
  for (let i = 0; i < ROUNDS; i++) {
    const modulus = POW10[(i & 1) === 0 ? u : v] as number;
    // One 8-byte message: b < 10^12 < 2^40 leaves its high word 24 bits for the
    // round (3 bits), the length (5 bits, at most 24) and 16 bits of tweak.
    prf.round8(b >>> 0, Math.floor(b / TWO_32) | (i << 8) | (n << 11) | (tweak16 << 16));
    // Scaling 53 PRF bits into [0, modulus) and a conditional subtraction
    // instead of `%`: a double modulo is a C call, and was half the cost.
    const y = Math.floor(top53(out) * INV_TWO_53 * modulus);
    const sum = a + y;
    a = b;
    b = sum >= modulus ? sum - modulus : sum;
  }
  halves.a = a;
  halves.b = b;
}
