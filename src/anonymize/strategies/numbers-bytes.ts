/**
 * Byte paths of `digits` (on text columns) and `credit_card`: numbers.ts's
 * steps on the digit codes of the field, written back into its layout. Digit
 * strings longer than one FPE chunk (24 digits) are declined to the string
 * path, whose chained mode hashes strings.
 */
import { DECLINED, maskOutput, putBytes, type ByteMask } from '../byte-mask.js';
import { permuteDigitCodes } from '../fpe-digits.js';
import type { Prf } from '../prf.js';
import { digitCodesOf, luhnSumOfCodes, writeLayout } from './digit-layout-bytes.js';

/** `digits` with keep_first / keep_last on a text column. */
export function digitsByteMask(prf: Prf, first: number, last: number): ByteMask {
  return (src, start, end) => {
    const { codes, count } = digitCodesOf(src, start, end);
    const length = end - start;
    const out = maskOutput.reserve(length);
    if (count <= first + last) return putBytes(out, 0, src, start, end);
    if (!permuteDigitCodes(codes, first, count - last, prf, count)) return DECLINED;
    writeLayout(src, start, end, codes, out);
    return length;
  };
}

/** `credit_card` with keep_last4 / keep_first. */
export function creditCardByteMask(prf: Prf, keepLast4: boolean, first: number): ByteMask {
  return (src, start, end) => {
    const { codes, count: n } = digitCodesOf(src, start, end);
    const length = end - start;
    const out = maskOutput.reserve(length);
    if (n < 12 || n > 19) {
      // Not a card number: every digit permuted, no Luhn to keep.
      if (n === 0) return putBytes(out, 0, src, start, end);
      if (!permuteDigitCodes(codes, 0, n, prf, n | 0x200)) return DECLINED;
    } else if (!keepLast4) {
      permuteDigitCodes(codes, first, n - 1, prf, n);
      codes[n - 1] = 48 + ((10 - (luhnSumOfCodes(codes, 0, n - 1, 1) % 10)) % 10);
    } else {
      // The last 4 stay (check digit included); the digit before them restores the Luhn sum.
      permuteDigitCodes(codes, first, n - 5, prf, n | 0x100);
      const rest = luhnSumOfCodes(codes, 0, n - 5, 5) + luhnSumOfCodes(codes, n - 4, n, 0);
      codes[n - 5] = 48 + ((10 - (rest % 10)) % 10);
    }
    writeLayout(src, start, end, codes, out);
    return length;
  };
}
