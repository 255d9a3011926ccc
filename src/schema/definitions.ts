/**
 * Small text operations on the definitions PostgreSQL renders
 * (pg_get_indexdef and friends), kept in one place so create and diff agree.
 */

/** Skips one identifier (quoted or not) starting at `start`; returns the index after it. */
function skipIdentifier(text: string, start: number): number {
  if (text[start] !== '"') {
    const end = text.slice(start).search(/[\s.(]/);
    return end < 0 ? text.length : start + end;
  }
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === '"') {
      if (text[i + 1] === '"') i += 2;
      else return i + 1;
    } else i++;
  }
  return text.length;
}

const INDEX_HEAD = /^CREATE (UNIQUE )?INDEX /;

/**
 * `CREATE INDEX name ON ONLY s.t USING ...` -> `CREATE INDEX ON s.t USING ...`:
 * two indexes with the same normalized text do the same thing whatever their
 * names, and an index on a partitioned table compares equal to its clones.
 */
export function normalizeIndexDefinition(definition: string): string {
  const head = INDEX_HEAD.exec(definition);
  if (head === null) return definition;
  const nameEnd = skipIdentifier(definition, head[0].length);
  return (head[0] + definition.slice(nameEnd).trimStart()).replace(/^(CREATE (?:UNIQUE )?INDEX )ON ONLY /, '$1ON ');
}

/**
 * pg_get_indexdef renders an index of a partitioned table `ON ONLY`, the form
 * pg_dump attaches partition indexes to one by one; without ONLY the index
 * cascades to every partition, which is what a fresh twin wants.
 */
export function cascadingIndexDefinition(definition: string): string {
  const head = INDEX_HEAD.exec(definition);
  if (head === null) return definition;
  const nameEnd = skipIdentifier(definition, head[0].length);
  const rest = definition.slice(nameEnd);
  return definition.slice(0, nameEnd) + rest.replace(/^ ON ONLY /, ' ON ');
}
