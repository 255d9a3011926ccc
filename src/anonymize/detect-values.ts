/**
 * What a single text value looks like, for `pgtwin scan`. Each test is cheap
 * and conservative: a scan reports columns for a human to review, and a false
 * alarm costs a glance while a miss can leak.
 */
import { FIRST_NAMES, LAST_NAMES } from './strategies/data/names.js';
import { digitsOf, luhnValid } from './strategies/digit-layout.js';
import { parseAddress } from './strategies/network.js';

export type ValueKind = 'email' | 'phone' | 'credit_card' | 'ssn' | 'ip' | 'name' | 'address' | 'date';

const EMAIL = /^[^\s@]+@[^\s@]+\.[A-Za-z]{2,}$/;
const EMAIL_INSIDE = /[^\s@<>(),;:"']+@[^\s@<>(),;:"']+\.[A-Za-z]{2,}/;
const PHONE = /^\+?[\d\s().\-/]{7,22}(?:\s*(?:x|ext\.?)\s*\d{1,6})?$/i;
const SSN = /^\d{3}-\d{2}-\d{4}$/;
const CARD = /^\d[\d -]{11,22}\d$/;
const DATE = /^\d{4}-\d{2}-\d{2}(?:[ T]|$)/;
const STREET = /^\d{1,6}[a-z]?\s+(?:[\p{L}'.-]+\s+){0,4}(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|terrace|square|sq)\.?\b/iu;
const STREET_EU = /^[\p{L}'.-]+(?:\s+[\p{L}'.-]+){0,3}(?:straße|strasse|str\.|weg|gasse|platz|laan|straat|rue|via|calle|avenida)?\s+\d{1,5}[a-z]?(?:,|$)/iu;

const FIRST = new Set(FIRST_NAMES.map((n) => n.toLowerCase()));
const LAST = new Set(LAST_NAMES.map((n) => n.toLowerCase()));

/** The kinds `value` looks like (usually zero or one). */
export function classifyValue(value: string): ValueKind[] {
  const text = value.trim();
  if (text === '' || text.length > 200) return [];
  const kinds: ValueKind[] = [];
  if (EMAIL.test(text)) kinds.push('email');
  if (SSN.test(text)) kinds.push('ssn');
  else if (CARD.test(text)) {
    const digits = digitsOf(text);
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) kinds.push('credit_card');
  }
  const ip = /^[\d.:a-fA-F/]+$/.test(text) && /[.:]/.test(text) && parseAddress(text) !== undefined;
  if (ip) kinds.push('ip');
  if (!ip && !kinds.includes('ssn') && !kinds.includes('credit_card') && PHONE.test(text) && !DATE.test(text)) {
    const count = digitsOf(text).length;
    if (count >= 7 && count <= 15) kinds.push('phone');
  }
  if (looksLikeName(text)) kinds.push('name');
  if (STREET.test(text) || (STREET_EU.test(text) && /\d/.test(text) && /[\p{L}]{3,}/u.test(text))) kinds.push('address');
  if (DATE.test(text)) kinds.push('date');
  return kinds;
}

/** One to four capitalised words, with a first or last word found in the built-in name lists. */
function looksLikeName(text: string): boolean {
  const words = text.split(/\s+/);
  if (words.length > 4) return false;
  if (!words.every((w) => /^[\p{Lu}][\p{L}'’.-]*$/u.test(w))) return false;
  const first = (words[0] ?? '').toLowerCase();
  const last = (words[words.length - 1] ?? '').toLowerCase();
  return FIRST.has(first) || LAST.has(last);
}

/** True when free text contains an email address somewhere (notes, comments, JSON). */
export function containsEmail(value: string): boolean {
  return EMAIL_INSIDE.test(value);
}
