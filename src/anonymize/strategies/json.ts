/**
 * `json`: applies strategies at paths of a json/jsonb value:
 *
 *   profile: {strategy: json, paths: {"$.email": email, "$.contact.phone": {strategy: phone}}}
 *
 * A nested rule masks exactly as it would a column (same PRF domain), so an
 * email inside JSON still joins with the same email in a column. Strings are
 * masked as their decoded text; numbers and booleans as their JSON text (a
 * number stays a number when the mask returns one); a named object or array is
 * passed as JSON text and replaced by the resulting string. JSON null stays null.
 * Everything else is copied byte for byte.
 */
import type { StrategySpec } from '../../config/index.js';
import { findJsonPaths, type JsonHit } from '../json-scan.js';
import { parseJsonPath, type PathSegment } from '../json-path.js';
import { defineBuiltinStrategy } from '../strategy.js';
import type { RowReader, ValueMask } from '../strategy-types.js';

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

interface PathRule {
  readonly path: string;
  readonly spec: StrategySpec | undefined;
}

/** `paths` entries as rules; an entry that is not a strategy shape has spec undefined. */
function readRules(value: unknown): PathRule[] | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.entries(value as Record<string, unknown>).map(([path, raw]) => ({ path, spec: toSpec(raw) }));
}

function toSpec(raw: unknown): StrategySpec | undefined {
  if (typeof raw === 'string') return { strategy: raw, options: {} };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const { strategy, ...options } = raw as Record<string, unknown>;
  return typeof strategy === 'string' ? { strategy, options } : undefined;
}

/** True when `text` has a character a JSON string cannot hold as it is (quote, backslash, control, surrogate). */
function needsEscape(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

/** A JSON string token's text; JSON.parse only when it has escapes (most do not). */
function decodeString(token: string): string {
  return token.includes('\\') ? (JSON.parse(token) as string) : token.slice(1, -1);
}

function encodeString(text: string): string {
  return needsEscape(text) ? JSON.stringify(text) : `"${text}"`;
}

function replacement(hit: JsonHit, original: string, mask: ValueMask, row: RowReader): string {
  if (hit.kind === 'null') return original;
  const masked = mask(hit.kind === 'string' ? decodeString(original) : original, row);
  if (masked === null) return 'null';
  if ((hit.kind === 'number' && JSON_NUMBER.test(masked)) || (hit.kind === 'literal' && (masked === 'true' || masked === 'false'))) {
    return masked;
  }
  return encodeString(masked);
}

export const json = defineBuiltinStrategy({
  name: 'json',
  summary: 'applies strategies at JSON paths: `paths: {"$.email": email, "$.items[*].phone": phone}`',
  acceptsTypes: ['json', 'text'],
  options: (o) => {
    const rules = readRules(o.value('paths'));
    if (rules === undefined) o.problems.push('option `paths` is required: a mapping of JSON path -> strategy');
    return { rules: rules ?? [] };
  },
  validateOptions: (options, ctx) => {
    const problems: string[] = [];
    if (options.rules.length === 0) problems.push('option `paths` names no path');
    for (const { path, spec } of options.rules) {
      const parsed = parseJsonPath(path);
      if (typeof parsed === 'string') problems.push(`path ${parsed}`);
      if (spec === undefined) problems.push(`path \`${path}\`: expected a strategy name or {strategy: <name>, ...options}`);
      else if (spec.strategy === 'json') problems.push(`path \`${path}\`: json cannot be nested; list the inner paths instead`);
      else for (const problem of ctx.checkNested(spec)) problems.push(`path \`${path}\`: ${problem}`);
    }
    return problems;
  },
  // The nested rules' own domains decide their outputs; json itself draws no PRF bits.
  create: ({ options, nested }) => {
    const paths: PathSegment[][] = [];
    const masks: ValueMask[] = [];
    for (const { path, spec } of options.rules) {
      paths.push(parseJsonPath(path) as PathSegment[]);
      masks.push(nested(spec as StrategySpec));
    }
    return (value, row) => {
      const hits = findJsonPaths(value, paths);
      if (hits.length === 0) return value;
      let out = '';
      let last = 0;
      for (const hit of hits) {
        out += value.slice(last, hit.start) + replacement(hit, value.slice(hit.start, hit.end), masks[hit.path] as ValueMask, row);
        last = hit.end;
      }
      return out + value.slice(last);
    };
  },
});
