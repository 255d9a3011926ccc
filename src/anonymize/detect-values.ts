/**
 * What a single text value looks like, for `pgtwin scan`. Each test is cheap
 * and conservative: a scan reports columns for a human to review, and a false
 * alarm costs a glance while a miss can leak.
 */
import { FIRST_NAMES, LAST_NAMES } from './strategies/data/names.js';
import { digitsOf, luhnValid } from './strategies/digit-layout.js';
import { parseAddress } from './strategies/network.js';

export type ValueKind =
  'email' | 'phone' | 'credit_card' | 'ssn' | 'ip' | 'name' | 'address' | 'date' | 'iban' | 'nino' | 'url' | 'company';

const EMAIL = /^[^\s@]+@[^\s@]+\.[A-Za-z]{2,}$/;
const EMAIL_INSIDE = /[^\s@<>(),;:"']+@[^\s@<>(),;:"']+\.[A-Za-z]{2,}/;
const PHONE = /^\+?[\d\s().\-/]{7,22}(?:\s*(?:x|ext\.?)\s*\d{1,6})?$/i;
// A phone number inside text: a leading + or ( or digit, 7 to 15 digits with the usual separators.
const PHONE_INSIDE = /(?:^|[^\w.+-])(\+?\(?\d[\d ().-]{5,20}\d)(?![\w.-]*\d)/g;
const SSN = /^\d{3}-\d{2}-\d{4}$/;
const CARD = /^\d[\d -]{11,22}\d$/;
const DATE = /^\d{4}-\d{2}-\d{2}(?:[ T]|$)/;
const STREET =
  /^\d{1,6}[a-z]?,?\s+(?:[\p{L}'.-]+\s+){0,4}(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|terrace|square|sq|parkway|pkwy|highway|hwy)\.?\b/iu;
const STREET_EU =
  /^[\p{L}'.-]+(?:\s+[\p{L}'.-]+){0,3}(?:straße|strasse|str\.|weg|gasse|platz|laan|straat|rue|via|calle|avenida)?\s+\d{1,5}[a-z]?(?:,|$)/iu;
const IBAN = /^[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}$/;
const NINO = /^(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]$/;
const URL = /^(?:[a-z][a-z0-9+.-]*:\/\/|www\.)[^\s]+$/i;
const COMPANY_SUFFIX =
  /\s(?:inc|ltd|llc|llp|plc|gmbh|ag|sa|s\.a|s\.a\.s|bv|b\.v|nv|n\.v|srl|s\.r\.l|s\.r\.o|sarl|sas|kg|gbr|oy|ab|a\/s|as|pty|co|corp|corporation|company|limited|group|holdings?|s\.p\.a|spa|ltda|kk|k\.k)\.?$/i;

const FIRST = new Set(FIRST_NAMES.map((n) => n.toLowerCase()));
const LAST = new Set(LAST_NAMES.map((n) => n.toLowerCase()));
/** First names that are also everyday capitalised words in running text. */
const COMMON_WORDS = new Set([
  'mark',
  'grace',
  'rose',
  'frank',
  'jack',
  'amber',
  'madison',
  'jordan',
  'austin',
  'christian',
  'victoria',
  'virginia',
  'carmen',
  'aurora',
  'will',
  'willie',
  'bill',
  'billy',
  'joy',
  'hope',
  'sun',
  'jun',
  'li',
  'lin',
  'ren',
  'ana',
  'ann',
  'jan',
  'mio',
  'hao',
  'yan',
  'wei',
  'mei',
  'min-jun',
  'an',
]);

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
  if (IBAN.test(text) && ibanValid(text)) kinds.push('iban');
  if (NINO.test(text.toUpperCase()) && /^[A-Z]/.test(text)) kinds.push('nino');
  if (URL.test(text)) kinds.push('url');
  if (COMPANY_SUFFIX.test(text) && /\s/.test(text)) kinds.push('company');
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

/** ISO 13616: the rearranged digits are 1 modulo 97. */
function ibanValid(text: string): boolean {
  const compact = text.replace(/ /g, '');
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = /\d/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
    for (const digit of code) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/** True when free text contains an email address somewhere (notes, comments, JSON). */
export function containsEmail(value: string): boolean {
  return EMAIL_INSIDE.test(value);
}

/** True when free text contains something dialable: 7 to 15 digits written as a phone number, not a date or an amount. */
export function containsPhone(value: string): boolean {
  for (const match of value.matchAll(PHONE_INSIDE)) {
    const candidate = match[1] ?? '';
    const count = digitsOf(candidate).length;
    if (count < 7 || count > 15 || DATE.test(candidate) || /^\d+(?:\.\d+)?$/.test(candidate)) continue;
    if (/[ ().-]/.test(candidate) || candidate.startsWith('+')) return true;
  }
  return false;
}

/**
 * True when running text names a person: a first name from the built-in lists
 * that is not also an everyday word, or a capitalised first and last name.
 * Checked on longer text (notes, comments) only, where a lone capitalised
 * first name is rarely anything else.
 */
export function containsPersonName(value: string): boolean {
  const words = value.split(/[^\p{L}'’-]+/u).filter((w) => w !== '');
  for (const [i, word] of words.entries()) {
    if (!/^\p{Lu}\p{Ll}/u.test(word)) continue;
    const lower = word.toLowerCase();
    if (FIRST.has(lower) && !COMMON_WORDS.has(lower)) return true;
    const next = words[i + 1];
    if (FIRST.has(lower) && next !== undefined && /^\p{Lu}\p{Ll}/u.test(next) && LAST.has(next.toLowerCase())) return true;
  }
  return false;
}

/** True when a URL's path points at someone: a handle (`/@ada`, `/~ada`, `/in/ada`, `/users/ada`) or a profile on a social site. */
export function urlNamesSomeone(value: string): boolean {
  const text = value.trim();
  if (!URL.test(text) && !/^[\w.-]+\.[a-z]{2,}\//i.test(text)) return false;
  if (/\/(?:@|~)[\w.-]+/.test(text)) return true;
  if (/\/(?:in|u|user|users|profile|profiles|people|member|members|author|authors)\/[\w.-]+/i.test(text)) return true;
  return /(?:^|\/\/|\.)(?:twitter|x|facebook|instagram|linkedin|github|gitlab|tiktok|youtube|mastodon\.social|medium|reddit|pinterest|flickr|vimeo|soundcloud|twitch)\.com\/[\w.-]+/i.test(
    text,
  );
}
