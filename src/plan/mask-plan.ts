/**
 * The masking side of the plan: which rule masks which copied column of which
 * selected table. Rules are written per table name or glob; a `fake` rule
 * without a kind gets the kind its column's name, type and values point at; a
 * column that references a masked column inherits its rule so foreign keys
 * still hold, except a `constant` on a foreign-key column (every row owned by
 * one account), which is kept and whose value is checked against the twin's
 * referenced rows (check-owners.ts); every rule is checked against the column
 * it lands on (type, injectivity, NOT NULL), and strict mode demands a
 * decision for every copied column. All problems are gathered and raised
 * together, before anything is written.
 */
import type { StrategySpec } from '../config/index.js';
import type { TableCatalog, TableInfo } from '../catalog/index.js';
import { displayName, type QualifiedName } from '../pg/ident.js';
import {
  checkMasks,
  checkStrict,
  inheritForeignKeyRules,
  MaskRulesError,
  type ForeignKeyLink,
  type StrategyRegistry,
} from '../anonymize/index.js';
import { closestMatches } from './closest-matches.js';
import { inferKinds } from './infer-fake-kind.js';
import { ownerConstants, type OwnerCheck } from './owner-constants.js';

export type { OwnerCheck } from './owner-constants.js';
import { compilePattern, specificity, type TablePattern } from './table-patterns.js';

export interface TableMasking {
  /** Every rule of the table (inherited ones included), `keep` rules too. */
  readonly rules: ReadonlyMap<string, StrategySpec>;
  /** Copied columns whose values the copy rewrites (rules other than `keep`). */
  readonly maskedColumns: readonly string[];
  /** `column <- parent.column` for rules inherited through foreign keys. */
  readonly inherited: readonly string[];
  /** column -> why its `fake` rule got the kind it has (rules written without `kind`). */
  readonly inferredKinds: ReadonlyMap<string, string>;
  /** `constant` rules on foreign-key columns: the value must exist in the referenced rows of the twin. */
  readonly owners: readonly OwnerCheck[];
}

/** Sampled values of columns whose `fake` rule names no kind: table key -> column -> values. */
export type FakeSamples = ReadonlyMap<string, ReadonlyMap<string, readonly (string | null)[]>>;

export interface MaskingInput {
  readonly anonymize: ReadonlyMap<string, ReadonlyMap<string, StrategySpec>>;
  readonly keep: ReadonlyMap<string, readonly string[]>;
  readonly strict: boolean;
  readonly registry: StrategyRegistry;
  /** Values to infer `fake` kinds from; without them, names and types decide. */
  readonly samples?: FakeSamples;
}

export interface PlannedTable {
  readonly key: string;
  readonly source: TableInfo;
  /** Copied columns, in COPY order. */
  readonly columns: readonly string[];
}

const NO_MASKING: TableMasking = { rules: new Map(), maskedColumns: [], inherited: [], inferredKinds: new Map(), owners: [] };

/** Masking of each planned table (by key); throws MaskRulesError listing every problem. */
export function planMasking(input: MaskingInput, source: TableCatalog, tables: readonly PlannedTable[]): Map<string, TableMasking> {
  const problems: { table: string; column: string; message: string }[] = [];
  const byKey = new Map(tables.map((t) => [t.key, t]));
  const owner = ownerOf(source, byKey);

  const written = new Map<string, Map<string, StrategySpec>>();
  const inferred = new Map<string, Map<string, string>>();
  for (const table of tables) {
    const rules = rulesFor(input.anonymize, table.source);
    problems.push(...inferKinds(table, rules, input.samples?.get(table.key), inferred));
    if (rules.size > 0) written.set(table.key, rules);
  }
  problems.push(...unmatchedPatterns(input.anonymize, source, 'anonymize'), ...unmatchedPatterns(input.keep, source, 'keep'));

  // Ownership remaps are taken out before inheritance (which would refuse them
  // or replace them with the parent's rule) and put back after it.
  const pinned = ownerConstants(source, owner, written);
  for (const pin of pinned) written.get(pin.table)?.delete(pin.column);
  const links = foreignKeyLinks(source, owner);
  const inheritance = inheritForeignKeyRules(written, links, input.registry);
  problems.push(...inheritance.problems);
  const owners: OwnerCheck[] = [];
  for (const pin of pinned) {
    const rules = inheritance.rules.get(pin.table) ?? new Map<string, StrategySpec>();
    rules.set(pin.column, pin.rule);
    inheritance.rules.set(pin.table, rules);
    const referencedRule = pin.copiedAs === undefined ? undefined : inheritance.rules.get(pin.copiedAs)?.get(pin.referencedColumn);
    owners.push({ ...pin.check, referencedRule: referencedRule?.strategy === 'keep' ? undefined : referencedRule });
  }
  const inheritedList = inheritance.inherited.filter((i) => !pinned.some((p) => p.table === i.table && p.column === i.column));

  const referenced = new Map<string, Set<string>>();
  for (const link of links) {
    const set = referenced.get(link.referencedTable) ?? new Set<string>();
    link.referencedColumns.forEach((c) => set.add(c));
    referenced.set(link.referencedTable, set);
  }

  const result = new Map<string, TableMasking>();
  for (const table of tables) {
    const rules = inheritance.rules.get(table.key) ?? new Map<string, StrategySpec>();
    const columns = table.columns.map((name) => {
      const info = table.source.columns.find((c) => c.name === name);
      return { name, type: info?.type ?? 'text', notNull: info?.notNull ?? false };
    });
    const copied = new Set(table.columns);
    // A rule on a column that is not copied (generated on the target, or absent
    // there) has nothing to mask; checkMasks would call it unknown otherwise.
    const applicable = new Map([...rules].filter(([column]) => copied.has(column) || !table.source.columns.some((c) => c.name === column)));
    problems.push(
      ...checkMasks(applicable, columns, {
        table: table.key,
        primaryKey: table.source.primaryKey,
        uniqueKeys: table.source.uniqueKeys,
        referencedColumns: referenced.get(table.key) ?? [],
        strategies: input.registry,
      }),
    );
    if (input.strict) problems.push(...checkStrict(table.key, columns, applicable, keptColumns(input.keep, table.source, copied)));
    const inherited = inheritedList.filter((i) => i.table === table.key).map((i) => `${i.column} <- ${i.from}`);
    const maskedColumns = table.columns.filter((c) => {
      const rule = applicable.get(c);
      return rule !== undefined && rule.strategy !== 'keep';
    });
    const inferredKinds = inferred.get(table.key) ?? new Map<string, string>();
    const tableOwners = owners.filter((o) => o.table === table.key && copied.has(o.column));
    result.set(
      table.key,
      applicable.size === 0 ? NO_MASKING : { rules: applicable, maskedColumns, inherited, inferredKinds, owners: tableOwners },
    );
  }
  if (problems.length > 0) throw new MaskRulesError(problems);
  return result;
}

