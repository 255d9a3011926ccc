/**
 * Strict mode: every copied column of a table must be either masked or listed
 * under `keep:` (reviewed and harmless). A column added in production after the
 * rules were written is neither, and must stop the sync rather than slip into
 * the twin unmasked. This function only judges one table's lists; resolving
 * `keep:` globs to tables is the plan's job.
 */
import type { StrategySpec } from '../config/index.js';
import { didYouMeanSuffix } from '../did-you-mean.js';

export type StrictProblemCode = 'UNREVIEWED_COLUMN' | 'UNKNOWN_KEEP_COLUMN' | 'KEEP_AND_MASK';

export interface StrictProblem {
  readonly table: string;
  readonly column: string;
  readonly code: StrictProblemCode;
  readonly message: string;
}

/**
 * Problems of one table under strict mode. `columns` are the copied columns
 * (generated columns excluded: the target computes them).
 */
export function checkStrict(
  table: string,
  columns: readonly { readonly name: string }[],
  rules: ReadonlyMap<string, StrategySpec>,
  keep: readonly string[],
): StrictProblem[] {
  const names = columns.map((c) => c.name);
  const kept = new Set(keep);
  const problems: StrictProblem[] = [];
  for (const name of names) {
    if (rules.has(name) || kept.has(name)) continue;
    problems.push({
      table,
      column: name,
      code: 'UNREVIEWED_COLUMN',
      message: `${table}.${name} is neither masked nor listed under \`keep:\` (strict mode); add a rule under \`anonymize:\`, or list it under \`keep:\` once reviewed`,
    });
  }
  for (const name of keep) {
    if (!names.includes(name)) {
      problems.push({
        table,
        column: name,
        code: 'UNKNOWN_KEEP_COLUMN',
        message: `\`keep:\` names no column \`${name}\` of ${table}${didYouMeanSuffix(name, names)}`,
      });
    } else if (rules.has(name)) {
      problems.push({
        table,
        column: name,
        code: 'KEEP_AND_MASK',
        message: `${table}.${name} is both masked and listed under \`keep:\`; choose one`,
      });
    }
  }
  return problems;
}
