/**
 * From a table's masking rules to the per-column functions the COPY transform
 * (and later the change stream) calls. Everything that can be known before a
 * row moves is checked here, and all problems are reported together:
 * unknown columns and strategies (with suggestions), bad options, a strategy
 * that does not fit the column's type, a non-injective strategy on a unique or
 * referenced column, `null` on a NOT NULL column, templates reading in a cycle.
 *
 * `checkMasks` needs no key, so `pgtwin plan` can run it anywhere;
 * `compileMasks` runs the same checks, then builds the masks with the key.
 */
import type { StrategySpec } from '../config/index.js';
import { didYouMeanSuffix } from '../did-you-mean.js';
import { AnonymizationError, maskFailure, MaskRulesError, type MaskSite } from './errors.js';
import { byteMaskOf, withByteMask } from './byte-mask.js';
import type { MaskingKey } from './key.js';
import { builtinRegistry, StrategyRegistry } from './registry.js';
import type { CompiledStrategy, Strategy } from './strategy.js';
import type { CheckContext, ColumnFacts, ColumnMask, RowReader, RowView, ValueMask } from './strategy-types.js';
import { classifyType, lengthLimit } from './types.js';

export interface MaskColumn {
  readonly name: string;
  /** format_type() text. */
  readonly type: string;
  readonly notNull?: boolean;
}

export interface MaskTable {
  /** The table's display name (`schema.table`), for messages and custom strategies. */
  readonly table: string;
  /** Column sets of the primary key and unique constraints/indexes. */
  readonly uniqueKeys?: readonly (readonly string[])[];
  readonly primaryKey?: readonly string[];
  /** Columns of this table that some foreign key references. */
  readonly referencedColumns?: Iterable<string>;
  /** Built-ins plus custom strategies; default: built-ins only. */
  readonly strategies?: StrategyRegistry;
  /** Or just the custom strategies (from loadCustomStrategies); ignored when `strategies` is given. */
  readonly customStrategies?: readonly Strategy[];
}

const registries = new WeakMap<readonly Strategy[], StrategyRegistry>();

/** The registry a table's rules are resolved in; one per custom-strategy list. */
export function registryOf(table: MaskTable): StrategyRegistry {
  if (table.strategies !== undefined) return table.strategies;
  const custom = table.customStrategies;
  if (custom === undefined || custom.length === 0) return builtinRegistry();
  let registry = registries.get(custom);
  if (registry === undefined) {
    registry = new StrategyRegistry(custom);
    registries.set(custom, registry);
  }
  return registry;
}

export type MaskProblemCode =
  'UNKNOWN_COLUMN' | 'UNKNOWN_STRATEGY' | 'TYPE_MISMATCH' | 'BAD_OPTIONS' | 'NOT_INJECTIVE' | 'NULL_ON_NOT_NULL' | 'READ_CYCLE';

export interface MaskProblem {
  readonly table: string;
  readonly column: string;
  readonly strategy: string;
  readonly code: MaskProblemCode;
  readonly message: string;
}

/** A rule that passed its checks, with what compiling it needs. */
interface CheckedRule {
  readonly index: number;
  readonly facts: ColumnFacts;
  readonly spec: StrategySpec;
  readonly strategy: Strategy;
}

interface CheckResult {
  readonly problems: MaskProblem[];
  readonly rules: CheckedRule[];
  readonly facts: ColumnFacts[];
}

export function columnFacts(columns: readonly MaskColumn[], table: MaskTable): ColumnFacts[] {
  const keys = [...(table.uniqueKeys ?? []), ...(table.primaryKey !== undefined && table.primaryKey.length > 0 ? [table.primaryKey] : [])];
  const referenced = new Set(table.referencedColumns ?? []);
  const pk = new Set(table.primaryKey ?? []);
  return columns.map((c) => ({
    name: c.name,
    type: c.type,
    family: classifyType(c.type),
    maxLength: lengthLimit(c.type),
    notNull: c.notNull === true || pk.has(c.name),
    unique: keys.some((k) => k.includes(c.name)),
    uniqueAlone: keys.some((k) => k.length === 1 && k[0] === c.name),
    referenced: referenced.has(c.name),
  }));
}

/** Facts for a value nested in a json column: plain text, no constraints of its own. */
function nestedFacts(column: ColumnFacts): ColumnFacts {
  return {
    name: column.name,
    type: 'text',
    family: 'text',
    maxLength: undefined,
    notNull: false,
    unique: false,
    uniqueAlone: false,
    referenced: false,
  };
}

