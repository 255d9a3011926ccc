/**
 * `${VAR}` / `${VAR:-default}` expansion of string values, with `$$` for a literal
 * dollar. Expansion happens on the parsed tree (never on the file text) so a
 * variable's value can never change the structure of the file, and every problem
 * is reported against the key path of the string that contained it.
 */

import type { Path } from './problems.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ExpandedString {
  readonly value: string;
  /** True when at least one `${...}` was substituted. */
  readonly substituted: boolean;
  /** Variables that are not set and have no default. */
  readonly missing: readonly string[];
  /** Malformed references; the text is not echoed because it may sit inside a URL. */
  readonly malformed: number;
  readonly unterminated: boolean;
}

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

export function expandString(input: string, env: Env): ExpandedString {
  let value = '';
  let substituted = false;
  let malformed = 0;
  let unterminated = false;
  const missing: string[] = [];
  let i = 0;
  while (i < input.length) {
    const char = input[i];
    const next = input[i + 1];
    if (char !== '$' || (next !== '$' && next !== '{')) {
      // A lone `$` (as in `pa$word` or `$1`) is kept as written.
      value += char;
      i += 1;
      continue;
    }
    if (next === '$') {
      value += '$';
      i += 2;
      continue;
    }
    const close = input.indexOf('}', i + 2);
    if (close === -1) {
      unterminated = true;
      value += input.slice(i);
      break;
    }
    const match = REFERENCE.exec(input.slice(i + 2, close));
    i = close + 1;
    if (match === null) {
      malformed += 1;
      continue;
    }
    const name = match[1] ?? '';
    const fallback = match[2];
    const current = env[name];
    substituted = true;
    // Shell semantics: `:-` also replaces a variable that is set but empty.
    if (current !== undefined && (fallback === undefined || current !== '')) value += current;
    else if (fallback !== undefined) value += fallback;
    else if (!missing.includes(name)) missing.push(name);
  }
  return { value, substituted, missing, malformed, unterminated };
}

export interface ExpandTreeResult {
  readonly data: unknown;
  /** Path keys (see pathKey) of strings that came from `${...}`, which may be read as numbers or booleans. */
  readonly substituted: ReadonlySet<string>;
  /** Path keys of strings whose expansion failed (already reported; further checks would only add noise). */
  readonly failed: ReadonlySet<string>;
}

export type ExpandProblem = (path: Path, message: string) => void;

/** A stable key for a path, for the `substituted` set. */
export function pathKey(path: Path): string {
  return JSON.stringify(path);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === '[object Object]';
}

/**
 * Returns a copy of the tree with every string expanded. Objects are rebuilt with
 * Object.fromEntries, which defines `__proto__` as an ordinary key instead of
 * changing the prototype.
 */
export function expandTree(data: unknown, env: Env, problem: ExpandProblem): ExpandTreeResult {
  const substituted = new Set<string>();
  const failed = new Set<string>();
  const walk = (value: unknown, path: Path): unknown => {
    if (typeof value === 'string') {
      const result = expandString(value, env);
      if (result.substituted) substituted.add(pathKey(path));
      if (reportExpansion(result, path, problem)) failed.add(pathKey(path));
      return result.value;
    }
    if (Array.isArray(value)) return value.map((item: unknown, index) => walk(item, [...path, index]));
    if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k])]));
    return value;
  };
  return { data: walk(data, []), substituted, failed };
}

/** Reports what went wrong; true when something did. */
function reportExpansion(result: ExpandedString, path: Path, problem: ExpandProblem): boolean {
  if (result.missing.length > 0) {
    const names = result.missing.map((name) => `\`${name}\``).join(', ');
    const first = result.missing[0] ?? '';
    problem(
      path,
      `environment variable${result.missing.length > 1 ? 's' : ''} ${names} ${result.missing.length > 1 ? 'are' : 'is'} not set ` +
        `(set ${result.missing.length > 1 ? 'them' : 'it'}, or give a default: \${${first}:-value})`,
    );
  }
  if (result.malformed > 0) {
    problem(path, 'malformed `${...}` reference: write ${NAME} or ${NAME:-default}, and $$ for a literal $');
  }
  if (result.unterminated) problem(path, '`${` without a closing `}`: write $$ for a literal $');
  return result.missing.length > 0 || result.malformed > 0 || result.unterminated;
}
