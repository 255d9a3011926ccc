/**
 * The values the leak check compares, as SQL: each is a whole text value, so a
 * match is a whole-value match. An array contributes its elements and a JSON
 * document its string leaves as well as its whole text, because that is where
 * a copied email usually hides in such columns; text inside longer text (an
 * email in a sentence) is not looked for.
 */
import { quoteIdent } from '../pg/ident.js';
import type { ValueKind } from './value-kinds.js';

export type Extraction = 'whole' | 'elements' | 'whole-and-json-strings';

/**
 * A masked column's values: the value, or each element of an array. A masked
 * JSON document counts as a whole: its unmasked leaves ("active", "fr") are not
 * personal data and would be found everywhere.
 */
export function maskedExtraction(kind: ValueKind): Extraction {
  return kind === 'text-array' || kind === 'array' ? 'elements' : 'whole';
}

/** How a column that was copied in clear is searched; undefined: not text, not searched. */
export function clearExtraction(kind: ValueKind): Extraction | undefined {
  switch (kind) {
    case 'text':
      return 'whole';
    case 'text-array':
      return 'elements';
    case 'json':
      return 'whole-and-json-strings';
    default:
      return undefined;
  }
}

/**
 * `SELECT` branches, to join with UNION ALL inside a LATERAL subquery, that
 * each yield the text values of `alias.column` (after `tag`, when given).
 */
export function valueSelects(alias: string, column: string, extraction: Extraction, tag?: number): string[] {
  const lead = tag === undefined ? '' : `${tag}, `;
  const ref = `${alias}.${quoteIdent(column)}`;
  switch (extraction) {
    case 'whole':
      return [`SELECT ${lead}${ref}::text`];
    case 'elements':
      return [`SELECT ${lead}e::text FROM unnest(${ref}) e`];
    case 'whole-and-json-strings':
      return [
        `SELECT ${lead}${ref}::text`,
        `SELECT ${lead}j #>> '{}' FROM jsonb_path_query(${ref}::jsonb, 'strict $.** ? (@.type() == "string")') j`,
      ];
  }
}