/**
 * Rules of every pattern that matches the table, the more specific pattern
 * winning column by column (`users.email` over `*.email`-style globs).
 */
export function rulesFor(
  anonymize: ReadonlyMap<string, ReadonlyMap<string, StrategySpec>>,
  table: QualifiedName,
): Map<string, StrategySpec> {
  const matching = [...anonymize]
    .map(([text, rules]) => ({ pattern: compilePattern(text), rules }))
    .filter((m) => m.pattern.matches(table))
    .sort((a, b) => specificity(a.pattern) - specificity(b.pattern));
  const merged = new Map<string, StrategySpec>();
  for (const m of matching) for (const [column, spec] of m.rules) merged.set(column, spec);
  return merged;
}

/**
 * `keep:` columns of the table. Under a glob, only the columns the table has
 * count (a glob names columns that some matching tables lack); an exact name
 * is checked column by column by checkStrict.
 */
function keptColumns(keep: ReadonlyMap<string, readonly string[]>, table: TableInfo, copied: ReadonlySet<string>): string[] {
  const result = new Set<string>();
  for (const [text, columns] of keep) {
    const pattern: TablePattern = compilePattern(text);
    if (!pattern.matches(table)) continue;
    for (const column of columns) {
      if (pattern.glob && !copied.has(column)) continue;
      // A column the target computes or lacks is not copied: nothing to review.
      if (!copied.has(column) && table.columns.some((c) => c.name === column)) continue;
      result.add(column);
    }
  }
  return [...result];
}

/** A rule for a table that does not exist is a typo until proven otherwise. */
function unmatchedPatterns(
  section: ReadonlyMap<string, unknown>,
  source: TableCatalog,
  name: string,
): { table: string; column: string; message: string }[] {
  const names = [...source.tables.keys()];
  const problems: { table: string; column: string; message: string }[] = [];
  for (const text of section.keys()) {
    const pattern = compilePattern(text);
    if (pattern.glob || [...source.tables.values()].some((t) => pattern.matches(t))) continue;
    const near = closestMatches(text, names);
    problems.push({
      table: text,
      column: '*',
      message: `\`${name}:\` names a table that does not exist on the source${near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : ''}`,
    });
  }
  return problems;
}

/** The selected table (key) that holds a source table's rows: itself, or its partition root. */
function ownerOf(source: TableCatalog, planned: ReadonlyMap<string, PlannedTable>): (table: QualifiedName) => string | undefined {
  return (table) => {
    const key = displayName(table);
    if (planned.has(key)) return key;
    const root = source.tables.get(key)?.partitionRoot;
    const rootKey = root === undefined ? undefined : displayName(root);
    return rootKey !== undefined && planned.has(rootKey) ? rootKey : undefined;
  };
}

function foreignKeyLinks(source: TableCatalog, owner: (table: QualifiedName) => string | undefined): ForeignKeyLink[] {
  const links: ForeignKeyLink[] = [];
  for (const fk of source.foreignKeys) {
    if (fk.inherited) continue;
    const table = owner(fk.table);
    const referencedTable = owner(fk.referencedTable);
    if (table === undefined || referencedTable === undefined) continue;
    links.push({ table, columns: fk.columns, referencedTable, referencedColumns: fk.referencedColumns });
  }
  return links;
}
