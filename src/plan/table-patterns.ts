/**
 * Table names and globs as users write them: `schema.table` patterns match the
 * qualified name, bare patterns (`users`, `*_log`) match the table name in any
 * schema. `*` and `?` are the only wildcards; names are case-sensitive, as
 * PostgreSQL stores them.
 */
import type { QualifiedName } from '../pg/ident.js';

export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const ch of glob) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp('^' + source + '$', 's');
}

/** Splits `schema.table` on the first dot outside double quotes; quotes are removed. */
export function splitPattern(pattern: string): { schema: string | undefined; name: string } {
  let inQuotes = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === '.' && !inQuotes) return { schema: unquote(pattern.slice(0, i)), name: unquote(pattern.slice(i + 1)) };
  }
  return { schema: undefined, name: unquote(pattern) };
}

function unquote(part: string): string {
  const trimmed = part.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) return trimmed.slice(1, -1).replace(/""/g, '"');
  return trimmed;
}

export interface TablePattern {
  readonly text: string;
  readonly glob: boolean;
  matches(table: QualifiedName): boolean;
}

export function compilePattern(text: string): TablePattern {
  const { schema, name } = splitPattern(text);
  const nameRe = globToRegExp(name);
  const schemaRe = schema === undefined ? undefined : globToRegExp(schema);
  return {
    text,
    glob: isGlob(text),
    matches: (table) => nameRe.test(table.name) && (schemaRe === undefined || schemaRe.test(table.schema)),
  };
}

/**
 * How specifically a pattern names a table: an exact qualified name beats an
 * exact bare name, which beats any glob. Used to pick one filter or rule set.
 */
export function specificity(pattern: TablePattern): number {
  if (pattern.glob) return 0;
  return splitPattern(pattern.text).schema === undefined ? 1 : 2;
}
