/** SQL identifier and literal quoting. Every name pgtwin puts into SQL goes through here. */

export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

export function quoteLiteral(value: string): string {
  // E'' form only when a backslash is present, so the output reads naturally otherwise.
  const escaped = value.replace(/'/g, "''");
  return value.includes('\\') ? "E'" + escaped.replace(/\\/g, '\\\\') + "'" : "'" + escaped + "'";
}

/** A schema-qualified relation name. */
export interface QualifiedName {
  readonly schema: string;
  readonly name: string;
}

export function quoteQualified(rel: QualifiedName): string {
  return quoteIdent(rel.schema) + '.' + quoteIdent(rel.name);
}

/** `schema.name` as people write it (unquoted), used as the key and in messages. */
export function displayName(rel: QualifiedName): string {
  return rel.schema + '.' + rel.name;
}
