/**
 * "Did you mean" suggestions for unknown keys and environment names. A typo in a
 * config key must not be silently ignored (a misspelt `anonymize` would copy PII
 * unmasked), so every unknown key is an error, and the error should point at the
 * key the user most likely meant.
 */

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  // One flat table; d[i * cols + j] is the distance between a[0..i) and b[0..j).
  const d = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}

/** Case and `-`/`_` differences are not typos worth counting. */
function normalize(word: string): string {
  return word.toLowerCase().replaceAll('-', '_');
}

const MAX_DISTANCE = 2;
const MIN_PREFIX = 3;

/**
 * The candidate closest to `input`: within edit distance 2 (and closer than the
 * input's own length, so `ab` does not suggest `cd`), else one sharing its stem
 * (`batch` -> `batch_size`, `strategy` -> `strategies`).
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const wanted = normalize(input);
  let best: { name: string; score: number } | undefined;
  for (const name of candidates) {
    const candidate = normalize(name);
    const distance = editDistance(wanted, candidate);
    let score: number | undefined;
    if (distance <= MAX_DISTANCE && distance < wanted.length) {
      score = distance;
    } else if (sharesStem(wanted, candidate)) {
      // Prefix matches rank after every close typo, shorter gaps first.
      score = MAX_DISTANCE + 1 + Math.abs(candidate.length - wanted.length);
    }
    if (score !== undefined && (best === undefined || score < best.score)) best = { name, score };
  }
  return best?.name;
}

/**
 * One word starts with the other (`batch` / `batch_size`), or both share all but
 * the last letter of the shorter one (`strategy` / `strategies`).
 */
function sharesStem(a: string, b: string): boolean {
  const shorter = Math.min(a.length, b.length);
  let common = 0;
  while (common < shorter && a[common] === b[common]) common++;
  return common >= MIN_PREFIX && common >= shorter - 1;
}

/** ` (did you mean `x`?)` or the empty string, to append to a message. */
export function didYouMeanSuffix(input: string, candidates: Iterable<string>): string {
  const suggestion = didYouMean(input, candidates);
  return suggestion === undefined ? '' : ` (did you mean \`${suggestion}\`?)`;
}
