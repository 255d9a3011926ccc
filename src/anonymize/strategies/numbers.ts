/**
 * Numeric strategies.
 *
 * - `number`: multiplicative noise within ±percent, keeping decimal places and
 *   the column's range (integers stay integers). Keyed on the value: equal
 *   amounts stay equal. Zero stays zero, and small integers may not move.
 * - `digits`: SSN-like identifiers; keeps the layout and replaces digits through
 *   a keyed derangement (injective, and never the input). On integer columns
 *   the result has the same number of digits, the same sign, no leading zero,
 *   and stays within the type's range.
 * - `credit_card`: same length and layout, optionally keeping the last 4 and/or
 *   the first digits (issuer); the other digits but one are deranged, and that
 *   one is set so that a Luhn-valid input gives a Luhn-valid output. An invalid
 *   input keeps its distance from validity (the check digit is off by as much
 *   as before), which is what keeps every input distinct from every other, not
 *   only the valid ones: a unique column may hold test numbers.
 */
import { type Prf, top53 } from '../prf.js';
import { derangeDigits } from '../fpe-digits.js';
import { defineBuiltinStrategy } from '../strategy.js';
import { integerBounds, numericModifiers } from '../types.js';
import { digitsOf, luhnSum, withDigits } from './digit-layout.js';
import { scaleNumber, type NumberLimits } from './number-noise.js';
import { withByteMask } from '../byte-mask.js';
import { creditCardByteMask, digitsByteMask, SHORT_TWEAK } from './numbers-bytes.js';

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
  summary: 'keeps layout (and keep_first/keep_last digits), the other digits deranged with a key (injective, never the input)',
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
    return withByteMask(
      (value: string): string => {
        const all = digitsOf(value);
        const n = all.length;
        if (n === 0) return value;
        // As `partial` does: a value with no more digits than are kept is never shown whole.
        if (n <= first + last) return withDigits(value, derangeDigits(all, prf, n | SHORT_TWEAK));
        const middle = derangeDigits(all.slice(first, n - last), prf, n);
        return withDigits(value, all.slice(0, first) + middle + all.slice(n - last));
      },
      digitsByteMask(prf, first, last),
    );
  },
});

/**
 * An integer's digits deranged among integers of the same digit count and sign,
 * within the type's range. A negative value stays negative: its digits never
 * become `0` (PostgreSQL reads `-0` as 0, which would lose the sign and meet
 * the masked image of a non-negative value).
 */
function maskInteger(value: string, prf: Prf, bounds: ReturnType<typeof integerBounds>): string {
  const negative = value.startsWith('-');
  const body = negative || value.startsWith('+') ? value.slice(1) : value;
  if (!/^\d+$/.test(body)) return value;
  const limit = bounds === undefined ? undefined : (negative ? -bounds.min : bounds.max).toString();
  const n = body.length;
  // The walk below ends only on an accepted value; PostgreSQL never writes an
  // integer outside its type, but a hang would be the worst way to find one.
  if (limit !== undefined && (n > limit.length || (n === limit.length && body > limit)))
    throw new Error('the value is outside the range of its integer type');
  // Every domain has at least two members: 0-9 or 1-9 for one digit, and at
  // least 10^(n-1) and 10^(n-1) + 1 below any type's limit for more.
  const accept = (candidate: string): boolean =>
    ((n === 1 && !negative) || candidate.charCodeAt(0) !== 48) && (limit === undefined || n < limit.length || candidate <= limit);
  const masked = derangeDigits(body, prf, n | (negative ? 0x100 : 0), accept);
  return (negative ? '-' : '') + masked;
}

export const creditCard = defineBuiltinStrategy({
  name: 'credit_card',
  summary: 'same length and layout, Luhn-valid when the input is; keep_last4 / keep_first optional; injective',
  acceptsTypes: ['text'],
  injective: true,
  options: (o) => ({
    keep_last4: o.boolean('keep_last4', false),
    keep_first: o.integer('keep_first', 0, { min: 0, max: 6 }),
  }),
  create: ({ options, prf }) =>
    withByteMask(
      (value: string): string => {
        const all = digitsOf(value);
        const n = all.length;
        const first = options.keep_first;
        if (n < 12 || n > 19) {
          // Not a card number (a placeholder, a partial number): derange digits, no Luhn to keep.
          return n === 0 ? value : withDigits(value, derangeDigits(all, prf, n | 0x200));
        }
        if (!options.keep_last4) {
          const offset = luhnOffset(all.slice(0, n - 1), all.charCodeAt(n - 1) - 48);
          const body = all.slice(0, first) + derangeDigits(all.slice(first, n - 1), prf, n);
          return withDigits(value, body + String((luhnCheck(body) + offset) % 10));
        }
        // Keep the last 4 (check digit included); the digit before them restores the Luhn sum.
        const last4 = all.slice(n - 4);
        const tail = luhnSum(last4, 0);
        const offset = (all.charCodeAt(n - 5) - 48 - fixerDigit(all.slice(0, n - 5), tail) + 10) % 10;
        const head = all.slice(0, first) + derangeDigits(all.slice(first, n - 5), prf, n | 0x100);
        return withDigits(value, head + String((fixerDigit(head, tail) + offset) % 10) + last4);
      },
      creditCardByteMask(prf, options.keep_last4, options.keep_first),
    ),
});

/** The check digit that makes `body` + digit Luhn-valid, as a number. */
function luhnCheck(body: string): number {
  return (10 - (luhnSum(body, 1) % 10)) % 10;
}

/** How far `check` is from `body`'s Luhn check digit (0 for a valid number), modulo 10. */
function luhnOffset(body: string, check: number): number {
  return (check - luhnCheck(body) + 10) % 10;
}

/** The digit between `head` and four last digits of Luhn sum `tail` that makes the number valid. */
function fixerDigit(head: string, tail: number): number {
  return (10 - ((luhnSum(head, 5) + tail) % 10)) % 10;
}
