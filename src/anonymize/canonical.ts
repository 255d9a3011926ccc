/**
 * The canonical text of strategy options, used to separate PRF domains. Two
 * rules with equal options must land in the same domain whatever the key order
 * in the YAML, and rules with different options in different domains (so that
 * `hash {length: 8}` outputs are not prefixes of `hash {length: 32}` ones).
 */

/** JSON with object keys sorted at every level; `undefined` members are dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return value.toString();
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return 'null';
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof RegExp) return JSON.stringify(value.toString());
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The PRF domain of a strategy and its (parsed, defaults-filled) options. */
export function domainOf(strategy: string, options: unknown): string {
  return `${strategy}\u0000${canonicalJson(options)}`;
}
