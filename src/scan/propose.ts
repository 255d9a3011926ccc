/**
 * From scan findings to the rules a config needs: a rule for each column that
 * looks like personal data and that the config does not decide yet, and a
 * `keep:` entry for every other column, so that strict mode passes without
 * hand-listing harmless columns.
 *
 * Foreign keys are honoured the way the sync plan enforces them: a column that
 * references a masked column inherits that column's rule (so it gets neither a
 * rule of its own nor a `keep:` entry), and a PII-looking column that references
 * an unmasked one moves its rule to the referenced column, because masking only
 * one side of a foreign key breaks it.
 */
import type { StrategySpec } from '../config/index.js';
import { canonicalJson } from '../anonymize/index.js';
import { checkMasks, type MaskColumn } from '../anonymize/index.js';
import type { PiiFinding } from '../anonymize/index.js';
import { inheritForeignKeyRules, type ForeignKeyLink } from '../anonymize/index.js';
import { displayName, type QualifiedName } from '../pg/ident.js';
import { configuredKeep, configuredRules, sectionKeyFor, type ExistingRules } from './config-view.js';
import { fitRule } from './fit-rule.js';
import type { ScanForeignKey, ScannedTable, ScanResult } from './scan.js';

export type ColumnDecision =
  /** A new rule, from the column's own finding or from a referencing column's. */
  | {
      readonly kind: 'suggested';
      readonly rule: StrategySpec;
      readonly finding: PiiFinding;
      readonly review: readonly string[];
      readonly reason: string | undefined;
    }
  /** The config already masks it. */
  | { readonly kind: 'configured'; readonly rule: StrategySpec }
  /** The config already lists it under `keep:`. */
  | { readonly kind: 'kept' }
  /** It references a masked column and is masked by the same rule. */
  | { readonly kind: 'inherited'; readonly rule: StrategySpec; readonly from: string }
  /** Nothing points at personal data: a new `keep:` entry. */
  | { readonly kind: 'keep' }
  /** Needs a human decision; no entry is written. */
  | { readonly kind: 'undecided'; readonly note: string }
  /** Generated on the target: never copied, nothing to decide. */
  | { readonly kind: 'generated' };

export interface RuleAddition {
  readonly column: string;
  readonly rule: StrategySpec;
  /** One line for the config file: the kind, confidence and evidence (never a value). */
  readonly comment: string;
}

export interface RuleProposal {
  /** `schema.table` -> column -> decision, for scanned tables and tables that received a moved rule. */
  readonly decisions: ReadonlyMap<string, ReadonlyMap<string, ColumnDecision>>;
  /** `anonymize:` key -> rules to add. */
  readonly anonymize: ReadonlyMap<string, readonly RuleAddition[]>;
  /** `keep:` key -> columns to add. */
  readonly keep: ReadonlyMap<string, readonly string[]>;
  /** Foreign-key conflicts involving existing rules, for the user to resolve. */
  readonly notes: readonly string[];
}

interface Suggestion {
  readonly rule: StrategySpec;
  readonly finding: PiiFinding;
  readonly reason: string | undefined;
}

const label = (kind: string): string => kind.replace(/_/g, ' ');
const sameRule = (a: StrategySpec, b: StrategySpec): boolean =>
  a.strategy === b.strategy && canonicalJson(a.options) === canonicalJson(b.options);

