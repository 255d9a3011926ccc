/**
 * Reading a strategy's inline options (`{strategy: hash, length: 12}`) into a
 * typed object, collecting every problem instead of stopping at the first, so
 * that `pgtwin plan` can list them all. Unknown option names are problems too: a
 * misspelt `keep_domian` silently ignored would change what leaves production.
 */
import { didYouMeanSuffix } from '../did-you-mean.js';

/** A strategy's inline options as written in the config, before they are read. */
export type StrategyOptions = Readonly<Record<string, unknown>>;

interface NumberBounds {
  readonly min?: number;
  readonly max?: number;
}

export class OptionReader {
  readonly problems: string[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly raw: StrategyOptions) {}

  has(name: string): boolean {
    this.seen.add(name);
    return Object.hasOwn(this.raw, name) && this.raw[name] !== undefined && this.raw[name] !== null;
  }

  /** The raw value, marked as read (for options with a shape of their own, like json `paths`). */
  value(name: string): unknown {
    this.seen.add(name);
    return this.raw[name];
  }

  string(name: string, fallback: string, options: { nonEmpty?: boolean } = {}): string {
    if (!this.has(name)) return fallback;
    const value = this.raw[name];
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'string') {
      this.problem(name, 'a string');
      return fallback;
    }
    if (options.nonEmpty === true && value === '') {
      this.problems.push(`option \`${name}\` must not be empty`);
      return fallback;
    }
    return value;
  }

  requiredString(name: string): string {
    if (!this.has(name)) {
      this.problems.push(`option \`${name}\` is required`);
      return '';
    }
    return this.string(name, '');
  }

  boolean(name: string, fallback: boolean): boolean {
    if (!this.has(name)) return fallback;
    const value = this.raw[name];
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    this.problem(name, 'true or false');
    return fallback;
  }

  number(name: string, fallback: number, bounds: NumberBounds = {}): number {
    return this.numeric(name, fallback, bounds, false);
  }

  integer(name: string, fallback: number, bounds: NumberBounds = {}): number {
    return this.numeric(name, fallback, bounds, true);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(name, fallback);
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(
      `option \`${name}\` must be one of ${allowed.map((a) => `\`${a}\``).join(', ')}, got \`${value}\`${didYouMeanSuffix(value, allowed)}`,
    );
    return fallback;
  }

  /** Reports every option that no read asked for. Call after reading all options. */
  finish(): void {
    for (const name of Object.keys(this.raw)) {
      if (this.seen.has(name)) continue;
      const known = [...this.seen];
      this.problems.push(
        known.length === 0
          ? `this strategy takes no options, got \`${name}\``
          : `unknown option \`${name}\`${didYouMeanSuffix(name, known)}; known: ${known.map((k) => `\`${k}\``).join(', ')}`,
      );
    }
  }

  private numeric(name: string, fallback: number, bounds: NumberBounds, integer: boolean): number {
    if (!this.has(name)) return fallback;
    const raw = this.raw[name];
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    const kind = integer ? 'an integer' : 'a number';
    if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
      this.problem(name, kind);
      return fallback;
    }
    const { min, max } = bounds;
    if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
      const range =
        min !== undefined && max !== undefined
          ? `between ${min} and ${max}`
          : min !== undefined
            ? `at least ${min}`
            : `at most ${String(max)}`;
      this.problems.push(`option \`${name}\` must be ${kind} ${range}, got ${value}`);
      return fallback;
    }
    return value;
  }

  private problem(name: string, expected: string): void {
    const value = this.raw[name];
    const got = Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'a mapping' : typeof value;
    this.problems.push(`option \`${name}\` must be ${expected}, got ${got}`);
  }
}
