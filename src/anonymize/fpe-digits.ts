/**
 * Keyed permutations of decimal digit strings of a given length, and the
 * derangements built from them that the strategies use.
 *
 * π: the FF1 construction (NIST SP 800-38G: alternating Feistel, addition
 * modulo 10^m) with the domain's PRF as round function. Being a permutation, it
 * maps distinct inputs to distinct outputs of the same length, which is what
 * keeps a unique phone, card or SSN column unique after masking: no collision
 * bound, no retries.
 *
 * σ(x) = π⁻¹(π(x) + 1 mod 10^n): a permutation too, and one without a fixed
 * point (σ(x) = x would need π(x) + 1 = π(x)). A random permutation has about
 * one fixed point whatever its size, so π alone leaves some value (5 of the 100
 * two-digit strings under one key) masked to itself, which is a leak. σ is a
 * single cycle through every string, so cycle-walking it into a subset
 * (integers without a leading zero, within their type's range) gives a
 * permutation of that subset that still has no fixed point, as long as the
 * subset has two members. It costs two passes of π (π⁻¹ is as cheap as π).
 *
 * Halves are plain doubles (at most 12 digits < 2^53), so no BigInt per value.
 * Longer strings are cut into 24-digit chunks, each permuted under a tweak that
 * depends on the chunks before it (a chained mode: still a permutation, because
 * the chunks can be recovered left to right); the first chunk is deranged, so
 * the whole string differs from its input.
 *
 * Eight rounds, as FF3-1; each is one SipHash of an 8-byte message (about
 * 70 ns in JavaScript, about a quarter of that in the WebAssembly rounds of
 * sip-wasm.ts, which compute the same thing and are used where they
 * run). An earlier version remembered round outputs in tables per PRF; on
 * these machines a lookup in tables of megabytes missed the CPU caches and
 * cost as much as the hash, and whole syncs ran faster without them.
 */
import { type Prf, top53 } from './prf.js';
import { sipWasm } from './sip-wasm.js';

const ROUNDS = 8;
const CHUNK = 24;
const TWO_32 = 4294967296;
const INV_TWO_53 = 1 / 9007199254740992;
const POW10: readonly number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);
const FACTORIAL_10 = 3628800;

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
 * Whether a candidate output is in the domain being permuted. The string path
 * passes the candidate (the whole output, for strings longer than one chunk);
 * the byte path's candidates are the digit codes it is given, in place.
 */
export type DigitsAccept = (candidate: string) => boolean;

/**
 * The image of `digits` (only 0-9) under the derangement of strings of its
 * length selected by `tweak` (a uint32: different tweaks, unrelated
 * permutations). With `accept`, the derangement of the accepted strings of that
 * length (cycle-walked), for an accepted `digits`; the caller makes sure that
 * at least two strings are accepted, or `digits` comes back unchanged.
 */
export function derangeDigits(digits: string, prf: Prf, tweak = 0, accept?: DigitsAccept): string {
  const n = digits.length;
  if (n === 0) return '';
  if (n <= CHUNK) return derangeChunk(digits, 0, n, prf, tweak, accept, '');
  // The chunks after the first are permuted under tweaks chained from the
  // input's chunks, so they do not depend on the first chunk's output.
  let rest = '';
  let chainTweak = tweak;
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    if (start > 0) rest += permuteChunk(digits, start, end, prf, chainTweak);
    // The next chunk's permutation depends on this chunk's input: changing one
    // digit early changes everything after it.
    prf.hash64(`${chainTweak}:${digits.slice(start, end)}`);
    chainTweak = prf.out[0] as number;
  }
  return derangeChunk(digits, 0, CHUNK, prf, tweak, accept, rest) + rest;
}

/** π of one chunk (a building block of the chained mode). */
function permuteChunk(s: string, from: number, to: number, prf: Prf, tweak: number): string {
  const n = to - from;
  if (n === 1) {
    const table = digitTable(prf, tweak);
    return String(table[s.charCodeAt(from) - 48]);
  }
  const u = n >>> 1;
  permuteHalves(parseDigits(s, from, from + u), parseDigits(s, from + u, to), n, prf, tweak);
  return formatDigits(halves.a, u) + formatDigits(halves.b, n - u);
}

