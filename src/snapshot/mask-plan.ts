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
import type { StrategySpec } from '../config/settings.js';
import type { Catalog, TableInfo } from '../pg/catalog.js';
import { displayName, type QualifiedName } from '../pg/ident.js';
import { checkMasks, checkStrict, inheritForeignKeyRules, MaskRulesError, type ForeignKeyLink, type StrategyRegistry } from '../anonymize/index.js';
import { closestMatches } from './closest-matches.js';
import { detectPii } from '../anonymize/detect.js';
import { classifyType } from '../anonymize/types.js';
import { FAKE_KINDS } from '../anonymize/strategies/fake.js';
import { inferFakeKind, lacksKind } from './infer-fake-kind.js';
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

/** A constant foreign-key value (an ownership remap) to look for in the referenced table. */
export interface OwnerCheck {
  /** The referencing table (plan key) and column. */
  readonly table: string;
  readonly column: string;
  /** The constant, in PostgreSQL's text form. */
  readonly value: string;
  readonly referencedTable: QualifiedName;
  readonly referencedColumn: string;
  /** The plan key of the referenced table when it is copied too; undefined when the target's rows stay as they are. */
  readonly copiedAs: string | undefined;
  /** The rule that masks the referenced column as it is copied (undefined: copied as it is). */
  readonly referencedRule: StrategySpec | undefined;
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
export function planMasking(input: MaskingInput, source: Catalog, tables: readonly PlannedTable[]): Map<string, TableMasking> {
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
    result.set(table.key, applicable.size === 0 ? NO_MASKING : { rules: applicable, maskedColumns, inherited, inferredKinds, owners: tableOwners });
  }
  if (problems.length > 0) throw new MaskRulesError(problems);
  return result;
}

/**
 * Rules of every pattern that matches the table, the more specific pattern
 * winning column by column (`users.email` over `*.email`-style globs).
 */
export function rulesFor(anonymize: ReadonlyMap<string, ReadonlyMap<string, StrategySpec>>, table: QualifiedName): Map<string, StrategySpec> {
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
function unmatchedPatterns(section: ReadonlyMap<string, unknown>, source: Catalog, name: string): { table: string; column: string; message: string }[] {
  const names = [...source.tables.keys()];
  const problems: { table: string; column: string; message: string }[] = [];
  for (const text of section.keys()) {
    const pattern = compilePattern(text);
    if (pattern.glob || [...source.tables.values()].some((t) => pattern.matches(t))) continue;
    const near = closestMatches(text, names);
    problems.push({ table: text, column: '*', message: `\`${name}:\` names a table that does not exist on the source${near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : ''}` });
  }
  return problems;
}

/** The selected table (key) that holds a source table's rows: itself, or its partition root. */
function ownerOf(source: Catalog, planned: ReadonlyMap<string, PlannedTable>): (table: QualifiedName) => string | undefined {
  return (table) => {
    const key = displayName(table);
    if (planned.has(key)) return key;
    const root = source.tables.get(key)?.partitionRoot;
    const rootKey = root === undefined ? undefined : displayName(root);
    return rootKey !== undefined && planned.has(rootKey) ? rootKey : undefined;
  };
}

function foreignKeyLinks(source: Catalog, owner: (table: QualifiedName) => string | undefined): ForeignKeyLink[] {
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

/**
 * Gives each `fake` rule without a `kind` the kind inferred for its column
 * (the rule in `rules` is replaced) and records why; a rule whose kind cannot
 * be inferred is a problem that lists the kinds.
 */
function inferKinds(
  table: PlannedTable,
  rules: Map<string, StrategySpec>,
  samples: ReadonlyMap<string, readonly (string | null)[]> | undefined,
  inferred: Map<string, Map<string, string>>,
): { table: string; column: string; message: string }[] {
  const problems: { table: string; column: string; message: string }[] = [];
  for (const [column, spec] of rules) {
    if (!lacksKind(spec)) continue;
    const info = table.source.columns.find((c) => c.name === column);
    // An unknown column is reported by checkMasks; a non-text one for its type.
    if (info === undefined) continue;
    const sample = { name: column, type: info.type, values: samples?.get(column) ?? [] };
    const kind = inferFakeKind(sample);
    if (kind !== undefined) {
      rules.set(column, { strategy: 'fake', options: { ...spec.options, kind: kind.kind } });
      const notes = inferred.get(table.key) ?? new Map<string, string>();
      notes.set(column, kind.reason);
      inferred.set(table.key, notes);
      continue;
    }
    if (classifyType(info.type) === 'text') {
      // Say what the column does look like, when that is a job for another strategy (an email, a phone number).
      const other = detectPii(sample)[0];
      const hint = other === undefined ? '' : `; it looks like ${other.kind.replaceAll('_', ' ')} (${other.evidence.join('; ')}): use \`${other.suggestion.strategy}\` instead`;
      problems.push({
        table: table.key,
        column,
        message: `\`fake\` needs a \`kind\`, and none can be inferred from the column's name, type or ${sample.values.length} sampled values${hint}; write one: {strategy: fake, kind: <${FAKE_KINDS.join(' | ')}>}`,
      });
      rules.delete(column);
    }
  }
  return problems;
}

interface PinnedOwner {
  readonly table: string;
  readonly column: string;
  readonly rule: StrategySpec;
  readonly copiedAs: string | undefined;
  readonly referencedColumn: string;
  readonly check: Omit<OwnerCheck, 'referencedRule'>;
}

/**
 * `constant` rules on single-column foreign keys of copied tables: every row
 * then references one row (one developer account, the Prisma script's
 * `--user-id`), which is valid as long as that row is in the twin.
 */
function ownerConstants(source: Catalog, owner: (table: QualifiedName) => string | undefined, written: ReadonlyMap<string, ReadonlyMap<string, StrategySpec>>): PinnedOwner[] {
  const pinned: PinnedOwner[] = [];
  for (const fk of source.foreignKeys) {
    if (fk.inherited || fk.columns.length !== 1) continue;
    const table = owner(fk.table);
    const column = fk.columns[0];
    const referencedColumn = fk.referencedColumns[0];
    if (table === undefined || column === undefined || referencedColumn === undefined) continue;
    const rule = written.get(table)?.get(column);
    if (rule?.strategy !== 'constant' || pinned.some((p) => p.table === table && p.column === column)) continue;
    const raw = rule.options['value'];
    // A missing or malformed value is reported by the strategy's own check.
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'bigint') continue;
    const copiedAs = owner(fk.referencedTable);
    pinned.push({
      table,
      column,
      rule,
      copiedAs,
      referencedColumn,
      check: { table, column, value: String(raw), referencedTable: fk.referencedTable, referencedColumn, copiedAs },
    });
  }
  return pinned;
}