function check(rules: ReadonlyMap<string, StrategySpec>, columns: readonly MaskColumn[], table: MaskTable): CheckResult {
  const registry = registryOf(table);
  const facts = columnFacts(columns, table);
  const names = facts.map((f) => f.name);
  const maskedColumns = new Set([...rules.keys()].filter((name) => names.includes(name)));
  const problems: MaskProblem[] = [];
  const checked: CheckedRule[] = [];
  const report = (column: string, strategy: string, code: MaskProblemCode, message: string): void => {
    problems.push({ table: table.table, column, strategy, code, message });
  };

  const checkNested =
    (column: ColumnFacts, columnCtx: Omit<CheckContext, 'column' | 'checkNested'>) =>
    (spec: StrategySpec): string[] => {
      const strategy = registry.get(spec.strategy);
      if (strategy === undefined) return [`unknown strategy \`${spec.strategy}\`${didYouMeanSuffix(spec.strategy, registry.names())}`];
      const ctx: CheckContext = { ...columnCtx, column: nestedFacts(column), checkNested: () => ['strategies cannot be nested twice'] };
      return [...strategy.check(spec.options, ctx).problems];
    };

  for (const [column, spec] of rules) {
    const index = names.indexOf(column);
    const columnFacts = facts[index];
    if (columnFacts === undefined) {
      report(column, spec.strategy, 'UNKNOWN_COLUMN', `no column \`${column}\` in ${table.table}${didYouMeanSuffix(column, names)}`);
      continue;
    }
    const strategy = registry.get(spec.strategy);
    if (strategy === undefined) {
      report(
        column,
        spec.strategy,
        'UNKNOWN_STRATEGY',
        `unknown strategy \`${spec.strategy}\`${didYouMeanSuffix(spec.strategy, registry.names())}; known: ${registry.names().join(', ')}`,
      );
      continue;
    }
    const needsInjective = columnFacts.unique || columnFacts.referenced;
    if (!strategy.accepts(columnFacts.family)) {
      const fits = registry.suggest(columnFacts.family, needsInjective);
      report(
        column,
        spec.strategy,
        'TYPE_MISMATCH',
        `\`${spec.strategy}\` does not fit column ${column} of type ${columnFacts.type}` +
          (fits.length > 0 ? `; strategies that fit: ${fits.join(', ')}` : ''),
      );
      continue;
    }
    const base = { table: table.table, columns: facts, maskedColumns };
    const ctx: CheckContext = { ...base, column: columnFacts, checkNested: checkNested(columnFacts, base) };
    const result = strategy.check(spec.options, ctx);
    for (const message of result.problems) report(column, spec.strategy, 'BAD_OPTIONS', message);
    if (result.problems.length > 0) continue;
    if (needsInjective && !result.injective) {
      const why = [
        columnFacts.unique ? 'unique (a primary key or unique constraint)' : '',
        columnFacts.referenced ? 'referenced by a foreign key' : '',
      ]
        .filter((s) => s !== '')
        .join(' and ');
      report(
        column,
        spec.strategy,
        'NOT_INJECTIVE',
        `${column} is ${why}, and \`${spec.strategy}\` can give two values the same output; use an injective strategy: ${registry.injectiveNames().join(', ')}`,
      );
    }
    if (strategy.producesNull && columnFacts.notNull) {
      report(
        column,
        spec.strategy,
        'NULL_ON_NOT_NULL',
        `${column} is NOT NULL, so \`${spec.strategy}\` cannot be used; strategies that fit: ${registry.suggest(columnFacts.family, needsInjective).join(', ')}`,
      );
    }
    checked.push({ index, facts: columnFacts, spec, strategy });
  }
  problems.push(...readCycles(checked, table.table));
  return { problems, rules: checked, facts };
}

/** Templates (or custom strategies) reading each other in a circle would recurse forever on the first row. */
function readCycles(rules: readonly CheckedRule[], table: string): MaskProblem[] {
  const reads = new Map(rules.map((r) => [r.facts.name, r.strategy.reads(r.spec.options)]));
  const problems: MaskProblem[] = [];
  const reported = new Set<string>();
  for (const rule of rules) {
    const path: string[] = [];
    const visit = (column: string): boolean => {
      if (path.includes(column)) return column === rule.facts.name;
      path.push(column);
      for (const next of reads.get(column) ?? []) if (visit(next)) return true;
      path.pop();
      return false;
    };
    if (visit(rule.facts.name) && !path.some((c) => reported.has(c))) {
      path.forEach((c) => reported.add(c));
      problems.push({
        table,
        column: rule.facts.name,
        strategy: rule.spec.strategy,
        code: 'READ_CYCLE',
        message: `the rules read each other in a cycle: ${[...path, rule.facts.name].join(' -> ')}`,
      });
    }
  }
  return problems;
}