function derangeChunk(
  s: string,
  from: number,
  to: number,
  prf: Prf,
  tweak: number,
  accept: DigitsAccept | undefined,
  suffix: string,
): string {
  const n = to - from;
  if (n === 1) {
    const table = digitTable(prf, tweak);
    let at = table[s.charCodeAt(from) - 48] as number;
    for (;;) {
      at = at === 9 ? 0 : at + 1;
      const candidate = String(table[10 + at]);
      if (accept === undefined || accept(candidate + suffix)) return candidate;
    }
  }
  const u = n >>> 1;
  const v = n - u;
  permuteHalves(parseDigits(s, from, from + u), parseDigits(s, from + u, to), n, prf, tweak);
  let a = halves.a;
  let b = halves.b;
  const ma = POW10[u] as number;
  const mb = POW10[v] as number;
  for (;;) {
    // π(x) + k for k = 1, 2, ...: the next strings on σ's single cycle.
    b++;
    if (b === mb) {
      b = 0;
      a = a + 1 === ma ? 0 : a + 1;
    }
    unpermuteHalves(a, b, n, prf, tweak);
    const candidate = formatDigits(halves.a, u) + formatDigits(halves.b, v);
    if (accept === undefined || accept(candidate + suffix)) return candidate;
  }
}

/**
 * As derangeDigits (without a chunk longer than 24 digits), in place, for ASCII
 * digit codes in codes[from, to) (the byte paths): the same derangement, so the
 * same digits. `accept` judges the candidate written in codes[from, to).
 * Returns false, having changed nothing, for strings longer than one chunk.
 */
export function derangeDigitCodes(codes: Uint8Array, from: number, to: number, prf: Prf, tweak: number, accept?: () => boolean): boolean {
  const n = to - from;
  if (n > CHUNK) return false;
  if (n === 0) return true;
  if (n === 1) {
    const table = digitTable(prf, tweak);
    let at = table[(codes[from] as number) - 48] as number;
    do {
      at = at === 9 ? 0 : at + 1;
      codes[from] = 48 + (table[10 + at] as number);
    } while (accept !== undefined && !accept());
    return true;
  }
  const u = n >>> 1;
  const v = n - u;
  let a = 0;
  for (let i = from; i < from + u; i++) a = a * 10 + ((codes[i] as number) - 48);
  let b = 0;
  for (let i = from + u; i < to; i++) b = b * 10 + ((codes[i] as number) - 48);
  permuteHalves(a, b, n, prf, tweak);
  a = halves.a;
  b = halves.b;
  const ma = POW10[u] as number;
  const mb = POW10[v] as number;
  for (;;) {
    b++;
    if (b === mb) {
      b = 0;
      a = a + 1 === ma ? 0 : a + 1;
    }
    unpermuteHalves(a, b, n, prf, tweak);
    writeHalf(codes, from, from + u, halves.a);
    writeHalf(codes, from + u, to, halves.b);
    if (accept === undefined || accept()) return true;
  }
}

/** Writes `value` as the digit codes codes[from, to), zero-padded, as formatDigits does. */
function writeHalf(codes: Uint8Array, from: number, to: number, value: number): void {
  let rest = value;
  for (let i = to - 1; i >= from; i--) {
    const q = Math.floor(rest / 10);
    codes[i] = 48 + (rest - q * 10);
    rest = q;
  }
}

/** Tweaks only select among permutations; folding them to 16 bits keeps the round message at 8 bytes. */
function fold16(tweak: number): number {
  return (tweak ^ (tweak >>> 16)) & 0xffff;
}

const digitTables = new WeakMap<Prf, Map<number, Uint8Array>>();

/**
 * A single digit: a keyed permutation of 0-9 (table[d] = π(d), table[10 + y] =
 * π⁻¹(y)), from the Lehmer code of 53 PRF bits modulo 10!. A rotation, as an
 * earlier version used, would make σ = π⁻¹(π(x) + 1) the same `+1` under
 * every key. Remembered per PRF and tweak: columns use a handful of tweaks.
 */
