/**
 * `ip`: an address of the same family (and the same `/prefix` text), with the
 * bits after `keep_prefix` (IPv4) / `keep_prefix_v6` (IPv6) replaced through a
 * keyed derangement (fpe-bits.ts), so distinct addresses stay distinct and none
 * masks to itself. On `cidr` columns only the network bits are permuted: host
 * bits must stay zero there; a network no longer than the kept prefix has all
 * its bits deranged, as `partial` never shows a short value whole (only `/0`,
 * which holds no address bit, is copied).
 *
 * Injective on `inet` and `cidr` columns, whose values PostgreSQL writes in one
 * spelling. On text, `10.0.0.1`, `010.0.0.1` and `::A` / `::a` are read as the
 * same address and mask to the same output, so `ip` cannot keep a unique text
 * column unique.
 */
import { derangeBits } from '../fpe-bits.js';
import { defineBuiltinStrategy } from '../strategy.js';
import { isCidr } from '../types.js';

interface Address {
  readonly v6: boolean;
  readonly words: Uint32Array;
  /** `/n` as written, or undefined. */
  readonly prefix: number | undefined;
}

/** Parses dotted IPv4 in text[from, to) into a uint32; -1 if it is none. */
function parseV4(text: string, from: number, to: number): number {
  let word = 0;
  let octets = 0;
  let i = from;
  while (octets < 4) {
    let octet = 0;
    let digits = 0;
    while (i < to && digits < 4) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      octet = octet * 10 + (c - 48);
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || octet > 255) return -1;
    word = word * 256 + octet;
    octets++;
    if (octets < 4) {
      if (i >= to || text.charCodeAt(i) !== 46) return -1;
      i++;
    }
  }
  return i === to ? word : -1;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const hextets = new Array<number>(8).fill(0);

/**
 * Parses IPv6 text in text[0, to) (groups, one `::`, an optional dotted IPv4
 * tail) into four words. Hand-written: split/regex parsing cost 0.8 µs a value.
 */
function parseV6(text: string, to: number, words: Uint32Array): boolean {
  let count = 0;
  let gap = -1;
  let i = 0;
  if (to < 2) return false;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
  }
  while (i < to) {
    const start = i;
    let value = 0;
    let digits = 0;
    while (i < to && digits < 5) {
      const h = hexValue(text.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      digits++;
      i++;
    }
    if (i < to && text.charCodeAt(i) === 46) {
      const v4 = count <= 6 ? parseV4(text, start, to) : -1;
      if (v4 < 0) return false;
      hextets[count++] = v4 >>> 16;
      hextets[count++] = v4 & 0xffff;
      break;
    }
    if (digits === 0 || digits > 4 || count === 8) return false;
    hextets[count++] = value;
    if (i === to) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (i < to && text.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    } else if (i === to) {
      return false;
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return false;
  if (gap >= 0) {
    const tail = count - gap;
    for (let k = 0; k < tail; k++) hextets[7 - k] = hextets[count - 1 - k] as number;
    for (let k = gap; k < 8 - tail; k++) hextets[k] = 0;
  }
  for (let k = 0; k < 4; k++) words[k] = (((hextets[2 * k] as number) << 16) | (hextets[2 * k + 1] as number)) >>> 0;
  return true;
}

export function parseAddress(value: string): Address | undefined {
  const slash = value.indexOf('/');
  const host = slash < 0 ? value : value.slice(0, slash);
  let prefix: number | undefined;
  if (slash >= 0) {
    const text = value.slice(slash + 1);
    if (!/^\d{1,3}$/.test(text)) return undefined;
    prefix = Number(text);
  }
  const words = new Uint32Array(4);
  const v4 = parseV4(host, 0, host.length);
  if (v4 >= 0) {
    words[0] = v4;
    return prefix !== undefined && prefix > 32 ? undefined : { v6: false, words, prefix };
  }
  if (parseV6(host, host.length, words)) return prefix !== undefined && prefix > 128 ? undefined : { v6: true, words, prefix };
  return undefined;
}

function formatV6(words: Uint32Array): string {
  for (let k = 0; k < 4; k++) {
    hextets[2 * k] = (words[k] as number) >>> 16;
    hextets[2 * k + 1] = (words[k] as number) & 0xffff;
  }
  // RFC 5952: compress the longest run of two or more zero groups, the first one on ties.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (hextets[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && hextets[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += '::';
      i += bestLength - 1;
      continue;
    }
    if (text !== '' && !text.endsWith(':')) text += ':';
    text += (hextets[i] as number).toString(16);
  }
  return text;
}

function formatV4(word: number): string {
  return `${word >>> 24}.${(word >>> 16) & 255}.${(word >>> 8) & 255}.${word & 255}`;
}

/** Tweak flag of cidr networks no longer than the kept prefix. */
const SHORT_NETWORK = 0x1000;

export const ip = defineBuiltinStrategy({
  name: 'ip',
  summary:
    'same family and /prefix; bits after keep_prefix (v4) / keep_prefix_v6 deranged with a key (injective on inet and cidr, never the input)',
  acceptsTypes: ['inet', 'text'],
  // At most one bit short of the address: keeping every bit would copy it.
  // (`options` first: TypeScript infers the options type from it.)
  options: (o) => ({
    keep_prefix: o.integer('keep_prefix', 0, { min: 0, max: 31 }),
    keep_prefix_v6: o.integer('keep_prefix_v6', 0, { min: 0, max: 127 }),
  }),
  injective: (_options, ctx) => ctx.column.family === 'inet',
  create: ({ options, prf, column }) => {
    const cidr = isCidr(column.type);
    return (value) => {
      const address = parseAddress(value);
      if (address === undefined) throw new Error('the value is not an IPv4 or IPv6 address (use `hash` or `redact` for free text)');
      const total = address.v6 ? 128 : 32;
      const keep = address.v6 ? options.keep_prefix_v6 : options.keep_prefix;
      const end = cidr && address.prefix !== undefined ? address.prefix : total;
      const family = address.v6 ? 0x600 : 0x400;
      if (end > keep) derangeBits(address.words, keep, end - keep, prf, family | end);
      else derangeBits(address.words, 0, end, prf, family | end | SHORT_NETWORK);
      const text = address.v6 ? formatV6(address.words) : formatV4(address.words[0] as number);
      return address.prefix === undefined ? text : `${text}/${address.prefix}`;
    };
  },
});
