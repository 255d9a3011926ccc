/**
 * The keyed pseudo-random function of one domain. A domain is a strategy name
 * plus its canonical options, never a table: the same value masked by the same
 * rule gives the same output in every table, run and mode, so joins survive.
 *
 * Built-in strategies use the allocation-free methods (hash64, hash128, round),
 * which leave their result in `out`; custom strategies get the friendlier ones
 * (hex, uint32, int, fraction, pick), which return values.
 */
import { hex8 } from './hex.js';
import { derivedSipKey, type MaskingKey } from './key.js';
import { type SipKey, sipHashRange, sipHashString, sipHashWords, sipHashWords2 } from './siphash.js';

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

export class Prf {
  /** Result of the last hash64 / hash128 / round call: out[0] low word, out[1] high word, then the second 64 bits. */
  readonly out = new Uint32Array(4);
  private readonly valueKey: SipKey;
  private roundKey: SipKey | undefined;
  private round8SipKey: SipKey | undefined;
  private readonly blockKeys: SipKey[] = [];

  constructor(
    private readonly key: MaskingKey,
    /** The domain this PRF is bound to (strategy and canonical options). */
    readonly domain: string,
  ) {
    this.valueKey = derivedSipKey(key, domain, 0);
    this.blockKeys.push(this.valueKey);
  }

  /** 64 PRF bits of `value` into out[0..1]. */
  hash64(value: string): void {
    sipHashString(this.valueKey, value, this.out, false);
  }

  /** 128 PRF bits of `value` into out[0..3] (SipHash-2-4-128: one pass, ~1.3× the 64-bit cost). */
  hash128(value: string): void {
    sipHashString(this.valueKey, value, this.out, true);
  }

  /** As hash64, for the value whose UTF-8 bytes are src[start, end) (byte masks). */
  hash64Bytes(src: Uint8Array, start: number, end: number): void {
    sipHashRange(this.valueKey, src, start, end, this.out, false);
  }

  /** As hash128, for the value whose UTF-8 bytes are src[start, end) (byte masks). */
  hash128Bytes(src: Uint8Array, start: number, end: number): void {
    sipHashRange(this.valueKey, src, start, end, this.out, true);
  }

  /**
   * The round function of format-preserving permutations: 64 bits of a
   * 16-byte message into out[0..1], under a key separate from value hashing.
   */
  round(a: number, b: number, c: number, d: number): void {
    this.roundKey ??= derivedSipKey(this.key, `round\u0000${this.domain}`, 0);
    sipHashWords(this.roundKey, a, b, c, d, this.out);
  }

  /** As `round`, for an 8-byte message (two uint32), under its own key: 20% cheaper. */
  round8(a: number, b: number): void {
    sipHashWords2(this.round8Key(), a, b, this.out);
  }

  /** The key of `round8`, for the WebAssembly Feistel rounds (fpe-digits.ts), which hash the same messages under it. */
  round8Key(): SipKey {
    this.round8SipKey ??= derivedSipKey(this.key, `round8\u0000${this.domain}`, 0);
    return this.round8SipKey;
  }

  /** `count` 32-bit words of PRF output for `value`: 128 bits per block, each block under its own key. */
  words(value: string, count: number): Uint32Array {
    const result = new Uint32Array(count);
    for (let block = 0; block * 4 < count; block++) {
      let key = this.blockKeys[block];
      if (key === undefined) {
        key = derivedSipKey(this.key, this.domain, block);
        this.blockKeys[block] = key;
      }
      sipHashString(key, value, this.out, true);
      for (let i = 0; i < 4 && block * 4 + i < count; i++) result[block * 4 + i] = this.out[i] as number;
    }
    return result;
  }

  /** `chars` lowercase hex digits of PRF output (4 bits each; up to any length). */
  hex(value: string, chars = 16): string {
    const out = this.out;
    if (chars <= 16) {
      this.hash64(value);
      const text = hex8(out[1] as number) + hex8(out[0] as number);
      return chars === 16 ? text : text.slice(0, chars);
    }
    if (chars <= 32) {
      this.hash128(value);
      const text = hex8(out[1] as number) + hex8(out[0] as number) + hex8(out[3] as number) + hex8(out[2] as number);
      return chars === 32 ? text : text.slice(0, chars);
    }
    const words = this.words(value, Math.ceil(chars / 8));
    let text = '';
    for (const word of words) text += hex8(word);
    return text.slice(0, chars);
  }

  /** A uint32 of PRF output; different `index`es give independent numbers. */
  uint32(value: string, index = 0): number {
    if (index < 4) {
      this.hash128(value);
      return this.out[index] as number;
    }
    return this.words(value, index + 1)[index] as number;
  }

  /** A number in [0, 1) with 53 random bits. */
  fraction(value: string): number {
    this.hash64(value);
    return top53(this.out) / TWO_53;
  }

  /** An integer in [0, bound), bound ≤ 2^53; bias below bound / 2^53. */
  int(value: string, bound: number): number {
    if (!(bound >= 1 && bound <= TWO_53)) throw new RangeError(`bound must be in [1, 2^53], got ${bound}`);
    this.hash64(value);
    return Math.floor((top53(this.out) / TWO_53) * Math.floor(bound));
  }

  /** One of `items`, chosen by the PRF. */
  pick<T>(value: string, items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick needs at least one item');
    return items[this.int(value, items.length)] as T;
  }

  toString(): string {
    return '[Prf]';
  }

  toJSON(): string {
    return '[Prf]';
  }
}

/** The top 53 bits of the 64-bit result in out[0..1], as an exact integer. */
export function top53(out: Uint32Array): number {
  return ((out[1] as number) >>> 11) * TWO_32 + (out[0] as number);
}

/** A uniform integer in [0, bound) from out[0..1]; bound ≤ 2^53. */
export function below(out: Uint32Array, bound: number): number {
  return Math.floor((top53(out) / TWO_53) * bound);
}