function digitTable(prf: Prf, tweak: number): Uint8Array {
  let tables = digitTables.get(prf);
  if (tables === undefined) {
    tables = new Map();
    digitTables.set(prf, tables);
  }
  const known = tables.get(tweak);
  if (known !== undefined) return known;
  // The message of a Feistel round has the length in bits 11-15; 1 is never a Feistel length.
  prf.round8(0, (1 << 11) | (fold16(tweak) << 16));
  let code = top53(prf.out) % FACTORIAL_10;
  const left = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const table = new Uint8Array(20);
  for (let d = 0; d < 10; d++) {
    const radix = 10 - d;
    const pick = code % radix;
    code = (code - pick) / radix;
    const image = left.splice(pick, 1)[0] as number;
    table[d] = image;
    table[10 + image] = d;
  }
  if (tables.size < 64) tables.set(tweak, table);
  return table;
}

/** Output of permuteHalves / unpermuteHalves: a module-level pair, so no object per value. */
const halves = { a: 0, b: 0 };

/**
 * The Feistel rounds over the halves of an n-digit string (a of u = n >>> 1
 * digits, b of the other v), shared by the string and byte paths; the result
 * is left in `halves`.
 */
function permuteHalves(a: number, b: number, n: number, prf: Prf, tweak: number): void {
  const wasm = sipWasm();
  if (wasm === undefined) return permuteHalvesJs(a, b, n, prf, tweak);
  const key = prf.round8Key();
  const u = n >>> 1;
  wasm.permute(
    a,
    b,
    n,
    fold16(tweak),
    key[0] as number,
    key[1] as number,
    key[2] as number,
    key[3] as number,
    POW10[u] as number,
    POW10[n - u] as number,
  );
  halves.a = wasm.halves[0] as number;
  halves.b = wasm.halves[1] as number;
}

/** permuteHalves run backwards: π⁻¹ of the halves (a, b), into `halves`. */
function unpermuteHalves(a: number, b: number, n: number, prf: Prf, tweak: number): void {
  const wasm = sipWasm();
  if (wasm === undefined) return unpermuteHalvesJs(a, b, n, prf, tweak);
  const key = prf.round8Key();
  const u = n >>> 1;
  wasm.unpermute(
    a,
    b,
    n,
    fold16(tweak),
    key[0] as number,
    key[1] as number,
    key[2] as number,
    key[3] as number,
    POW10[u] as number,
    POW10[n - u] as number,
  );
  halves.a = wasm.halves[0] as number;
  halves.b = wasm.halves[1] as number;
}

/**
 * The Feistel rounds in JavaScript: where WebAssembly does not run, and the
 * reference the WebAssembly rounds are tested against.
 */
export function permuteHalvesJs(a: number, b: number, n: number, prf: Prf, tweak: number): void {
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

/** unpermuteHalves in JavaScript (see permuteHalvesJs). */
export function unpermuteHalvesJs(a: number, b: number, n: number, prf: Prf, tweak: number): void {
  const tweak16 = fold16(tweak);
  const u = n >>> 1;
  const v = n - u;
  const out = prf.out;
  for (let i = ROUNDS - 1; i >= 0; i--) {
    const modulus = POW10[(i & 1) === 0 ? u : v] as number;
    // Round i turned (a', b') into (b', a' + F(b')): b' is now `a`.
    prf.round8(a >>> 0, Math.floor(a / TWO_32) | (i << 8) | (n << 11) | (tweak16 << 16));
    const y = Math.floor(top53(out) * INV_TWO_53 * modulus);
    const difference = b - y;
    b = a;
    a = difference < 0 ? difference + modulus : difference;
  }
  halves.a = a;
  halves.b = b;
}

/** The halves the last permuteHalves / unpermuteHalves call left (tests). */
export function lastHalves(): { readonly a: number; readonly b: number } {
  return { a: halves.a, b: halves.b };
}

/** permuteHalves / unpermuteHalves as used (WebAssembly where it runs), for tests that compare them with the *Js rounds. */
export const feistelForTests = {
  permute: permuteHalves,
  unpermute: unpermuteHalves,
  get usesWasm(): boolean {
    return sipWasm() !== undefined;
  },
};
