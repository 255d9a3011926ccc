/**
 * Identifier strategies.
 *
 * - `hash`: lowercase hex of the keyed PRF (never a plain digest: a plain hash
 *   of an email is reversed by hashing a list of emails). `length` hex digits,
 *   default 32 (128 bits: collision chance n² / 2^129, counted as injective);
 *   shorter lengths are allowed but not injective.
 * - `uuid`: a valid version-4 UUID. The 122 bits a v4 UUID leaves free are a
 *   keyed derangement of the input's other 122 bits (so never the input),
 *   under a tweak made of the input's 6 version/variant bits: distinct inputs
 *   of one version (every uuid column in practice) get distinct outputs; across
 *   versions the collision chance is below n² / 2^123. Text that is not a UUID
 *   gets PRF bits instead, and so does, on a text column, a UUID not written
 *   in PostgreSQL's own spelling (lowercase, hyphens, no braces): two
 *   spellings of one UUID in a unique text column must not meet on one output.
 */
import { derangeBits, getBits, setBits } from '../fpe-bits.js';
import { hex4, hex8 } from '../hex.js';
import { DECLINED, maskOutput, sameBytes, withByteMask, type ByteMask } from '../byte-mask.js';
import type { Prf } from '../prf.js';
import { defineBuiltinStrategy } from '../strategy.js';

export const INJECTIVE_HASH_LENGTH = 32;
const HEX_DIGITS = '0123456789abcdef';
/** Characters of a UUID's text form with hyphens, as the `uuid` strategy always writes it. */
const UUID_LENGTH = 36;

export const hash = defineBuiltinStrategy({
  name: 'hash',
  summary: 'hex of the keyed PRF, `length` hex digits (default 32; injective from 32 on)',
  acceptsTypes: ['text'],
  // `options` first: TypeScript infers the options type from it for the functions below.
  options: (o) => ({ length: o.integer('length', INJECTIVE_HASH_LENGTH, { min: 1, max: 256 }) }),
  injective: (options) => options.length >= INJECTIVE_HASH_LENGTH,
  validateOptions: (options, ctx) => {
    const max = ctx.column.maxLength;
    return max !== undefined && options.length > max
      ? `\`length: ${options.length}\` is more than ${ctx.column.type} holds; set \`length\` to at most ${max}`
      : undefined;
  },
  create: ({ options, prf }) => {
    const { length } = options;
    return withByteMask(
      (value: string) => {
        const hex = prf.hex(value, length);
        return hex === value ? hex.slice(0, -1) + nextHexDigit(hex.charCodeAt(length - 1)) : hex;
      },
      hexByteMask(prf, length),
    );
  },
});

/**
 * The hex digit after the one of char code `c`, cyclically. A hash equal to its
 * input (a 1-in-16^length chance for an input that is itself `length` hex
 * digits: 1 in 16 for `length: 1`) gets its last digit changed, so a value
 * never masks to itself.
 */
function nextHexDigit(c: number): string {
  return HEX_DIGITS.charAt((HEX_DIGITS.indexOf(String.fromCharCode(c)) + 1) & 15);
}

const HEX_CODES = Uint8Array.from(HEX_DIGITS, (c) => c.charCodeAt(0));

/** The first `count` (≤ 8) hex digits of `word` at out[at...], as hex8 writes them. */
function putWordHex(out: Uint8Array, at: number, word: number, count: number): void {
  for (let i = 0; i < count; i++) out[at + i] = HEX_CODES[(word >>> (28 - 4 * i)) & 15] as number;
}

/** Prf.hex's byte path, up to 32 digits (one SipHash); longer outputs take the string path. */
function hexByteMask(prf: Prf, chars: number): ByteMask {
  const out = prf.out;
  return (src, start, end) => {
    if (chars > 32) return DECLINED;
    if (chars <= 16) prf.hash64Bytes(src, start, end);
    else prf.hash128Bytes(src, start, end);
    // Prf.hex prints the high word of each 64-bit half first.
    const o = maskOutput.reserve(chars);
    putWordHex(o, 0, out[1] as number, Math.min(8, chars));
    if (chars > 8) putWordHex(o, 8, out[0] as number, Math.min(8, chars - 8));
    if (chars > 16) putWordHex(o, 16, out[3] as number, Math.min(8, chars - 16));
    if (chars > 24) putWordHex(o, 24, out[2] as number, chars - 24);
    if (end - start === chars && sameBytes(src, start, end, o.subarray(0, chars))) {
      o[chars - 1] = nextHexDigit(o[chars - 1] as number).charCodeAt(0);
    }
    return chars;
  };
}

