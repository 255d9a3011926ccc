/** The output of schema planning: DDL statements in the order they must run, and what was left out and why. */

export type PreDataKind =
  | 'drop-table'
  | 'schema'
  | 'extension'
  | 'collation'
  | 'text-search'
  | 'type'
  | 'function'
  | 'sequence'
  | 'table'
  | 'sequence-owner'
  | 'comment';

export type PostDataKind =
  | 'constraint'
  | 'index'
  | 'foreign-key'
  | 'function'
  | 'view'
  | 'materialized-view'
  | 'trigger'
  | 'refresh'
  | 'rule'
  | 'policy'
  | 'row-security'
  | 'replica-identity'
  | 'grant'
  | 'comment';

export interface DdlStatement {
  readonly kind: PreDataKind | PostDataKind;
  /** What the statement creates, as people name it: `table public.users`, `index public.users_email_idx`. */
  readonly object: string;
  /** One SQL statement, without the trailing semicolon. */
  readonly sql: string;
}

export interface Skipped {
  readonly object: string;
  readonly reason: string;
  /**
   * Left out by the user's choice: it needs a table the selection leaves out,
   * or sits on an existing target table that differs from the source and is
   * kept as it is (no --recreate). Reported, but not counted against the
   * twin's completeness.
   */
  readonly selection?: true;
}

/** Skipped objects that make the twin incomplete (not those the selection left out). */
export function notCreated(skipped: readonly Skipped[]): Skipped[] {
  return skipped.filter((s) => s.selection !== true);
}

/** One entry per object, its first reason: a function that failed also fails its comment and its grants' statements. */
export function firstPerObject<T extends { readonly object: string }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(item.object) && seen.add(item.object) !== undefined);
}

/**
 * Pre-data statements whose failure stops everything: the selected tables.
 * Any other object that fails is reported and the run goes on without it.
 */
export function isCritical(statement: DdlStatement): boolean {
  return statement.kind === 'table' || statement.kind === 'drop-table';
}

export interface SchemaPlan {
  /** Before the data load, all in one transaction: schemas, extensions, types, functions, sequences, tables. */
  readonly preData: readonly DdlStatement[];
  /** After the data load, each in its own transaction: keys, indexes, foreign keys, views, triggers, refreshes. */
  readonly postData: readonly DdlStatement[];
  /** Objects of the selected schemas that are not created, with the reason. */
  readonly skipped: readonly Skipped[];
  /** With `recreate`: what the plan drops on the target (the tables and whatever depends on them). */
  readonly drops: readonly string[];
  /**
   * Sequences the plan creates that no column owns (`schema.name`, as stored):
   * their values are not carried by any table, so sync sets them at the end.
   */
  readonly standaloneSequences: readonly { readonly schema: string; readonly name: string }[];
}

/** DDL as a script: the order it runs in, with the phase boundaries and what was skipped as comments. */
export function planToSql(plan: SchemaPlan): string {
  const lines: string[] = [];
  lines.push('-- pre-data (one transaction; an object other than a table that fails is rolled back to its savepoint and reported)');
  for (const s of plan.preData) lines.push(`${s.sql};`);
  lines.push('', '-- post-data (after the data load; each statement in its own transaction)');
  for (const s of plan.postData) lines.push(`${s.sql};`);
  if (plan.skipped.length > 0) {
    lines.push('', '-- not created:');
    for (const s of plan.skipped)
      lines.push(`--   ${s.object}: ${s.reason.replace(/\n/g, ' ')}${s.selection === true ? ' (left out by the selection)' : ''}`);
  }
  return lines.join('\n') + '\n';
}
