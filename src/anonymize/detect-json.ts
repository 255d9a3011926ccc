/**
 * PII inside json/jsonb samples: walks each document's leaves (arrays as
 * `[*]`), classifies leaf strings like column values and leaf keys like column
 * names, and reports the paths where most occurrences look personal, so the
 * scan can suggest a ready `json` rule with `paths`.
 */
import { classifyValue, type ValueKind } from './detect-values.js';

export interface JsonPathHit {
  readonly path: string;
  readonly kind: ValueKind | 'named';
  /** Occurrences that look like `kind`, and occurrences of the path at all. */
  readonly matches: number;
  readonly occurrences: number;
  /** For `named`: the key's words matched a PII column-name pattern. */
  readonly hint?: string;
}

const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

function childPath(path: string, key: string): string {
  return SIMPLE_KEY.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Paths of leaf values in documents that parse, with how their values classify. */
export function scanJsonSamples(values: readonly string[], nameHint: (key: string) => string | undefined): JsonPathHit[] {
  const occurrences = new Map<string, number>();
  const kinds = new Map<string, Map<ValueKind, number>>();
  const named = new Map<string, string>();

  const visit = (node: unknown, path: string, key: string | undefined): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, `${path}[*]`, key);
      return;
    }
    if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node as Record<string, unknown>)) visit(v, childPath(path, k), k);
      return;
    }
    if (node === null) return;
    occurrences.set(path, (occurrences.get(path) ?? 0) + 1);
    if (key !== undefined && !named.has(path)) {
      const hint = nameHint(key);
      if (hint !== undefined) named.set(path, hint);
    }
    if (typeof node !== 'string') return;
    const counts = kinds.get(path) ?? new Map<ValueKind, number>();
    for (const kind of classifyValue(node)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    kinds.set(path, counts);
  };

  for (const value of values) {
    try {
      visit(JSON.parse(value), '$', undefined);
    } catch {
      // Not JSON (a text column with some JSON-looking values): nothing to walk.
    }
  }

  const hits: JsonPathHit[] = [];
  for (const [path, total] of occurrences) {
    let best: JsonPathHit | undefined;
    for (const [kind, n] of kinds.get(path) ?? []) {
      if (kind === 'date' || n / total < 0.5) continue;
      if (best === undefined || n > best.matches) best = { path, kind, matches: n, occurrences: total };
    }
    const hint = named.get(path);
    if (best !== undefined) hits.push(hint === undefined ? best : { ...best, hint });
    else if (hint !== undefined) hits.push({ path, kind: 'named', matches: 0, occurrences: total, hint });
  }
  return hits.sort((a, b) => (a.path < b.path ? -1 : 1));
}
