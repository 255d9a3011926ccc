/**
 * The catalog's types and collations, assembled from the rows of the type
 * queries (sql-types.ts).
 */
import type { CollationInfo, CollationProvider, TypeInfo, TypeKind } from './objects.js';
import { bool, groupBy, num, optNum, optStr, str, strings, type Row } from './rows.js';

const TYPE_KINDS: Readonly<Record<string, TypeKind>> = {
  b: 'base',
  c: 'composite',
  d: 'domain',
  e: 'enum',
  p: 'pseudo',
  r: 'range',
  m: 'multirange',
};

export function readTypes(r: Readonly<Record<string, Row[]>>): Map<number, TypeInfo> {
  const labels = new Map((r['enums'] ?? []).map((x) => [num(x, 'oid'), strings(x, 'labels')]));
  const domainConstraints = groupBy(r['domainConstraints'] ?? [], (x) => num(x, 'oid'));
  const attributes = groupBy(r['attributes'] ?? [], (x) => num(x, 'oid'));
  const ranges = new Map((r['ranges'] ?? []).map((x) => [num(x, 'oid'), x]));
  const types = new Map<number, TypeInfo>();
  for (const row of r['types'] ?? []) {
    const oid = num(row, 'oid');
    const relationKind = optStr(row, 'relation_kind');
    let kind = TYPE_KINDS[str(row, 'typtype')] ?? 'base';
    if (row['element_oid'] !== null) kind = 'array';
    else if (kind === 'composite' && relationKind !== 'c') kind = 'rowtype';
    const range = ranges.get(oid);
    types.set(oid, {
      oid,
      schema: str(row, 'schema'),
      name: str(row, 'name'),
      sqlName: str(row, 'sql_name'),
      kind,
      system: bool(row, 'system'),
      elementOid: optNum(row, 'element_oid'),
      relationOid: optNum(row, 'relation_oid'),
      enumLabels: labels.get(oid) ?? [],
      domain:
        kind === 'domain'
          ? {
              baseType: str(row, 'base_type'),
              baseTypeOid: num(row, 'base_type_oid'),
              notNull: bool(row, 'not_null'),
              defaultExpr: optStr(row, 'default_expr'),
              collation: optNum(row, 'collation'),
              constraints: (domainConstraints.get(oid) ?? []).map((c) => ({
                name: str(c, 'name'),
                definition: str(c, 'definition'),
                validated: bool(c, 'validated'),
                comment: optStr(c, 'comment'),
              })),
            }
          : undefined,
      attributes: (attributes.get(oid) ?? []).map((a) => ({
        name: str(a, 'name'),
        type: str(a, 'type'),
        typeOid: num(a, 'type_oid'),
        collation: optNum(a, 'collation'),
        comment: optStr(a, 'comment'),
      })),
      range:
        range === undefined
          ? undefined
          : {
              subtype: str(range, 'subtype'),
              subtypeOid: num(range, 'subtype_oid'),
              opclass: optStr(range, 'opclass'),
              collation: optNum(range, 'collation'),
              canonical: optStr(range, 'canonical'),
              subtypeDiff: optStr(range, 'subtype_diff'),
              multirangeOid: optNum(range, 'multirange_oid'),
            },
      comment: optStr(row, 'comment'),
    });
  }
  return types;
}

const PROVIDERS: Readonly<Record<string, CollationProvider>> = { d: 'default', c: 'libc', i: 'icu', b: 'builtin' };

export function toCollation(row: Row): CollationInfo {
  const info = (typeof row['info'] === 'object' && row['info'] !== null ? row['info'] : {}) as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof info[key] === 'string' && info[key] !== '' ? (info[key] as string) : undefined);
  return {
    oid: num(row, 'oid'),
    schema: str(row, 'schema'),
    name: str(row, 'name'),
    provider: PROVIDERS[text('collprovider') ?? 'd'] ?? 'default',
    deterministic: info['collisdeterministic'] !== false,
    // 17+: colllocale; 15-16: colliculocale; 12-14: the ICU locale sits in collcollate.
    locale: text('colllocale') ?? text('colliculocale'),
    lcCollate: text('collcollate'),
    lcCtype: text('collctype'),
    icuRules: text('collicurules'),
    system: bool(row, 'system'),
    comment: optStr(row, 'comment'),
  };
}
