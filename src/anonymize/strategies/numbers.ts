/**
 * Numeric strategies.
 *
 * - `number`: multiplicative noise within ±percent, keeping decimal places and
 *   the column's range (integers stay integers). Keyed on the value: equal
 *   amounts stay equal. Zero stays zero, and small integers may not move.
 * - `digits`: SSN-like identifiers; keeps the layout and replaces digits through
 *   a keyed permutation (injective). On integer columns the result has the same
 *   number of digits, no leading zero, and stays within the type's range.
 * - `credit_card`: same length and layout, Luhn-valid, optionally keeping the
 *   last 4 and/or the first digits (issuer); the other non-check digits are
 *   permuted, so distinct valid card numbers stay distinct.
 */
import { type Prf, top53 } from '../prf.js';
import { permuteDigits, permuteDigitsWithin } from '../fpe-digits.js';
import { defineBuiltinStrategy } from '../strategy.js';
import { integerBounds, numericModifiers } from '../types.js';
import { digitsOf, luhnCheckDigit, luhnSum, withDigits } from './digit-layout.js';
import { scaleNumber, type NumberLimits } from './number-noise.js';
import { withByteMask } from '../byte-mask.js';
import { creditCardByteMask, digitsByteMask } from './numbers-bytes.js';

/** Largest finite and smallest positive (subnormal) values of the float types. */
const FLOAT_RANGE: Readonly<Record<string, { max: number; min: number } | undefined>> = {
  real: { max: 3.4028234663852886e38, min: 1.401298464324817e-45 },
  'double precision': { max: Number.MAX_VALUE, min: Number.MIN_VALUE },
};

export const number = defineBuiltinStrategy({
  name: 'number',
  summary: 'noise within ±percent (default 10), same decimal places, stays in the column type',
  acceptsTypes: ['integer', 'numeric'],
  options: (o) => ({ percent: o.number('percent', 10, { min: 0, max: 100 }) }),
  create: ({ options, prf, column }) => {
    const bounds = integerBounds(column.type);
    const modifiers = numericModifiers(column.type);
    const limits: NumberLimits = {
      maxDigitsBeforePoint: modifiers === undefined ? undefined : modifiers.precision - modifiers.scale,
      integerMin: bounds?.min,
      integerMax: bounds?.max,
    };
    const range = options.percent / 100;
    const float = FLOAT_RANGE[column.type.trim().toLowerCase()];
    return (value) => {
      prf.hash64(value);
      const factor = (top53(prf.out) / 2 ** 53) * 2 * range - range;
      // NaN and Infinity (numeric and floats) come back unchanged.
      const scaled = scaleNumber(value, factor, limits);
      if (float === undefined) return scaled;
      // Floats overflow at their maximum and underflow to zero near their
      // smallest value; PostgreSQL rejects both. Move the other way instead.
      // (Number() only judges the range here; the digits stay text.)
      const magnitude = Math.abs(Number(scaled));
      const outside = magnitude > float.max || (magnitude < float.min && Number(value) !== 0);
      return outside ? scaleNumber(value, -factor, limits) : scaled;
    };
  },
});

export const digits = defineBuiltinStrategy({
  name: 'digits',
  summary: 'keeps layout (and keep_first/keep_last digits), permutes the other digits with a key (injective)',
  acceptsTypes: ['text', 'integer'],
  injective: true,
  options: (o) => ({
    keep_first: o.integer('keep_first', 0, { min: 0, max: 64 }),
    keep_last: o.integer('keep_last', 0, { min: 0, max: 64 }),
  }),
  validateOptions: (options, ctx) =>
    ctx.column.family === 'integer' && (options.keep_first > 0 || options.keep_last > 0)
      ? 'keep_first / keep_last apply to text columns; on an integer column every digit is permuted'
      : undefined,
  create: ({ options, prf, column }) => {
    if (column.family === 'integer') {
      const bounds = integerBounds(column.type);
      return (value) => maskInteger(value, prf, bounds);
    }
    const { keep_first: first, keep_last: last } = options;
    return withByteMask((value: string): string => {
      const all = digitsOf(value);
      if (all.length <= first + last) return value;
      const middle = permuteDigits(all.slice(first, all.length - last), prf, all.length);
      return withDigits(value, all.slice(0, first) + middle + all.slice(all.length - last));
    }, digitsByteMask(prf, first, last));
  },
});

/** An integer's digits permuted among integers of the same digit count and sign, within the type's range. */
function maskInteger(value: string, prf: Prf, bounds: ReturnType<typeof integerBounds>): string {
  const negative = value.startsWith('-');
  const body = negative || value.startsWith('+') ? value.slice(1) : value;
  if (!/^\d+$/.test(body)) return value;
  const limit = bounds === undefined ? undefined : (negative ? -bounds.min : bounds.max).toString();
  const n = body.length;
  const accept = (candidate: string): boolean =>
    (n === 1 || candidate.charCodeAt(0) !== 48) && (limit === undefined || n < limit.length || candidate <= limit);
  const masked = permuteDigitsWithin(body, prf, n | (negative ? 0x100 : 0), accept);
  return (negative ? '-' : '') + masked;
}

export const creditCard = defineBuiltinStrategy({
  name: 'credit_card',
  summary: 'Luhn-valid, same length and layout; keep_last4 / keep_first optional; injective over valid card numbers',
  acceptsTypes: ['text'],
  injective: true,
  options: (o) => ({
    keep_last4: o.boolean('keep_last4', false),
    keep_first: o.integer('keep_first', 0, { min: 0, max: 6 }),
  }),
  create: ({ options, prf }) => withByteMask((value: string): string => {
    const all = digitsOf(value);
    const n = all.length;
    const first = options.keep_first;
    if (n < 12 || n > 19) {
      // Not a card number (a placeholder, a partial number): permute digits, no Luhn to keep.
      return n === 0 ? value : withDigits(value, permuteDigits(all, prf, n | 0x200));
    }
    if (!options.keep_last4) {
      const body = all.slice(0, first) + permuteDigits(all.slice(first, n - 1), prf, n);
      return withDigits(value, body + luhnCheckDigit(body));
    }
    // Keep the last 4 (check digit included); the digit before them restores the Luhn sum.
    const last4 = all.slice(n - 4);
    const head = all.slice(0, first) + permuteDigits(all.slice(first, n - 5), prf, n | 0x100);
    const rest = luhnSum(head, 5) + luhnSum(last4, 0);
    const fixer = String((10 - (rest % 10)) % 10);
    return withDigits(value, head + fixer + last4);
  }, creditCardByteMask(prf, options.keep_last4, options.keep_first)),
});
