/**
 * The small JSONPath subset the `json` strategy takes: `$.a.b`, `$.items[*].email`,
 * `$.list[0]`, `$['key with spaces']`, `$.*`. No filters or recursive descent:
 * a masking rule should name exactly where the personal data sits.
 */

export type PathSegment =
  { readonly kind: 'key'; readonly key: string } | { readonly kind: 'index'; readonly index: number } | { readonly kind: 'any' };

/** Parsed segments, or a problem text. A leading `$` is optional. */
export function parseJsonPath(path: string): PathSegment[] | string {
  const text = path.trim();
  let i = text.startsWith('$') ? 1 : 0;
  const segments: PathSegment[] = [];
  if (i === 0 && text !== '' && text[0] !== '.' && text[0] !== '[') {
    // `email` is read as `$.email`.
    return parseJsonPath(`$.${text}`);
  }
  while (i < text.length) {
    const ch = text[i];
    if (ch === '.') {
      const match = /^[^.[\]]+/.exec(text.slice(i + 1));
      if (match === null) return `expected a key after \`.\` at position ${i + 1} of \`${path}\``;
      segments.push(match[0] === '*' ? { kind: 'any' } : { kind: 'key', key: match[0] });
      i += 1 + match[0].length;
    } else if (ch === '[') {
      const rest = text.slice(i);
      const bracket = /^\[\s*(?:(\*)|(\d+)|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\]/.exec(rest);
      if (bracket === null) return `expected [*], [n] or ['key'] at position ${i} of \`${path}\``;
      if (bracket[1] !== undefined) segments.push({ kind: 'any' });
      else if (bracket[2] !== undefined) segments.push({ kind: 'index', index: Number(bracket[2]) });
      else segments.push({ kind: 'key', key: (bracket[3] ?? bracket[4] ?? '').replace(/\\(.)/g, '$1') });
      i += bracket[0].length;
    } else {
      return `unexpected \`${ch ?? ''}\` at position ${i} of \`${path}\``;
    }
  }
  if (segments.length === 0) return `\`${path}\` names the whole document; mask the column itself instead`;
  return segments;
}
