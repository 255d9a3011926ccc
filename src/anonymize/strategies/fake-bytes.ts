/**
 * The byte path of `fake` for the kinds that are a pick from a list (or two,
 * for full names): the pick is made from the PRF of the field's bytes and its
 * UTF-8 bytes are written straight out. A value that would fake to itself is
 * declined, so the string path's keyed redraw decides it; so is every kind
 * whose output is built character by character, and any column too narrow
 * for the longest pick (the string path cuts those).
 */
import { DECLINED, maskOutput, putBytes, sameBytes, type ByteMask } from '../byte-mask.js';
import type { Prf } from '../prf.js';
import { FIRST_NAMES, LAST_NAMES } from './data/names.js';
import { CITIES, COUNTRIES } from './data/places.js';
import type { FakeKind } from './fake-kinds.js';

interface Picks {
  /** The list of the (first) part, and the PRF word that picks from it. */
  readonly first: readonly Uint8Array[];
  readonly firstWord: 0 | 1;
  /** For two-part values, the list picked from with out[1]. */
  readonly second: readonly Uint8Array[] | undefined;
  /** Longest output in code points. */
  readonly longest: number;
}

const encoder = new TextEncoder();

/** Whether COPY text would escape a character of `item` (backslash, U+0008..U+000D): such an entry cannot be written raw. */
function needsEscape(item: string): boolean {
  for (let i = 0; i < item.length; i++) {
    const c = item.charCodeAt(i);
    if (c === 0x5c || (c >= 0x08 && c <= 0x0d)) return true;
  }
  return false;
}

function encodeList(items: readonly string[]): Uint8Array[] | undefined {
  if (items.some(needsEscape)) return undefined;
  return items.map((item) => encoder.encode(item));
}

function longestOf(items: readonly string[]): number {
  return items.reduce((max, item) => Math.max(max, Array.from(item).length), 0);
}

/** What fake.ts's fakeValue picks for `kind`. */
function picksOf(kind: FakeKind): Picks | undefined {
  const one = (items: readonly string[], firstWord: 0 | 1 = 0): Picks | undefined => {
    const first = encodeList(items);
    return first === undefined ? undefined : { first, firstWord, second: undefined, longest: longestOf(items) };
  };
  switch (kind) {
    case 'name':
    case 'full_name': {
      const first = encodeList(FIRST_NAMES);
      const second = encodeList(LAST_NAMES);
      if (first === undefined || second === undefined) return undefined;
      return { first, firstWord: 0, second, longest: longestOf(FIRST_NAMES) + 1 + longestOf(LAST_NAMES) };
    }
    case 'first_name':
      return one(FIRST_NAMES);
    case 'last_name':
      return one(LAST_NAMES, 1);
    case 'city':
      return one(CITIES);
    case 'country':
      return one(COUNTRIES);
    default:
      return undefined;
  }
}

/** The byte path of makeFake(kind, prf, maxLength), or undefined where it has none. */
export function fakeByteMask(kind: FakeKind, prf: Prf, maxLength: number | undefined): ByteMask | undefined {
  const picks = picksOf(kind);
  if (picks === undefined || (maxLength !== undefined && picks.longest > maxLength)) return undefined;
  const out = prf.out;
  const { first, firstWord, second } = picks;
  return (src, start, end) => {
    prf.hash128Bytes(src, start, end);
    const a = first[(out[firstWord] as number) % first.length] as Uint8Array;
    if (second === undefined) {
      if (sameBytes(src, start, end, a)) return DECLINED;
      return putBytes(maskOutput.reserve(a.length), 0, a, 0, a.length);
    }
    const b = second[(out[1] as number) % second.length] as Uint8Array;
    const length = a.length + 1 + b.length;
    const o = maskOutput.reserve(length);
    putBytes(o, 0, a, 0, a.length);
    o[a.length] = 0x20;
    putBytes(o, a.length + 1, b, 0, b.length);
    if (sameBytes(src, start, end, o.subarray(0, length))) return DECLINED;
    return length;
  };
}
