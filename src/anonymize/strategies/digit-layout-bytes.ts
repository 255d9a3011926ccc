/**
 * digit-layout.ts for byte masks: the ASCII digits of a field, read into a
 * scratch array of digit codes, and the field's layout written back with
 * replaced digits. Digits are ASCII, and no byte of a multi-byte UTF-8
 * sequence is one, so this works on any well-formed UTF-8 field, as
 * digitsOf and withDigits do on its string.
 */

const scratch = { codes: new Uint8Array(64) };
/** digitCodesOf's answer, one object reused for every call. */
const found = { codes: scratch.codes, count: 0 };

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The digit codes of src[start, end) in order, in a scratch array (valid until the next call); their count in `count`. */
export function digitCodesOf(src: Uint8Array, start: number, end: number): { readonly codes: Uint8Array; readonly count: number } {
  if (scratch.codes.length < end - start) scratch.codes = new Uint8Array((end - start) * 2);
  const codes = scratch.codes;
  let count = 0;
  for (let i = start; i < end; i++) {
    const c = src[i] as number;
    if (isDigit(c)) codes[count++] = c;
  }
  found.codes = codes;
  found.count = count;
  return found;
}

/** out[0, end - start) = the layout of src[start, end) with its digits replaced, in order, by codes[]. */
export function writeLayout(src: Uint8Array, start: number, end: number, codes: Uint8Array, out: Uint8Array): void {
  let d = 0;
  for (let i = start, o = 0; i < end; i++, o++) {
    const c = src[i] as number;
    out[o] = isDigit(c) ? (codes[d++] as number) : c;
  }
}

/** digit-layout.ts's luhnSum over codes[from, to). */
export function luhnSumOfCodes(codes: Uint8Array, from: number, to: number, trailing: number): number {
  let sum = 0;
  for (let i = to - 1, pos = trailing; i >= from; i--, pos++) {
    let d = (codes[i] as number) - 48;
    if ((pos & 1) === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum;
}
