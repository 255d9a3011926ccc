/**
 * What the existing `anonymize:` and `keep:` sections already say about one
 * table, resolved the way the sync plan resolves them: every key that matches
 * the table counts (names and globs), the more specific key winning column by
 * column. A scan must not suggest a rule that the config already decides.
 */
import type { StrategySpec } from '../config/index.js';
import type { QualifiedName } from '../pg/ident.js';
import { compilePattern, specificity } from '../plan/table-patterns.js';
import { rulesFor } from '../plan/mask-plan.js';

export interface ExistingRules {
  readonly anonymize: ReadonlyMap<string, ReadonlyMap<string, StrategySpec>>;
  readonly keep: ReadonlyMap<string, readonly string[]>;
}

/** column -> rule for the table, from every matching `anonymize:` key (exactly as the sync plan resolves them). */
export const configuredRules: (anonymize: ExistingRules['anonymize'], table: QualifiedName) => Map<string, StrategySpec> = rulesFor;

/** Columns of the table listed under any matching `keep:` key. */
export function configuredKeep(keep: ExistingRules['keep'], table: QualifiedName): Set<string> {
  const kept = new Set<string>();
  for (const [text, columns] of keep) if (compilePattern(text).matches(table)) for (const column of columns) kept.add(column);
  return kept;
}

/**
 * The key under which to add entries for the table in a section: the most
 * specific existing key that names exactly this table (so a user's `users:`
 * block grows instead of gaining a `public.users:` twin), else `schema.table`.
 */
export function sectionKeyFor(existingKeys: Iterable<string>, table: QualifiedName): string {
  let best: { key: string; rank: number } | undefined;
  for (const key of existingKeys) {
    const pattern = compilePattern(key);
    if (pattern.glob || !pattern.matches(table)) continue;
    const rank = specificity(pattern);
    if (best === undefined || rank > best.rank) best = { key, rank };
  }
  return best?.key ?? qualifiedKey(table);
}

/** `schema.table`, with double quotes around a part that holds a dot or a quote (table-patterns.ts reads them back). */
export function qualifiedKey(table: QualifiedName): string {
  const part = (text: string): string => (/[."]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  return `${part(table.schema)}.${part(table.name)}`;
}
