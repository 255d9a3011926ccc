/**
 * `phone`: keeps the layout (spaces, dashes, parentheses, extension text), the
 * international prefix with its country code, and a national trunk `0`, and
 * replaces the other digits through a keyed derangement of digit strings (see
 * fpe-digits.ts), so that distinct numbers stay distinct, no number masks to
 * itself, and the same number masks the same way in every table. The same
 * digits written in two layouts mask to the same digits. A value whose digits
 * are all kept (a bare `+44`) has nothing to replace and is copied.
 *
 * Why the cycle walk: how many digits are kept is read from the value itself
 * (`+1 …` keeps one, `+353…` three, `0…` one). If an output could read as a
 * different prefix than its input (a national number masked to start with
 * `00`), two inputs could meet on one output. Walking the derangement until the
 * output has the input's prefix keeps the mapping a bijection within each
 * prefix class, still without a fixed point (each class of a given length
 * holds at least nine digit strings).
 */
import { derangeDigits } from '../fpe-digits.js';
import { defineBuiltinStrategy } from '../strategy.js';
import { digitsOf, withDigits } from './digit-layout.js';
import { withByteMask } from '../byte-mask.js';
import { phoneByteMask, shortCodeTable } from './phone-bytes.js';

/** ITU country calling codes of one and two digits; all others have three. */
const SHORT_CODES = new Set([
  '1',
  '7',
  '20',
  '27',
  '30',
  '31',
  '32',
  '33',
  '34',
  '36',
  '39',
  '40',
  '41',
  '43',
  '44',
  '45',
  '46',
  '47',
  '48',
  '49',
  '51',
  '52',
  '53',
  '54',
  '55',
  '56',
  '57',
  '58',
  '60',
  '61',
  '62',
  '63',
  '64',
  '65',
  '66',
  '81',
  '82',
  '84',
  '86',
  '90',
  '91',
  '92',
  '93',
  '94',
  '95',
  '98',
]);

const SHORT_CODE_TABLE = shortCodeTable(SHORT_CODES);

const CODE_GROUP = /^\s*(?:\+|00)\s*(\d{1,3})(?=\D)/;

/** Whether the value starts (after blanks) with `+` or `00`: an international number. */
function isInternational(value: string): boolean {
  let i = 0;
  while (i < value.length && (value.charCodeAt(i) === 32 || value.charCodeAt(i) === 9)) i++;
  return value.charCodeAt(i) === 43 || value.startsWith('00', i);
}

/**
 * How many leading digits of a phone number are kept: `00` plus the country
 * code of an international number, 1 for a national trunk `0`, else 0.
 */
export function keptPrefixLength(value: string, digits: string): number {
  if (!isInternational(value)) return digits.charCodeAt(0) === 48 && digits.length > 1 ? 1 : 0;
  const intl = value.trimStart().startsWith('00') ? 2 : 0;
  // Written with a separator after the code (`+44 20 …`): the first group is the code.
  const group = CODE_GROUP.exec(value);
  if (group?.[1] !== undefined) return Math.min(digits.length, intl + group[1].length);
  const rest = digits.slice(intl);
  for (const length of [1, 2]) if (SHORT_CODES.has(rest.slice(0, length))) return intl + length;
  return intl + Math.min(3, rest.length);
}

export const phone = defineBuiltinStrategy({
  name: 'phone',
  summary: 'keeps layout, country code and trunk 0; other digits deranged with a key (injective, never the input)',
  acceptsTypes: ['text'],
  injective: true,
  options: (o) => ({ keep_country_code: o.boolean('keep_country_code', true) }),
  create: ({ options, prf }) =>
    withByteMask(
      (value: string): string => {
        const digits = digitsOf(value);
        if (digits.length === 0) return value;
        if (!options.keep_country_code) return withDigits(value, derangeDigits(digits, prf, 0));
        const kept = keptPrefixLength(value, digits);
        const head = digits.slice(0, kept);
        // An international number keeps its class by construction (its kept
        // digits and layout decide it); a national one could gain or lose a
        // leading 0 and read as another class.
        const accept = isInternational(value)
          ? undefined
          : (rest: string): boolean => keptPrefixLength(withDigits(value, head + rest), head + rest) === kept;
        return withDigits(value, head + derangeDigits(digits.slice(kept), prf, kept, accept));
      },
      phoneByteMask(prf, options.keep_country_code, SHORT_CODE_TABLE),
    ),
});
