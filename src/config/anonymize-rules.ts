/**
 * `anonymize:` — table -> column -> strategy. A strategy is a name or
 * `{strategy: name, ...options}`; Confiture's list form
 * `table: [{column: x, strategy: y, ...options}]` is read too. Only the SHAPE is
 * checked here: whether a strategy name exists and its options fit is decided by
 * the masking engine, which knows the registered strategies.
 */

import { claim, type Ctx } from './draft.js';
import { didYouMean } from '../did-you-mean.js';
import { isRecord } from './expand.js';
import type { Path } from './problems.js';
import { typeName } from './read.js';
import { isSecretKeyName, SECRET_IN_FILE } from './secrets.js';
import type { StrategySpec } from './settings.js';

const SHAPE = 'a strategy name or {strategy: <name>, ...options}';

export function readAnonymize(ctx: Ctx, value: unknown, at: Path): void {
  if (!claim(ctx, 'anonymize', at)) return;
  const tables = ctx.read.record(value, at, 'a mapping of table -> column -> strategy');
  if (tables === undefined) return;
  for (const [table, raw] of Object.entries(tables)) {
    const tablePath = [...at, table];
    if (table.trim() === '') ctx.read.report.problem(tablePath, 'table names must not be empty', 'key');
    const columns = Array.isArray(raw) ? readListForm(ctx, raw, tablePath) : readMapForm(ctx, raw, tablePath);
    if (columns !== undefined) ctx.draft.anonymize.set(table, columns);
  }
}

function readMapForm(ctx: Ctx, value: unknown, at: Path): Map<string, StrategySpec> | undefined {
  const columns = ctx.read.record(value, at, 'a mapping of column -> strategy, or a list of {column, strategy}');
  if (columns === undefined) return undefined;
  const rules = new Map<string, StrategySpec>();
  for (const [column, raw] of Object.entries(columns)) {
    const columnPath = [...at, column];
    if (column.trim() === '') ctx.read.report.problem(columnPath, 'column names must not be empty', 'key');
    const spec = readStrategy(ctx, raw, columnPath);
    if (spec !== undefined) rules.set(column, spec);
  }
  return rules;
}

/** Confiture's `[{column: email, strategy: email}, ...]`. */
function readListForm(ctx: Ctx, items: readonly unknown[], at: Path): Map<string, StrategySpec> {
  const rules = new Map<string, StrategySpec>();
  items.forEach((item: unknown, index) => {
    const itemPath = [...at, index];
    const record = ctx.read.record(item, itemPath, 'a mapping with `column` and `strategy`');
    if (record === undefined) return;
    const { column: rawColumn, ...rest } = record;
    let column: string | undefined;
    if (Object.hasOwn(record, 'column')) column = ctx.read.string(rawColumn, [...itemPath, 'column'], 'a column name');
    else ctx.read.report.problem(itemPath, 'missing `column`');
    const spec = readStrategyRecord(ctx, rest, itemPath);
    if (column === undefined || spec === undefined) return;
    if (rules.has(column)) ctx.read.report.problem([...itemPath, 'column'], 'this column already has a rule in this list');
    else rules.set(column, spec);
  });
  return rules;
}

export function readStrategy(ctx: Ctx, value: unknown, at: Path): StrategySpec | undefined {
  if (typeof value === 'string') {
    const name = ctx.read.string(value, at, 'a strategy name');
    return name === undefined ? undefined : { strategy: name, options: {} };
  }
  if (isRecord(value)) return readStrategyRecord(ctx, value, at);
  // `password_hash: null` in YAML is no value at all, not the strategy `null`.
  const hint = value === null ? ' (for the `null` strategy, quote it: "null")' : '';
  ctx.read.report.problem(at, `expected ${SHAPE}, got ${typeName(value)}${hint}`);
  return undefined;
}

function readStrategyRecord(ctx: Ctx, record: Record<string, unknown>, at: Path): StrategySpec | undefined {
  const keys = Object.keys(record);
  if (!Object.hasOwn(record, 'strategy')) {
    // `{stratgy: email}` should point at the typo, not only say the key is missing.
    const typo = keys.find((key) => didYouMean(key, ['strategy']) !== undefined);
    const hint = typo === undefined ? '' : ` (is \`${typo}\` meant to be \`strategy\`?)`;
    ctx.read.report.problem(at, `missing \`strategy\`: expected ${SHAPE}${hint}`);
    return undefined;
  }
  const name = ctx.read.string(record['strategy'], [...at, 'strategy'], 'a strategy name');
  let secretFound = false;
  const options: [string, unknown][] = [];
  for (const key of keys) {
    if (key === 'strategy') continue;
    if (isSecretKeyName(key)) {
      ctx.read.report.problem([...at, key], SECRET_IN_FILE, 'key');
      secretFound = true;
    } else {
      options.push([key, record[key]]);
    }
  }
  if (name === undefined || secretFound) return undefined;
  // fromEntries defines `__proto__` as a plain key rather than a prototype.
  return { strategy: name, options: Object.fromEntries(options) };
}
