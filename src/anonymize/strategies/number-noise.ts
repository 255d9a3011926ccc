/**
 * Decimal arithmetic for `number`: scales the digits of a PostgreSQL numeric,
 * integer or float text by a factor, keeping the number of decimal places and
 * any exponent, without parsing the value into a double (numeric(20,6) has
 * more digits than a double holds). Up to 15 digits the product is computed in
 * doubles (exact inputs, deterministic IEEE rounding); beyond, in BigInt.
 */

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?([eE][+-]?\d+)?$/;
const SAFE_DIGITS = 15;

export interface NumberLimits {
  /** Largest magnitude allowed, as a plain digit string with the value's decimal places; undefined: none. */
  readonly maxDigitsBeforePoint: number | undefined;
  /** For integer types: bounds as BigInt. */
  readonly integerMin: bigint | undefined;
  readonly integerMax: bigint | undefined;
}

/**
 * `value` times (1 + factor), rounded to the value's own decimal places.
 * Returns the value unchanged when it is not a plain number (NaN, Infinity).
 */
export function scaleNumber(value: string, factor: number, limits: NumberLimits): string {
  const match = NUMBER.exec(value.trim());
  if (match === null) return value;
  const sign = match[1] === '-' ? '-' : '';
  const intPart = match[2] ?? '';
  const fracPart = match[3] ?? '';
  const exponent = match[4] ?? '';
  if (intPart === '' && fracPart === '') return value;
  const scale = fracPart.length;
  const digits = (intPart + fracPart).replace(/^0+(?=\d)/, '');

  let scaled: string;
  if (digits.length <= SAFE_DIGITS) {
    scaled = String(Math.round(Number(digits) * (1 + factor)));
  } else {
    // factor in parts per billion: ample resolution for a noise of a few percent.
    const ppb = BigInt(Math.round(factor * 1e9));
    const m = BigInt(digits);
    const delta = m * ppb;
    const half = delta >= 0n ? 500000000n : -500000000n;
    scaled = (m + (delta + half) / 1000000000n).toString();
  }
  scaled = clampDigits(scaled, scale, sign, limits);
  return sign + placePoint(scaled, scale) + exponent;
}

/** Inserts the decimal point `scale` digits from the right, padding with zeros as needed. */
function placePoint(digits: string, scale: number): string {
  if (scale === 0) return digits;
  const padded = digits.length <= scale ? '0'.repeat(scale - digits.length + 1) + digits : digits;
  return `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
}

/** Keeps a result inside numeric(p,s) or the integer type's range, at its edge when noise pushed it out. */
function clampDigits(digits: string, scale: number, sign: string, limits: NumberLimits): string {
  const { maxDigitsBeforePoint, integerMin, integerMax } = limits;
  if (maxDigitsBeforePoint !== undefined && digits.length - scale > maxDigitsBeforePoint) {
    return '9'.repeat(maxDigitsBeforePoint + scale);
  }
  if (integerMax !== undefined && integerMin !== undefined && scale === 0) {
    const n = BigInt(sign + digits);
    if (n > integerMax) return integerMax.toString();
    if (n < integerMin) return (-integerMin).toString();
  }
  return digits;
}