/** Every problem of these rules on this table; empty when they can be compiled. Needs no key. */
export function checkMasks(rules: ReadonlyMap<string, StrategySpec>, columns: readonly MaskColumn[], table: MaskTable): MaskProblem[] {
  return check(rules, columns, table).problems;
}

// A strategy reading masked columns that read masked columns... deeper than
// this is a cycle that plan-time checks could not see (custom strategies).
const MAX_READ_DEPTH = 32;

/** The row as strategies see it: masked columns read back masked. */
class TableRow implements RowReader {
  view: RowView | undefined;
  private depth = 0;
  readonly masks = new Map<number, (value: string | null) => string | null>();

  constructor(
    private readonly indexOf: ReadonlyMap<string, number>,
    private readonly table: string,
  ) {}

  get(column: string): string | null {
    const index = this.indexOf.get(column);
    if (index === undefined) throw new Error(`no column \`${column}\` in ${this.table}`);
    if (this.view === undefined) throw new Error('the row can only be read while a value is being masked');
    const raw = this.view.field(index);
    const mask = this.masks.get(index);
    if (mask === undefined) return raw;
    if (this.depth >= MAX_READ_DEPTH) throw new Error(`masks read each other more than ${MAX_READ_DEPTH} levels deep (a cycle?)`);
    this.depth++;
    try {
      return mask(raw);
    } finally {
      this.depth--;
    }
  }
}

/**
 * The masks of a table's rules, by 0-based column index in `columns` order
 * (the COPY column order). Throws MaskRulesError listing every problem.
 */
export function compileMasks(
  rules: ReadonlyMap<string, StrategySpec>,
  columns: readonly MaskColumn[],
  ctx: MaskTable & { readonly key: MaskingKey },
): Map<number, ColumnMask> {
  const { problems, rules: checked, facts } = check(rules, columns, ctx);
  if (problems.length > 0) throw new MaskRulesError(problems);
  const registry = registryOf(ctx);
  const row = new TableRow(new Map(facts.map((f, i) => [f.name, i])), ctx.table);
  const result = new Map<number, ColumnMask>();

  for (const rule of checked) {
    const site: MaskSite = { table: ctx.table, column: rule.facts.name, strategy: rule.spec.strategy };
    const nested = (spec: StrategySpec): ValueMask => {
      const strategy = registry.get(spec.strategy) as Strategy;
      const compiled = strategy.instantiate(spec.options, { table: ctx.table, column: nestedFacts(rule.facts), key: ctx.key, row, nested });
      return compiled.mask;
    };
    const compiled = rule.strategy.instantiate(rule.spec.options, { table: ctx.table, column: rule.facts, key: ctx.key, row, nested });
    const guarded = guard(compiled, row, site);
    row.masks.set(rule.index, guarded);
    result.set(rule.index, guarded);
  }
  return result;
}

/**
 * NULL handling, result checking and error wrapping around a compiled
 * strategy. Called with the row view by the COPY transform and the change
 * stream; without one by other masks reading this column through `row`
 * (the view is then already set). One closure, not two: this runs per value.
 */
function guard(compiled: CompiledStrategy, row: TableRow, site: MaskSite): (value: string | null, view?: RowView) => string | null {
  const { mask, maskNull } = compiled;
  // The byte path (built-ins only) goes along: the COPY transform calls it for plain non-NULL fields.
  return withByteMask((value: string | null, view?: RowView): string | null => {
    if (view !== undefined) row.view = view;
    let masked: unknown;
    try {
      masked = value === null ? (maskNull === undefined ? null : maskNull(row)) : mask(value, row);
    } catch (err) {
      if (err instanceof AnonymizationError) throw err;
      throw maskFailure(site, err, value);
    }
    if (typeof masked !== 'string' && masked !== null) {
      const what = masked instanceof Promise ? 'a Promise (masks must be synchronous)' : typeof masked;
      throw new AnonymizationError(
        site,
        `strategy \`${site.strategy}\` returned ${what} for ${site.table}.${site.column}; expected a string or null`,
      );
    }
    return masked;
  }, byteMaskOf(mask));
}
