/**
 * The rules `pgtwin scan` suggests for a kind of personal data on a column:
 * built-in strategies only, chosen so that the masked value has the shape of
 * the column's own values (a postal code stays postal-code shaped and fits its
 * `varchar(n)`, a latitude stays a number in range). Each kind gives a list,
 * best first; the scan keeps the first one that passes the sync's plan-time
 * checks on the column (type, length, unique, NOT NULL).
 */
import type { StrategySpec } from '../config/index.js';
import { classifyType, lengthLimit, type TypeFamily } from './types.js';
import { parseAddress } from './strategies/network.js';

/** What a suggestion may depend on: the column's type and a sample of its values. */
export interface RuleContext {
  readonly name: string;
  /** format_type() text. */
  readonly type: string;
  readonly notNull: boolean;
  /** Sampled non-null, non-blank values. */
  readonly values: readonly string[];
}

export interface RuleChoice {
  readonly rules: readonly StrategySpec[];
  /** Why the first rule has its options (`all 59 sampled values have the shape ##### `), when that needs saying. */
  readonly why?: string;
}

const spec = (strategy: string, options: Record<string, unknown> = {}): StrategySpec => ({ strategy, options });

/** `T6G 2C7` -> `?#? #?#`: digits become `#`, letters `?`, the rest stays (the `fake` postcode format). */
export function shapeOf(value: string): string {
  return value.replace(/\p{Nd}/gu, '#').replace(/\p{L}/gu, '?');
}

/** The most frequent shape and its share of the values. */
function dominantShape(values: readonly string[]): { shape: string; count: number } | undefined {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(shapeOf(value.trim()), (counts.get(shapeOf(value.trim())) ?? 0) + 1);
  let best: { shape: string; count: number } | undefined;
  for (const [shape, count] of counts) if (best === undefined || count > best.count) best = { shape, count };
  return best;
}

/**
 * A `fake` rule filling one shape with random digits and letters, when the
 * values mostly share that shape (`share` of them); otherwise `digits`, which
 * keeps every value's own layout and replaces only its digits.
 */
