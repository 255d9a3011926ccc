/**
 * The strategies a rule can name: the built-in ones plus those a custom module
 * defines. A custom strategy may replace a built-in of the same name (Confiture
 * users register their own `credit_card`); `overridden` lists those so the CLI
 * can say so, because a security review must know which code masks a column.
 */
import { didYouMean } from '../did-you-mean.js';
import { UsageError } from '../errors.js';
import { rebuildStrategy, type Strategy } from './strategy.js';
import { keep, nullStrategy } from './strategies/basic.js';
import { date, timestamp } from './strategies/dates.js';
import { email } from './strategies/email.js';
import { fake } from './strategies/fake.js';
import { hash, uuid } from './strategies/identifiers.js';
import { json } from './strategies/json.js';
import { firstName, fullName, fullNameAlias, lastName } from './strategies/names.js';
import { ip } from './strategies/network.js';
import { creditCard, digits, number } from './strategies/numbers.js';
import { phone } from './strategies/phone.js';
import { template } from './strategies/template.js';
import { constant, lorem, partial, redact, regex } from './strategies/text.js';
import type { TypeFamily } from './types.js';

export const BUILTIN_STRATEGIES: readonly Strategy[] = [
  email,
  phone,
  fullName,
  fullNameAlias,
  firstName,
  lastName,
  fake,
  redact,
  hash,
  nullStrategy,
  creditCard,
  digits,
  partial,
  regex,
  ip,
  date,
  timestamp,
  number,
  uuid,
  json,
  lorem,
  template,
  constant,
  keep,
];

/** What to suggest for a column of each family when the configured strategy does not fit (injective ones first). */
const SUGGESTIONS: Readonly<Record<TypeFamily, readonly string[]>> = {
  text: ['hash', 'redact', 'lorem', 'fake'],
  integer: ['digits', 'number', 'constant'],
  numeric: ['number', 'constant'],
  boolean: ['constant', 'keep'],
  date: ['date', 'timestamp'],
  timestamp: ['timestamp', 'date'],
  time: ['constant', 'null'],
  interval: ['constant', 'null'],
  inet: ['ip'],
  uuid: ['uuid'],
  json: ['json', 'constant'],
  bytea: ['constant', 'null'],
  array: ['constant', 'null'],
  other: ['constant', 'null', 'keep', 'a custom strategy'],
};

/** When the built-ins whose injectivity depends on their options are injective. */
const DEPENDS_NOTES: Readonly<Record<string, string>> = {
  hash: 'length ≥ 32',
  ip: 'on inet and cidr columns',
  template: 'reading one unmasked, unique, NOT NULL column',
};

export class StrategyRegistry {
  private readonly byName = new Map<string, Strategy>();
  /** Built-in names that a custom strategy replaced. */
  readonly overridden: readonly string[];

  constructor(custom: readonly Strategy[] = []) {
    for (const strategy of BUILTIN_STRATEGIES) this.byName.set(strategy.name, strategy);
    const overridden: string[] = [];
    const seen = new Set<string>();
    for (const strategy of custom) {
      if (seen.has(strategy.name)) throw new UsageError('STRATEGY_DEFINED_TWICE', `custom strategy \`${strategy.name}\` is defined twice`);
      seen.add(strategy.name);
      if (this.byName.has(strategy.name)) overridden.push(strategy.name);
      this.byName.set(strategy.name, rebuildStrategy(strategy));
    }
    this.overridden = overridden;
  }

  get(name: string): Strategy | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  all(): Strategy[] {
    return [...this.byName.values()];
  }

  didYouMean(name: string): string | undefined {
    return didYouMean(name, this.byName.keys());
  }

  /** Strategies that fit a family, injective ones first when `injective` is asked for. */
  suggest(family: TypeFamily, injective: boolean): string[] {
    const fitting = SUGGESTIONS[family].filter((name) => {
      const strategy = this.byName.get(name);
      return strategy === undefined ? name.includes(' ') : strategy.accepts(family);
    });
    if (!injective) return fitting;
    return this.all()
      .filter((s) => s.injectivity !== 'no' && s.accepts(family) && s.name !== 'keep')
      .map((s) => s.name);
  }

  /** Names of strategies that can be injective, for the "needs an injective strategy" message. */
  injectiveNames(): string[] {
    return this.all()
      .filter((s) => s.injectivity !== 'no')
      .map((s) =>
        s.injectivity === 'depends'
          ? `${s.name} (${(BUILTIN_STRATEGIES.includes(s) ? DEPENDS_NOTES[s.name] : undefined) ?? 'with suitable options'})`
          : s.name,
      )
      .sort();
  }
}

let builtins: StrategyRegistry | undefined;

/** The registry of built-in strategies only. */
export function builtinRegistry(): StrategyRegistry {
  builtins ??= new StrategyRegistry();
  return builtins;
}
