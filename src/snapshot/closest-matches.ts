/** "Did you mean" suggestions: candidates within a small edit distance. */

export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  const curr = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    curr[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      curr[j] = Math.min((prev[j] ?? 0) + 1, (curr[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    for (let j = 0; j <= b.length; j++) prev[j] = curr[j] ?? 0;
  }
  return prev[b.length] ?? 0;
}

/** Up to `limit` candidates close to `input`, compared on the part after any schema too. */
export function closestMatches(input: string, candidates: readonly string[], limit = 3): string[] {
  const bare = (s: string): string => s.slice(s.lastIndexOf('.') + 1).toLowerCase();
  const scored = candidates
    .map((c) => ({ c, d: Math.min(editDistance(input.toLowerCase(), c.toLowerCase()), editDistance(bare(input), bare(c))) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(bare(input).length / 4)))
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  return scored.slice(0, limit).map((x) => x.c);
}