/** Value of a hex digit's char code, or -1. */
function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Reads the 128 bits of a UUID in any common text form (hyphens, braces, upper
 * case), or with `strict` only as PostgreSQL writes one (lowercase, hyphens,
 * no braces); false if it is none. Hand-rolled: this runs once per value.
 */
function parseUuid(value: string, into: Uint32Array, strict: boolean): boolean {
  let from = 0;
  let to = value.length;
  if (!strict && value.charCodeAt(0) === 123 && value.charCodeAt(to - 1) === 125) {
    from++;
    to--;
  }
  const hyphens = to - from === UUID_LENGTH;
  if (!hyphens && (strict || to - from !== 32)) return false;
  let count = 0;
  let word = 0;
  for (let i = from; i < to; i++) {
    const c = value.charCodeAt(i);
    if (hyphens && c === 45) {
      const at = i - from;
      if (at === 8 || at === 13 || at === 18 || at === 23) continue;
      return false;
    }
    const n = nibble(c);
    if (n < 0 || (strict && c >= 65 && c <= 70)) return false;
    word = (word << 4) | n;
    count++;
    if ((count & 7) === 0) into[(count >>> 3) - 1] = word >>> 0;
  }
  return count === 32;
}

function formatUuid(words: Uint32Array): string {
  const w0 = words[0] as number;
  const w1 = words[1] as number;
  const w2 = words[2] as number;
  const w3 = words[3] as number;
  return `${hex8(w0)}-${hex4(w1 >>> 16)}-${hex4(w1 & 0xffff)}-${hex4(w2 >>> 16)}-${hex4(w2 & 0xffff)}${hex8(w3)}`;
}

// The free bits of a v4 UUID, as (start, length) runs: all but the version
// nibble (bits 48-51) and the variant bits (64-65).
const RUNS: readonly (readonly [number, number])[] = [
  [0, 32],
  [32, 16],
  [52, 12],
  [66, 30],
  [96, 32],
];

/** Moves the 122 free bits of `from` into bits [0, 122) of `to` (or back, with `unpack`). */
function moveFreeBits(from: Uint32Array, to: Uint32Array, unpack: boolean): void {
  let packed = 0;
  for (const [start, length] of RUNS) {
    if (unpack) setBits(to, start, length, getBits(from, packed, length));
    else setBits(to, packed, length, getBits(from, start, length));
    packed += length;
  }
}

export const uuid = defineBuiltinStrategy({
  name: 'uuid',
  summary: 'valid v4 UUID; keyed derangement of the 122 free bits (injective per UUID version, never the input)',
  acceptsTypes: ['uuid', 'text'],
  injective: true,
  options: () => ({}),
  validateOptions: (_options, ctx) => {
    const max = ctx.column.maxLength;
    return max !== undefined && max < UUID_LENGTH
      ? `masked UUIDs are ${UUID_LENGTH} characters (with hyphens), more than ${ctx.column.type} holds; use \`hash\` with \`length: ${Math.min(max, INJECTIVE_HASH_LENGTH)}\` instead`
      : undefined;
  },
  create: ({ prf, column }) => {
    // A uuid column's values are UUIDs whatever their spelling (PostgreSQL
    // writes them lowercase anyway). On text, another spelling of a UUID is
    // another value, so only PostgreSQL's own spelling is read as one.
    const strict = column.family === 'text';
    const input = new Uint32Array(4);
    const packed = new Uint32Array(4);
    const output = new Uint32Array(4);
    return (value) => {
      if (parseUuid(value, input, strict)) {
        const tweak = (getBits(input, 48, 4) << 2) | getBits(input, 64, 2);
        packed.fill(0);
        moveFreeBits(input, packed, false);
        derangeBits(packed, 0, 122, prf, tweak);
      } else {
        prf.hash128(value);
        packed.set(prf.out);
      }
      output.fill(0);
      moveFreeBits(packed, output, true);
      setBits(output, 48, 4, 4);
      setBits(output, 64, 2, 2);
      return formatUuid(output);
    };
  },
});