export function proposeRules(scan: ScanResult, existing: ExistingRules): RuleProposal {
  const names = new Map<string, QualifiedName>();
  for (const t of scan.tables) names.set(t.key, t);
  for (const fk of scan.foreignKeys) for (const t of [fk.table, fk.referencedTable]) names.set(displayName(t), t);
  const configured = new Map([...names].map(([key, t]) => [key, configuredRules(existing.anonymize, t)]));
  const kept = new Map([...names].map(([key, t]) => [key, configuredKeep(existing.keep, t)]));
  const suggested = new Map<string, Map<string, Suggestion>>([...names.keys()].map((key) => [key, new Map()]));
  const undecided = new Map<string, string>();

  const links: ForeignKeyLink[] = scan.foreignKeys.map((fk) => ({
    ...fk,
    table: displayName(fk.table),
    referencedTable: displayName(fk.referencedTable),
  }));
  for (const table of scan.tables) {
    const referenced = links.filter((l) => l.referencedTable === table.key).flatMap((l) => l.referencedColumns);
    for (const column of table.columns) {
      const finding = column.findings[0];
      if (column.generated || finding === undefined) continue;
      if (configured.get(table.key)?.has(column.name) === true || kept.get(table.key)?.has(column.name) === true) continue;
      suggested.get(table.key)?.set(column.name, { rule: fitRule(finding, table, column, referenced), finding, reason: undefined });
    }
  }
  const ruleOf = (key: string, column: string): StrategySpec | undefined =>
    configured.get(key)?.get(column) ?? suggested.get(key)?.get(column)?.rule;
  settleForeignKeys(scan.foreignKeys, suggested, kept, ruleOf, undecided);

  const combined = new Map<string, Map<string, StrategySpec>>();
  for (const key of names.keys()) {
    const rules = new Map(configured.get(key));
    for (const [column, s] of suggested.get(key) ?? []) rules.set(column, s.rule);
    if (rules.size > 0) combined.set(key, rules);
  }
  const inheritance = inheritForeignKeyRules(combined, links);
  const inheritedFrom = new Map(inheritance.inherited.map((i) => [`${i.table}\u0000${i.column}`, i.from]));
  const notes = inheritance.problems.map((p) => `${p.table}.${p.column}: ${p.message}`);

  const decisions = new Map<string, Map<string, ColumnDecision>>();
  const anonymize = new Map<string, RuleAddition[]>();
  const keep = new Map<string, string[]>();
  const anonymizeKeys = [...existing.anonymize.keys()];
  const keepKeys = [...existing.keep.keys()];
  for (const table of scan.tables) {
    const review = reviewProblems(table, inheritance.rules.get(table.key) ?? new Map(), links);
    const tableDecisions = new Map<string, ColumnDecision>();
    const newKeep: string[] = [];
    for (const column of table.columns) {
      const id = `${table.key}\u0000${column.name}`;
      const s = suggested.get(table.key)?.get(column.name);
      const rule = inheritance.rules.get(table.key)?.get(column.name);
      const from = inheritedFrom.get(id);
      const configuredRule = configured.get(table.key)?.get(column.name);
      let decision: ColumnDecision;
      if (column.generated) decision = { kind: 'generated' };
      else if (s !== undefined)
        decision = { kind: 'suggested', rule: s.rule, finding: s.finding, review: review.get(column.name) ?? [], reason: s.reason };
      else if (configuredRule !== undefined) decision = { kind: 'configured', rule: configuredRule };
      else if (kept.get(table.key)?.has(column.name) === true) decision = { kind: 'kept' };
      else if (rule !== undefined && from !== undefined) decision = { kind: 'inherited', rule, from };
      else if (undecided.has(id)) decision = { kind: 'undecided', note: undecided.get(id) ?? '' };
      else decision = { kind: 'keep' };
      tableDecisions.set(column.name, decision);
      if (decision.kind === 'keep') newKeep.push(column.name);
    }
    decisions.set(table.key, tableDecisions);
    if (newKeep.length > 0) keep.set(sectionKeyFor(keepKeys, table), newKeep);
  }
  // Rules for every table that received one, scanned or not (a moved rule can land outside the scan).
  for (const [key, columns] of suggested) {
    const table = names.get(key);
    if (table === undefined || columns.size === 0) continue;
    const tableDecisions = decisions.get(key) ?? new Map<string, ColumnDecision>();
    const additions: RuleAddition[] = [];
    for (const [column, s] of columns) {
      const current = tableDecisions.get(column);
      const review = current?.kind === 'suggested' ? current.review : [];
      if (current === undefined)
        tableDecisions.set(column, { kind: 'suggested', rule: s.rule, finding: s.finding, review, reason: s.reason });
      additions.push({ column, rule: s.rule, comment: commentFor(s, review) });
    }
    decisions.set(key, tableDecisions);
    const sectionKey = sectionKeyFor(anonymizeKeys, table);
    anonymize.set(sectionKey, [...(anonymize.get(sectionKey) ?? []), ...additions]);
  }
  return { decisions, anonymize, keep, notes };
}

