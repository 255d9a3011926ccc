/**
 * Lowercase hex of 32-bit words through a byte table: per-value output
 * (hash, uuid) is formatted millions of times, and `toString(16).padStart`
 * cost more than the hash itself.
 */

const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function byte(n: number): string {
  return BYTE_HEX[n & 0xff] as string;
}

export function hex8(word: number): string {
  return byte(word >>> 24) + byte(word >>> 16) + byte(word >>> 8) + byte(word);
}

export function hex4(half: number): string {
  return byte(half >>> 8) + byte(half);
}
