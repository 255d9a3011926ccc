/**
 * Typed readers over the untrusted, parsed tree. Each one either returns a value of
 * the expected type or reports a problem and returns undefined, so validation keeps
 * going and collects every problem. Messages name types, never values.
 */

import { didYouMeanSuffix } from '../did-you-mean.js';
import { isRecord, pathKey, type ExpandTreeResult } from './expand.js';
import { keyElsewhere } from './key-sections.js';
import type { Path, Reporter } from './problems.js';
import { isSecretKeyName, SECRET_IN_FILE } from './secrets.js';

export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (isRecord(value)) return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'bigint') return 'an integer';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'true/false';
  return 'an unsupported value';
}

export type KeyHandler = (value: unknown, path: Path) => void;

/**
 * ` (did you mean ...?)` for an unknown key: the same key in another section
 * first (`jobs` at the top level is `options.jobs`), then a typo of a key of
 * this mapping, then a typo of a key of another section.
 */
function unknownKeyHint(key: string, path: Path, known: readonly string[]): string {
  const normalized = key.toLowerCase().replaceAll('-', '_');
  const exactElsewhere = keyElsewhere(key, path);
  if (exactElsewhere !== undefined && exactElsewhere.split('.').at(-1) === normalized) return ` (did you mean \`${exactElsewhere}\`?)`;
  const here = didYouMeanSuffix(key, known);
  if (here !== '') return here;
  return exactElsewhere === undefined ? '' : ` (did you mean \`${exactElsewhere}\`?)`;
}

export class Reader {
  /** Strings produced by `${...}`: they may stand for numbers and booleans. */
  private readonly substituted: ReadonlySet<string>;
  /** Strings whose expansion failed: already reported, so the readers stay silent about them. */
  private readonly failed: ReadonlySet<string>;

  constructor(
    readonly report: Reporter,
    expansion: Pick<ExpandTreeResult, 'substituted' | 'failed'>,
  ) {
    this.substituted = expansion.substituted;
    this.failed = expansion.failed;
  }

  /**
   * Dispatches each key of a mapping with a fixed set of keys to its handler, in
   * file order. Unknown keys are problems with a suggestion; secret-looking keys
   * get their own message, because the answer there is not a spelling fix.
   */
  keys(record: Record<string, unknown>, path: Path, handlers: Readonly<Record<string, KeyHandler>>): void {
    const known = Object.keys(handlers);
    for (const [key, value] of Object.entries(record)) {
      const keyPath = [...path, key];
      const handler = Object.hasOwn(handlers, key) ? handlers[key] : undefined;
      if (handler !== undefined) handler(value, keyPath);
      else if (isSecretKeyName(key)) this.report.problem(keyPath, SECRET_IN_FILE, 'key');
      else this.report.problem(keyPath, `unknown key${unknownKeyHint(key, path, known)}`, 'key');
    }
  }

  record(value: unknown, path: Path, expected = 'a mapping'): Record<string, unknown> | undefined {
    if (isRecord(value)) return value;
    if (this.alreadyReported(path)) return undefined;
    this.report.problem(path, `expected ${expected}, got ${typeName(value)}`);
    return undefined;
  }

  string(value: unknown, path: Path, expected = 'a string'): string | undefined {
    if (this.alreadyReported(path)) return undefined;
    if (typeof value !== 'string') {
      this.report.problem(path, `expected ${expected}, got ${typeName(value)}`);
      return undefined;
    }
    if (value.trim() === '') {
      this.report.problem(path, `must not be empty${this.substituted.has(pathKey(path)) ? ' (after ${...} expansion)' : ''}`);
      return undefined;
    }
    return value;
  }

  boolean(value: unknown, path: Path): boolean | undefined {
    if (this.alreadyReported(path)) return undefined;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && this.substituted.has(pathKey(path))) {
      const lowered = value.trim().toLowerCase();
      if (lowered === 'true' || lowered === 'false') return lowered === 'true';
    }
    // YAML 1.2 reads yes/no/on/off as strings; say so, as YAML 1.1 habits are common.
    const hint = typeof value === 'string' ? ' (write true or false; yes/no/on/off are strings in YAML 1.2)' : '';
    this.report.problem(path, `expected true or false, got ${typeName(value)}${hint}`);
    return undefined;
  }

  positiveInteger(value: unknown, path: Path): number | undefined {
    return this.integer(value, path, 1, 'a positive integer');
  }

  nonNegativeInteger(value: unknown, path: Path): number | undefined {
    return this.integer(value, path, 0, 'a non-negative integer');
  }

  /** A list of non-empty strings (table names, globs, columns). */
  stringList(value: unknown, path: Path, itemName: string): string[] | undefined {
    if (!Array.isArray(value)) {
      if (this.alreadyReported(path)) return undefined;
      this.report.problem(path, `expected a list of ${itemName}s, got ${typeName(value)}`);
      return undefined;
    }
    const items: string[] = [];
    value.forEach((item: unknown, index) => {
      const text = this.string(item, [...path, index], `a ${itemName}`);
      if (text !== undefined) items.push(text);
    });
    return items;
  }

  private alreadyReported(path: Path): boolean {
    return this.failed.has(pathKey(path));
  }

  private integer(value: unknown, path: Path, min: number, expected: string): number | undefined {
    if (this.alreadyReported(path)) return undefined;
    let number: unknown = value;
    if (typeof value === 'bigint') number = Number(value);
    if (typeof value === 'string' && this.substituted.has(pathKey(path)) && /^\s*-?\d+\s*$/.test(value)) number = Number(value);
    if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
      this.report.problem(path, `expected ${expected}, got ${typeName(value)}`);
      return undefined;
    }
    if (number < min) {
      this.report.problem(path, `expected ${expected}, got ${number}`);
      return undefined;
    }
    return number;
  }
}