/**
 * Makes the suggested rules agree along foreign keys, until nothing changes.
 * Each step removes a suggestion for good or adds one on a column that had no
 * rule and never lost one, so the loop ends.
 */
function settleForeignKeys(
  foreignKeys: readonly ScanForeignKey[],
  suggested: Map<string, Map<string, Suggestion>>,
  kept: ReadonlyMap<string, ReadonlySet<string>>,
  ruleOf: (key: string, column: string) => StrategySpec | undefined,
  undecided: Map<string, string>,
): void {
  const removed = new Set<string>();
  for (let changed = true; changed;) {
    changed = false;
    for (const fk of foreignKeys) {
      const childKey = displayName(fk.table);
      const parentKey = displayName(fk.referencedTable);
      fk.columns.forEach((column, i) => {
        const parentColumn = fk.referencedColumns[i];
        const own = suggested.get(childKey)?.get(column);
        if (parentColumn === undefined || own === undefined) return;
        const parentRule = ruleOf(parentKey, parentColumn);
        const drop = (note?: string): void => {
          suggested.get(childKey)?.delete(column);
          removed.add(`${childKey}\u0000${column}`);
          if (note !== undefined) undecided.set(`${childKey}\u0000${column}`, note);
          changed = true;
        };
        if (parentRule !== undefined) {
          // The column inherits the referenced column's rule; its own would contradict it.
          if (!sameRule(parentRule, own.rule)) drop();
          return;
        }
        const parentId = `${parentKey}\u0000${parentColumn}`;
        if (kept.get(parentKey)?.has(parentColumn) === true || removed.has(parentId)) {
          drop(
            `looks like ${label(own.finding.kind)}, but references ${parentKey}.${parentColumn}, which stays unmasked; mask both with the same rule, or keep both`,
          );
          return;
        }
        suggested.get(parentKey)?.set(parentColumn, {
          rule: own.rule,
          finding: own.finding,
          reason: `referenced by ${childKey}.${column}, which looks like ${label(own.finding.kind)}`,
        });
        changed = true;
      });
    }
  }
}

/** checkMasks problems of the suggested rules (a non-injective rule on a unique column, a length limit, ...). */
function reviewProblems(
  table: ScannedTable,
  rules: ReadonlyMap<string, StrategySpec>,
  links: readonly ForeignKeyLink[],
): Map<string, string[]> {
  const columns: MaskColumn[] = table.columns.filter((c) => !c.generated).map((c) => ({ name: c.name, type: c.type, notNull: c.notNull }));
  const present = new Set(columns.map((c) => c.name));
  const applicable = new Map([...rules].filter(([column]) => present.has(column)));
  const referenced = links.filter((l) => l.referencedTable === table.key).flatMap((l) => l.referencedColumns);
  const problems = checkMasks(applicable, columns, {
    table: table.key,
    primaryKey: table.primaryKey,
    uniqueKeys: table.uniqueKeys,
    referencedColumns: referenced,
  });
  const byColumn = new Map<string, string[]>();
  for (const p of problems) byColumn.set(p.column, [...(byColumn.get(p.column) ?? []), p.message]);
  return byColumn;
}

function commentFor(s: Suggestion, review: readonly string[]): string {
  const parts = [`${label(s.finding.kind)} (${s.finding.confidence})`];
  parts.push(s.reason ?? s.finding.evidence.join('; '));
  if (review.length > 0) parts.push(`REVIEW: ${review.join('; ')}`);
  return parts.join(': ').replace(/\s*\n\s*/g, ' ');
}
