/**
 * Byte paths of `digits` (on text columns) and `credit_card`: numbers.ts's
 * steps on the digit codes of the field, written back into its layout. Digit
 * strings longer than one FPE chunk (24 digits) are declined to the string
 * path, whose chained mode hashes strings.
 */
import { DECLINED, maskOutput, putBytes, type ByteMask } from '../byte-mask.js';
import { derangeDigitCodes } from '../fpe-digits.js';
import type { Prf } from '../prf.js';
import { digitCodesOf, luhnSumOfCodes, writeLayout } from './digit-layout-bytes.js';

/** Tweak flag of `digits` values that have no more digits than keep_first + keep_last. */
export const SHORT_TWEAK = 0x400;

/** `digits` with keep_first / keep_last on a text column. */
export function digitsByteMask(prf: Prf, first: number, last: number): ByteMask {
  return (src, start, end) => {
    const { codes, count } = digitCodesOf(src, start, end);
    const length = end - start;
    const out = maskOutput.reserve(length);
    if (count === 0) return putBytes(out, 0, src, start, end);
    const deranged =
      count <= first + last
        ? derangeDigitCodes(codes, 0, count, prf, count | SHORT_TWEAK)
        : derangeDigitCodes(codes, first, count - last, prf, count);
    if (!deranged) return DECLINED;
    writeLayout(src, start, end, codes, out);
    return length;
  };
}

/** The Luhn check digit of codes[0, to) followed by one digit. */
function checkDigitOf(codes: Uint8Array, to: number): number {
  return (10 - (luhnSumOfCodes(codes, 0, to, 1) % 10)) % 10;
}

/** The digit at codes[n - 5] that makes codes[0, n) Luhn-valid, given the last four. */
function fixerDigitOf(codes: Uint8Array, n: number): number {
  return (10 - ((luhnSumOfCodes(codes, 0, n - 5, 5) + luhnSumOfCodes(codes, n - 4, n, 0)) % 10)) % 10;
}

/** `credit_card` with keep_last4 / keep_first. */
export function creditCardByteMask(prf: Prf, keepLast4: boolean, first: number): ByteMask {
  return (src, start, end) => {
    const { codes, count: n } = digitCodesOf(src, start, end);
    const length = end - start;
    const out = maskOutput.reserve(length);
    if (n < 12 || n > 19) {
      // Not a card number: every digit deranged, no Luhn to keep.
      if (n === 0) return putBytes(out, 0, src, start, end);
      if (!derangeDigitCodes(codes, 0, n, prf, n | 0x200)) return DECLINED;
    } else if (!keepLast4) {
      // An invalid number stays as far from valid as it was (see numbers.ts).
      const offset = ((codes[n - 1] as number) - 48 - checkDigitOf(codes, n - 1) + 10) % 10;
      derangeDigitCodes(codes, first, n - 1, prf, n);
      codes[n - 1] = 48 + ((checkDigitOf(codes, n - 1) + offset) % 10);
    } else {
      // The last 4 stay (check digit included); the digit before them restores the Luhn sum.
      const offset = ((codes[n - 5] as number) - 48 - fixerDigitOf(codes, n) + 10) % 10;
      derangeDigitCodes(codes, first, n - 5, prf, n | 0x100);
      codes[n - 5] = 48 + ((fixerDigitOf(codes, n) + offset) % 10);
    }
    writeLayout(src, start, end, codes, out);
    return length;
  };
}
