/**
 * The byte path of `phone` (see phone.ts for what the mask does and why): the
 * same steps on the field's ASCII bytes, with the digits kept as codes in a
 * scratch array, so a phone number costs no string. Non-ASCII fields (whose
 * blanks the string path reads with JavaScript's Unicode `\s`) and numbers
 * with more than one FPE chunk of digits to permute are declined and take the
 * string path.
 */
import { DECLINED, maskOutput, putBytes, type ByteMask } from '../byte-mask.js';
import { derangeDigitCodes } from '../fpe-digits.js';
import type { Prf } from '../prf.js';
import { digitCodesOf, isDigit, writeLayout } from './digit-layout-bytes.js';

const PLUS = 43;
const ZERO = 48;

/** ITU country calling codes of one and two digits (phone.ts's SHORT_CODES), as numbers. */
export function shortCodeTable(codes: ReadonlySet<string>): Uint8Array {
  // Index: a one-digit code d at 100 + d; a two-digit code at its value.
  const table = new Uint8Array(110);
  for (const code of codes) table[code.length === 1 ? 100 + Number(code) : Number(code)] = 1;
  return table;
}

/** JavaScript's `\s` and trim() blanks among ASCII: TAB, LF, VT, FF, CR, space. */
function isBlank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** phone.ts's isInternational: after spaces and TABs only, a `+` or `00`. */
function isInternational(b: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end && (b[i] === 32 || b[i] === 9)) i++;
  return (i < end && b[i] === PLUS) || (i + 1 < end && b[i] === ZERO && b[i + 1] === ZERO);
}

/**
 * phone.ts's keptPrefixLength, for the layout b[start, end) whose digits are
 * digits[0, count). The regular expression there, /^\s*(?:\+|00)\s*(\d{1,3})(?=\D)/,
 * matches exactly when the first run of digits after the prefix has 1 to 3
 * digits and something follows it.
 */
function keptPrefixLength(b: Uint8Array, start: number, end: number, digits: Uint8Array, count: number, short: Uint8Array): number {
  if (!isInternational(b, start, end)) return digits[0] === ZERO && count > 1 ? 1 : 0;
  let i = start;
  while (i < end && isBlank(b[i] as number)) i++;
  const intl = i + 1 < end && b[i] === ZERO && b[i + 1] === ZERO ? 2 : 0;
  i += b[i] === PLUS ? 1 : 2;
  while (i < end && isBlank(b[i] as number)) i++;
  let run = 0;
  while (i + run < end && isDigit(b[i + run] as number)) run++;
  if (run >= 1 && run <= 3 && i + run < end) return Math.min(count, intl + run);
  const rest = count - intl;
  if (rest >= 1 && short[100 + (digits[intl] as number) - ZERO] === 1) return intl + 1;
  if (rest >= 2 && short[((digits[intl] as number) - ZERO) * 10 + (digits[intl + 1] as number) - ZERO] === 1) return intl + 2;
  return intl + Math.min(3, rest);
}

export function phoneByteMask(prf: Prf, keepCountryCode: boolean, short: Uint8Array): ByteMask {
  return (src, start, end, ascii) => {
    if (!ascii) return DECLINED;
    const length = end - start;
    const { codes: digits, count } = digitCodesOf(src, start, end);
    const out = maskOutput.reserve(length);
    if (count === 0) return putBytes(out, 0, src, start, end);
    if (!keepCountryCode) {
      if (!derangeDigitCodes(digits, 0, count, prf, 0)) return DECLINED;
      writeLayout(src, start, end, digits, out);
      return length;
    }
    const kept = keptPrefixLength(src, start, end, digits, count, short);
    // The national cycle walk of phone.ts: walk on until the output reads as the input's class.
    const accept = isInternational(src, start, end)
      ? undefined
      : (): boolean => {
          writeLayout(src, start, end, digits, out);
          return keptPrefixLength(out, 0, length, digits, count, short) === kept;
        };
    if (!derangeDigitCodes(digits, kept, count, prf, kept, accept)) return DECLINED;
    writeLayout(src, start, end, digits, out);
    return length;
  };
}
