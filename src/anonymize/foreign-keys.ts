/**
 * Foreign keys on masked columns. A child column that references a masked
 * parent column must be masked by the very same rule, so that each masked
 * child value is the masked parent value it pointed at (rules are keyed by
 * strategy and options, never by table, so equal rules give equal outputs).
 * Unconfigured child columns inherit the parent's rule, through chains of
 * references; a child configured differently is a problem.
 */
import type { StrategySpec } from '../config/index.js';
import { canonicalJson } from './canonical.js';
import type { StrategyRegistry } from './registry.js';
import { builtinRegistry } from './registry.js';

export interface ForeignKeyLink {
  /** Table keys as used in `rules` (e.g. `schema.table`). */
  readonly table: string;
  readonly columns: readonly string[];
  readonly referencedTable: string;
  readonly referencedColumns: readonly string[];
}

export interface InheritedRules {
  /** table -> column -> rule, with inherited rules added. */
  readonly rules: Map<string, Map<string, StrategySpec>>;
  /** `table.column` of every inherited rule, with where it came from. */
  readonly inherited: readonly { readonly table: string; readonly column: string; readonly from: string }[];
  readonly problems: readonly { readonly table: string; readonly column: string; readonly message: string }[];
}

function sameRule(a: StrategySpec, b: StrategySpec): boolean {
  return a.strategy === b.strategy && canonicalJson(a.options) === canonicalJson(b.options);
}

export function inheritForeignKeyRules(
  rules: ReadonlyMap<string, ReadonlyMap<string, StrategySpec>>,
  foreignKeys: readonly ForeignKeyLink[],
  registry: StrategyRegistry = builtinRegistry(),
): InheritedRules {
  const result = new Map<string, Map<string, StrategySpec>>();
  for (const [table, columns] of rules) result.set(table, new Map(columns));
  const inherited: { table: string; column: string; from: string }[] = [];
  const problems: { table: string; column: string; message: string }[] = [];
  const reported = new Set<string>();
  const report = (table: string, column: string, message: string): void => {
    const id = `${table}\u0000${column}`;
    if (reported.has(id)) return;
    reported.add(id);
    problems.push({ table, column, message });
  };

  // Repeat until nothing changes: a grandchild inherits once its parent has.
  for (let changed = true; changed;) {
    changed = false;
    for (const fk of foreignKeys) {
      fk.columns.forEach((column, i) => {
        const parentColumn = fk.referencedColumns[i];
        if (parentColumn === undefined) return;
        const parentRule = result.get(fk.referencedTable)?.get(parentColumn);
        const childRules = result.get(fk.table) ?? new Map<string, StrategySpec>();
        const childRule = childRules.get(column);
        const from = `${fk.referencedTable}.${parentColumn}`;
        if (parentRule === undefined) {
          if (childRule !== undefined && childRule.strategy !== 'keep') {
            report(
              fk.table,
              column,
              `references ${from}, which is not masked, so masking it breaks the foreign key; mask ${from} with the same rule, or remove this rule`,
            );
          }
          return;
        }
        if (childRule !== undefined) {
          if (!sameRule(childRule, parentRule)) {
            report(
              fk.table,
              column,
              `references ${from}, which is masked by \`${parentRule.strategy}\` with other options; use the same rule (or none: it is inherited)`,
            );
          }
          return;
        }
        if (registry.get(parentRule.strategy)?.reads(parentRule.options).length) {
          report(
            fk.table,
            column,
            `references ${from}, whose rule reads other columns of its row and cannot be repeated here; give both columns a rule that depends on the value only`,
          );
          return;
        }
        childRules.set(column, parentRule);
        result.set(fk.table, childRules);
        inherited.push({ table: fk.table, column, from });
        changed = true;
      });
    }
  }
  return { rules: result, inherited, problems };
}