function shaped(values: readonly string[], share: number, what: string): RuleChoice {
  const best = dominantShape(values);
  if (best !== undefined && values.length >= 3 && best.count / values.length >= share && /[#?]/.test(best.shape)) {
    return {
      rules: [spec('fake', { kind: 'postcode', format: best.shape }), spec('digits')],
      why: `${best.count} of ${values.length} sampled values have the ${what} shape \`${best.shape}\``,
    };
  }
  return {
    rules: [spec('digits')],
    why: values.length > 0 ? `sampled values have several shapes: \`digits\` keeps each one's layout` : undefined,
  };
}

/** The text rules for a kind. */
function textRules(kind: string, ctx: RuleContext): RuleChoice {
  const maxLength = lengthLimit(ctx.type);
  const fits = (length: number): boolean => maxLength === undefined || maxLength >= length;
  const hashRule = fits(32) ? spec('hash') : spec('hash', { length: maxLength });
  switch (kind) {
    case 'email':
      return { rules: [spec('email'), spec('email', { domain: 'x.test' }), spec('lorem')] };
    case 'phone':
      return { rules: [spec('phone'), spec('digits')] };
    case 'credit_card':
      return { rules: [spec('credit_card'), spec('digits')] };
    case 'ssn':
    case 'national_id':
    case 'tax_id':
    case 'bank_account':
      return { rules: [spec('digits')] };
    case 'ip': {
      const allAddresses = ctx.values.every((v) => parseAddress(v.trim()) !== undefined);
      return allAddresses
        ? { rules: [spec('ip'), hashRule] }
        : { rules: [hashRule, spec('lorem')], why: 'not every sampled value is an IP address, which `ip` needs' };
    }
    case 'name':
      return { rules: [spec('name'), hashRule] };
    case 'first_name':
      return { rules: [spec('first_name'), hashRule] };
    case 'last_name':
      return { rules: [spec('last_name'), hashRule] };
    case 'company':
      return { rules: [spec('fake', { kind: 'company' }), hashRule] };
    case 'address':
      return { rules: [spec('fake', { kind: 'street_address' }), spec('lorem')] };
    case 'city':
      return { rules: [spec('fake', { kind: 'city' }), spec('lorem')] };
    case 'postcode':
      return shaped(ctx.values, 0.8, 'postal code');
    case 'license_plate':
      return shaped(ctx.values, 0.5, 'plate');
    case 'birth_date':
      return { rules: [spec('digits')], why: 'text dates: `digits` keeps the layout' };
    case 'username':
      if (
        ctx.values.length > 0 &&
        ctx.values.filter((v) => /^[^\s@]+@[^\s@]+\.[A-Za-z]{2,}$/.test(v.trim())).length / ctx.values.length >= 0.5
      ) {
        return { rules: [spec('email'), spec('email', { domain: 'x.test' }), hashRule], why: 'the logins are email addresses' };
      }
      return { rules: [spec('fake', { kind: 'username' }), hashRule] };
    case 'secret':
      return { rules: [hashRule, spec('redact')] };
    case 'url':
      return fits(19)
        ? {
            rules: [spec('regex', { pattern: '^([A-Za-z][A-Za-z0-9+.-]*://)?[\\s\\S]+$', replacement: '$1example.com' }), spec('lorem')],
            why: 'every address becomes example.com (the scheme stays)',
          }
        : { rules: [spec('lorem')] };
    case 'coordinates':
      // Two leading digits stay, so a latitude stays within ±99 and a longitude within its hundreds.
      return {
        rules: [spec('digits', { keep_first: 2 }), spec('lorem')],
        why: 'text coordinates: `digits` keeps the first two digits, so the value stays in range',
      };
    default:
      return { rules: [spec('lorem'), spec('redact')] };
  }
}

/** The largest absolute value among the sampled numbers. */
function largestMagnitude(values: readonly string[]): number | undefined {
  let largest: number | undefined;
  for (const value of values) {
    const n = Math.abs(Number(value));
    if (Number.isFinite(n) && (largest === undefined || n > largest)) largest = n;
  }
  return largest;
}

/**
 * A numeric latitude or longitude: `number` moves it by a keyed factor, with a
 * percentage small enough that the largest sampled value stays within ±90
 * (±180 for a longitude).
 */
function numericCoordinate(ctx: RuleContext): RuleChoice {
  const bound = /\b(?:lng|lon|long|longitude)\b/.test(ctx.name.toLowerCase().replace(/[_\-.]+/g, ' ')) ? 180 : 90;
  const largest = largestMagnitude(ctx.values) ?? bound / 1.01;
  const percent = Math.min(10, Math.floor((bound / Math.max(largest, 1) - 1) * 100));
  const fallback = ctx.notNull ? spec('constant', { value: '0' }) : spec('null');
  if (percent < 1) return { rules: [fallback], why: `sampled values reach ±${bound}, so no multiplier keeps them in range` };
  return {
    rules: [spec('number', { percent }), fallback],
    why: `\`number\` within ${percent}% keeps the sampled values (up to ${largest}) within ±${bound}`,
  };
}

/** Point-like types: a constant the type accepts, when the column needs a value. */
function pointConstant(type: string): string | undefined {
  const lower = type.trim().toLowerCase();
  if (lower === 'point') return '(0,0)';
  const postgis = /^(?:\w+\.)?(geometry|geography)(?:\((\w+)(?:,\s*(\d+))?\))?$/.exec(lower);
  if (postgis === null) return undefined;
  const subtype = postgis[2];
  if (subtype !== undefined && subtype !== 'point' && subtype !== 'geometry') return undefined;
  const srid = postgis[3];
  return srid !== undefined && srid !== '0' ? `SRID=${srid};POINT(0 0)` : 'POINT(0 0)';
}

/** True for `point`, and PostGIS `geometry`/`geography`: types that hold coordinates whatever the column is called. */
export function isPointType(type: string): boolean {
  return /^(?:point|(?:\w+\.)?(?:geometry|geography)(?:\(.*\))?)$/i.test(type.trim());
}

/** Rules for a kind on a column, best first. */
export function ruleChoice(kind: string, ctx: RuleContext): RuleChoice {
  const family: TypeFamily = classifyType(ctx.type);
  const drop = ctx.notNull ? [] : [spec('null')];
  if (kind === 'coordinates') {
    if (family === 'numeric' || family === 'integer') return numericCoordinate(ctx);
    if (family === 'other') {
      const constant = pointConstant(ctx.type);
      return {
        rules: [...drop, ...(constant === undefined ? [] : [spec('constant', { value: constant })])],
        why: ctx.notNull ? 'NOT NULL: every location becomes the same point' : undefined,
      };
    }
  }
  if (
    family === 'integer' &&
    ['phone', 'ssn', 'national_id', 'tax_id', 'credit_card', 'bank_account', 'postcode', 'license_plate'].includes(kind)
  )
    return { rules: [spec('digits')] };
  if (family === 'date' || family === 'timestamp')
    return { rules: [spec(family === 'date' ? 'date' : 'timestamp', { days: kind === 'birth_date' ? 180 : 30 })] };
  if (family === 'inet') return { rules: [spec('ip')] };
  if (family === 'json')
    return {
      rules: [...drop, spec('constant', { value: '{}' })],
      why: 'no path inside the documents looks personal by itself: the whole document goes',
    };
  if (family === 'uuid') return { rules: [spec('uuid')] };
  if (family !== 'text') return { rules: drop };
  return textRules(kind, ctx);
}
