/**
 * `email`: a valid address whose local part is 80 bits of the keyed PRF, so
 * distinct inputs stay distinct (collision chance for n addresses ≈ n² / 2^81:
 * 4e-13 for a million, 4e-9 for a hundred million), at `example.com` (reserved,
 * never delivers) or a configured domain. `keep_domain` keeps the original
 * domain, for data whose meaning depends on it (company accounts), except where
 * it would not fit a varchar(n) column: there the configured domain is used.
 */
import { maskOutput, putBytes, withByteMask, type ByteMask } from '../byte-mask.js';
import { defineBuiltinStrategy } from '../strategy.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const LOCAL_LENGTH = 17;
const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const ALPHABET_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));

/** The byte path's base32x6: `count` characters of `word` at out[at...]. */
function putBase32(out: Uint8Array, at: number, word: number, count: number): void {
  for (let i = 0; i < count; i++) out[at + i] = ALPHABET_CODES[(word >>> (5 * i)) & 31] as number;
}

/** Six base32 characters from the low 30 bits of `word`. */
function base32x6(word: number): string {
  return (
    ALPHABET.charAt(word & 31) +
    ALPHABET.charAt((word >>> 5) & 31) +
    ALPHABET.charAt((word >>> 10) & 31) +
    ALPHABET.charAt((word >>> 15) & 31) +
    ALPHABET.charAt((word >>> 20) & 31) +
    ALPHABET.charAt((word >>> 25) & 31)
  );
}

export const email = defineBuiltinStrategy({
  name: 'email',
  summary: 'valid address, PRF local part (80 bits), at example.com or `domain`; `keep_domain: true` keeps the original domain',
  acceptsTypes: ['text'],
  injective: true,
  options: (o) => ({
    domain: o.string('domain', 'example.com', { nonEmpty: true }),
    keep_domain: o.boolean('keep_domain', false),
  }),
  validateOptions: (options, ctx) => {
    const problems: string[] = [];
    if (!DOMAIN.test(options.domain)) problems.push(`option \`domain\` is not a valid domain name: \`${options.domain}\``);
    // With keep_domain too: values without a domain, or whose domain does not fit, get this one.
    const length = LOCAL_LENGTH + 1 + options.domain.length;
    const max = ctx.column.maxLength;
    if (max !== undefined && length > max) {
      problems.push(`masked addresses are ${length} characters, more than ${ctx.column.type} holds; use a shorter \`domain\``);
    }
    return problems;
  },
  create: ({ options, prf, column }) => {
    const out = prf.out;
    const fixedSuffix = `@${options.domain}`;
    // Longest kept domain that fits the column (in characters); the local part is not shortened, to keep its 80 bits.
    const maxDomain = column.maxLength === undefined ? Infinity : column.maxLength - LOCAL_LENGTH - 1;
    // The domain passed the DOMAIN check: ASCII letters, digits, dots and dashes, nothing COPY escapes.
    const suffix = Uint8Array.from(fixedSuffix, (c) => c.charCodeAt(0));
    const bytes: ByteMask = (src, start, end) => {
      prf.hash128Bytes(src, start, end);
      const length = LOCAL_LENGTH + suffix.length;
      const o = maskOutput.reserve(length);
      o[0] = 0x75; // 'u'
      putBase32(o, 1, out[0] as number, 6);
      putBase32(o, 7, out[1] as number, 6);
      putBase32(o, 13, out[2] as number, 4);
      putBytes(o, LOCAL_LENGTH, suffix, 0, suffix.length);
      return length;
    };
    const mask = (value: string): string => {
      prf.hash128(value);
      // 'u' keeps the local part starting with a letter; 16 more characters carry 80 bits.
      const local = 'u' + base32x6(out[0] as number) + base32x6(out[1] as number) + base32x6(out[2] as number).slice(0, 4);
      if (options.keep_domain) {
        const at = value.lastIndexOf('@');
        const domain = at >= 0 ? value.slice(at + 1).trim() : '';
        if (domain !== '' && (domain.length <= maxDomain || Array.from(domain).length <= maxDomain)) return `${local}@${domain}`;
      }
      return local + fixedSuffix;
    };
    // keep_domain reads the domain out of the value (trimmed as a string): left to the string path.
    return withByteMask(mask, options.keep_domain ? undefined : bytes);
  },
});
