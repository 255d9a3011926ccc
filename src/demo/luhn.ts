/** The Luhn checksum of payment card numbers: the demo's cards must pass the checks real card columns get. */

/** The digit that makes `partial` + digit Luhn-valid. */
export function luhnCheckDigit(partial: string): number {
  let sum = 0;
  // Counting from the right of the finished number, the check digit is position 1,
  // so the last digit of `partial` is position 2 and gets doubled.
  for (let i = 0; i < partial.length; i++) {
    let digit = partial.charCodeAt(partial.length - 1 - i) - 48;
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

export function isLuhnValid(number: string): boolean {
  const digits = number.replace(/[\s-]/g, '');
  if (!/^\d{2,}$/.test(digits)) return false;
  return luhnCheckDigit(digits.slice(0, -1)) === Number(digits.at(-1));
}
