/**
 * Layout-preserving digit replacement shared by phone, digits and credit_card:
 * every non-digit character (spaces, dashes, parentheses, `+`, letters of an
 * extension) stays where it is, and only the ASCII digits are replaced, in
 * order. Distinct inputs with the same layout differ in their digits, and the
 * digit permutations keep them distinct.
 */

/** The ASCII digits of `value`, in order. */
export function digitsOf(value: string): string {
  let digits = '';
  let runStart = -1;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const isDigit = c >= 48 && c <= 57;
    if (isDigit && runStart < 0) runStart = i;
    if (!isDigit && runStart >= 0) {
      digits += value.slice(runStart, i);
      runStart = -1;
    }
  }
  if (runStart >= 0) digits += runStart === 0 ? value : value.slice(runStart);
  return digits;
}

/** `value` with its digits replaced, in order, by those of `digits` (same count). */
export function withDigits(value: string, digits: string): string {
  let out = '';
  let d = 0;
  let copyFrom = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    // Copy the run of digits starting here in one slice.
    let j = i + 1;
    while (j < value.length) {
      const cj = value.charCodeAt(j);
      if (cj < 48 || cj > 57) break;
      j++;
    }
    out += value.slice(copyFrom, i) + digits.slice(d, d + (j - i));
    d += j - i;
    copyFrom = j;
    i = j - 1;
  }
  return copyFrom === 0 ? (d === 0 ? value : out) : out + value.slice(copyFrom);
}

/** Sum of the Luhn weights of `digits`, as if `checkPosition` more digits followed (0: digits end the number). */
export function luhnSum(digits: string, trailing: number): number {
  let sum = 0;
  for (let i = digits.length - 1, pos = trailing; i >= 0; i--, pos++) {
    let d = digits.charCodeAt(i) - 48;
    if ((pos & 1) === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum;
}

/** True when the digit string passes the Luhn check (card numbers, some national ids). */
export function luhnValid(digits: string): boolean {
  return digits.length > 1 && luhnSum(digits, 0) % 10 === 0;
}

/** The check digit that makes `body` + digit Luhn-valid. */
export function luhnCheckDigit(body: string): string {
  return String((10 - (luhnSum(body, 1) % 10)) % 10);
}
