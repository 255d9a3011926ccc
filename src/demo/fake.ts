/**
 * Formatting of the demo's synthetic personal data, in the PostgreSQL text form
 * each column takes (COPY input): timestamps, dates, inet, card numbers.
 */
import { luhnCheckDigit } from './luhn.js';
import type { Prng } from './prng.js';
import type { Place } from './vocab.js';

/** `2023-05-01 10:20:30+00`: whole seconds in UTC, readable by timestamptz. */
export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('T', ' ').replace('.000Z', '+00');
}

export function date(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function cents(amount: number): string {
  const whole = Math.floor(amount / 100);
  const rest = amount % 100;
  return `${whole}.${rest < 10 ? '0' : ''}${rest}`;
}

/** Letters a mailbox name can hold: accents dropped, the letters NFD keeps whole spelt out. */
export function mailboxPart(name: string): string {
  return name
    .toLowerCase()
    .replace(/ø/g, 'o')
    .replace(/ß/g, 'ss')
    .replace(/æ/g, 'ae')
    .replace(/ł/g, 'l')
    .normalize('NFD')
    .replace(/[^a-z]/g, '');
}

/** `#` a digit, `@` a capital letter. */
export function fillPattern(rng: Prng, pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '#') out += String(rng.int(10));
    else if (ch === '@') out += String.fromCharCode(65 + rng.int(26));
    else out += ch;
  }
  return out;
}

export function phone(rng: Prng, place: Place): string {
  return place.phonePrefix + rng.digits(place.phoneDigits);
}

/** Mostly public-looking IPv4; some IPv6 from the documentation prefix 2001:db8::/32. */
export function ipAddress(rng: Prng): string {
  if (rng.chance(0.15)) {
    const group = (): string => rng.int(0x10000).toString(16);
    return `2001:db8:${group()}:${group()}::${group()}`;
  }
  let first = rng.between(11, 223);
  if (first === 127) first = 128;
  return `${first}.${rng.int(256)}.${rng.int(256)}.${rng.between(1, 254)}`;
}

/** Issuer prefixes and lengths of the common card brands (Visa, Mastercard, Amex). */
const CARD_BRANDS: ReadonlyArray<{ readonly prefixes: readonly string[]; readonly length: number }> = [
  { prefixes: ['4'], length: 16 },
  { prefixes: ['51', '52', '53', '54', '55', '2221', '2720'], length: 16 },
  { prefixes: ['34', '37'], length: 15 },
];

/** A Luhn-valid card number of a random brand, digits only. */
export function cardNumber(rng: Prng): string {
  const brand = rng.pick(CARD_BRANDS);
  const prefix = rng.pick(brand.prefixes);
  const body = prefix + rng.digits(brand.length - prefix.length - 1);
  return body + String(luhnCheckDigit(body));
}

/** `MM/YY`. */
export function cardExpiry(rng: Prng, fromYear: number): string {
  const month = rng.between(1, 12);
  const year = (fromYear + rng.between(1, 5)) % 100;
  return `${month < 10 ? '0' : ''}${month}/${year < 10 ? '0' : ''}${year}`;
}
