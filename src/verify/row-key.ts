/**
 * Which columns identify a row on both sides, so a masked value can be compared
 * with the very row's source value: the primary key, else a unique key over NOT
 * NULL columns. A key that includes a masked column is useless (its values
 * changed), as is one the sync did not copy.
 */
import { quoteIdent } from '../pg/ident.js';
import type { CopiedTable } from './copied-table.js';

export function rowKeyOf(table: CopiedTable): readonly string[] | undefined {
  const masked = new Set(table.maskedColumns);
  const copied = new Set(table.columns);
  const notNull = new Set(table.source.columns.filter((c) => c.notNull).map((c) => c.name));
  const keys = [table.source.primaryKey, ...table.source.uniqueKeys].filter((k) => k.length > 0);
  return keys.find((k) => k.every((c) => notNull.has(c) && copied.has(c) && !masked.has(c)));
}

/** `ARRAY[alias.k1::text, ...]`, or a NULL array when there is no key. */
export function keyArraySql(alias: string, key: readonly string[] | undefined): string {
  if (key === undefined) return 'NULL::text[]';
  return `ARRAY[${key.map((c) => `${alias}.${quoteIdent(c)}::text`).join(', ')}]`;
}

/** The key values of a result row, by column, for examples. */
export function keyRecord(
  key: readonly string[] | undefined,
  values: readonly (string | null)[] | null,
): Readonly<Record<string, string>> | undefined {
  if (key === undefined || values === null) return undefined;
  return Object.fromEntries(key.map((c, i) => [c, values[i] ?? 'NULL']));
}
