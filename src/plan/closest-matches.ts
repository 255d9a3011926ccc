/**
 * "Did you mean" for table names: a name may be written with or without its
 * schema, so candidates are compared on the whole name and on the bare part.
 */
import { editDistance } from '../did-you-mean.js';

/** Up to `limit` candidates close to `input`. */
export function closestMatches(input: string, candidates: readonly string[], limit = 3): string[] {
  const bare = (s: string): string => s.slice(s.lastIndexOf('.') + 1).toLowerCase();
  const scored = candidates
    .map((c) => ({ c, d: Math.min(editDistance(input.toLowerCase(), c.toLowerCase()), editDistance(bare(input), bare(c))) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(bare(input).length / 4)))
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  return scored.slice(0, limit).map((x) => x.c);
}
