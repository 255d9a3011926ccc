/**
 * `fake`: realistic values of a `kind` from built-in lists, chosen by the keyed
 * PRF (so a value always fakes the same way). Not injective: a few hundred
 * names cannot keep a million people apart. Output longer than a varchar(n)
 * column is cut to fit, since no fake value has a format to protect.
 */
import type { Prf } from '../prf.js';
import { defineBuiltinStrategy } from '../strategy.js';
import { FIRST_NAMES, LAST_NAMES } from './data/names.js';
import { CITIES, COMPANY_SUFFIXES, COMPANY_WORDS, COUNTRIES, STREET_NAMES, STREET_SUFFIXES } from './data/places.js';
import { SeededStream } from './stream.js';
import { withByteMask } from '../byte-mask.js';
import { fakeByteMask } from './fake-bytes.js';
import { FAKE_KINDS, type FakeKind } from './fake-kinds.js';

function pick(items: readonly string[], word: number): string {
  return items[word % items.length] as string;
}

/** ASCII lowercase letters of a name (accents dropped), for usernames. */
function asciiLetters(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}

/** Replaces `#` with a digit and `?` with an uppercase letter. */
function fillPattern(pattern: string, out: Uint32Array): string {
  const stream = new SeededStream(out);
  let text = '';
  for (const ch of pattern) {
    if (ch === '#') text += String(stream.below(10));
    else if (ch === '?') text += String.fromCharCode(65 + stream.below(26));
    else text += ch;
  }
  return text;
}

export function fakeValue(kind: FakeKind, out: Uint32Array, postcodeFormat: string): string {
  const w0 = out[0] as number;
  const w1 = out[1] as number;
  const w2 = out[2] as number;
  const w3 = out[3] as number;
  switch (kind) {
    case 'name':
    case 'full_name':
      return `${pick(FIRST_NAMES, w0)} ${pick(LAST_NAMES, w1)}`;
    case 'first_name':
      return pick(FIRST_NAMES, w0);
    case 'last_name':
      return pick(LAST_NAMES, w1);
    case 'company':
      switch (w2 % 3) {
        case 0:
          return `${pick(COMPANY_WORDS, w0)} ${pick(COMPANY_SUFFIXES, w1)}`;
        case 1:
          return `${pick(LAST_NAMES, w0)} & ${pick(LAST_NAMES, w1)}`;
        default:
          return `${pick(LAST_NAMES, w0)} ${pick(COMPANY_SUFFIXES, w1)}`;
      }
    case 'city':
      return pick(CITIES, w0);
    case 'country':
      return pick(COUNTRIES, w0);
    case 'street_address':
      return `${(w0 % 9999) + 1} ${pick(STREET_NAMES, w1)} ${pick(STREET_SUFFIXES, w2)}`;
    case 'postcode':
      return fillPattern(postcodeFormat, out);
    case 'username':
      return `${asciiLetters(pick(FIRST_NAMES, w0)).charAt(0)}${asciiLetters(pick(LAST_NAMES, w1))}${w3 % 1000}`;
  }
}

/** Cuts `text` to at most `max` code points (undefined: no limit). */
export function fitLength(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text;
  return Array.from(text).slice(0, max).join('');
}

/** Tries before a value that fakes to itself is left as it is (lists of one, or a 1-in-N^8 chance). */
const SELF_MAP_TRIES = 8;

/**
 * A value never fakes to itself when another draw can avoid it: with a few
 * hundred cities, one row in a few hundred would otherwise keep its own city,
 * which a reviewer (and `pgtwin verify --leaks`) rightly calls a leak. The
 * redraw is keyed by the value, so it stays deterministic.
 */
export function makeFake(kind: FakeKind, prf: Prf, maxLength: number | undefined, postcodeFormat = '#####'): (value: string) => string {
  return withByteMask(
    (value: string): string => {
      let input = value;
      let faked = '';
      for (let attempt = 0; attempt < SELF_MAP_TRIES; attempt++) {
        prf.hash128(input);
        faked = fitLength(fakeValue(kind, prf.out, postcodeFormat), maxLength);
        if (faked !== value) return faked;
        input = `${value}\u0000${attempt + 1}`;
      }
      return faked;
    },
    fakeByteMask(kind, prf, maxLength),
  );
}

/** `fake` reads its kind and options; the name strategies are fixed kinds of it. */
export const fake = defineBuiltinStrategy({
  name: 'fake',
  summary: `realistic value of \`kind\` (${FAKE_KINDS.join(', ')}); not injective`,
  acceptsTypes: ['text'],
  options: (o) => {
    const kind = o.oneOf('kind', FAKE_KINDS, 'name');
    if (!o.has('kind')) o.problems.push(`option \`kind\` is required: one of ${FAKE_KINDS.join(', ')}`);
    const format = kind === 'postcode' ? o.string('format', '#####', { nonEmpty: true }) : undefined;
    return { kind, format };
  },
  create: ({ options, prf, column }) => makeFake(options.kind, prf, column.maxLength, options.format),
});
