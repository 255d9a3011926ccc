/**
 * DDL text for what tables are built from: schemas, extensions, collations,
 * types and sequences. Names are always quoted and qualified; embedded
 * expressions come from the source's pg_get_* output, already qualified.
 */
import { quoteIdent, quoteLiteral, quoteQualified } from '../pg/ident.js';
import type {
  CollationInfo,
  ExtensionInfo,
  CatalogObjects,
  SequenceDef,
  TextSearchConfig,
  TextSearchDictionary,
  TypeInfo,
} from '../catalog/index.js';

export function collationName(catalog: CatalogObjects, oid: number): string {
  const collation = catalog.collations.get(oid);
  return collation === undefined ? quoteIdent('default') : quoteQualified(collation);
}

export function renderSchema(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`;
}

/** CASCADE: an extension that needs others (earthdistance needs cube) brings them. */
export function renderExtension(extension: ExtensionInfo): string {
  return `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(extension.name)} WITH SCHEMA ${quoteIdent(extension.schema)} CASCADE`;
}

export function renderCollation(collation: CollationInfo): string {
  const options: string[] = [];
  if (collation.provider === 'icu' || collation.provider === 'builtin') {
    options.push(`provider = ${collation.provider}`);
    const locale = collation.locale ?? collation.lcCollate;
    if (locale !== undefined) options.push(`locale = ${quoteLiteral(locale)}`);
  } else {
    options.push('provider = libc');
    if (collation.lcCollate !== undefined) options.push(`lc_collate = ${quoteLiteral(collation.lcCollate)}`);
    if (collation.lcCtype !== undefined) options.push(`lc_ctype = ${quoteLiteral(collation.lcCtype)}`);
  }
  if (!collation.deterministic) options.push('deterministic = false');
  if (collation.icuRules !== undefined) options.push(`rules = ${quoteLiteral(collation.icuRules)}`);
  return `CREATE COLLATION ${quoteQualified(collation)} (${options.join(', ')})`;
}

/** CREATE TYPE / CREATE DOMAIN, plus ALTER DOMAIN for constraints that were NOT VALID on the source. */
export function renderType(catalog: CatalogObjects, type: TypeInfo, targetVersion: number): string[] {
  const name = quoteQualified(type);
  switch (type.kind) {
    case 'enum':
      return [`CREATE TYPE ${name} AS ENUM (${type.enumLabels.map(quoteLiteral).join(', ')})`];
    case 'composite': {
      const attributes = type.attributes.map(
        (a) => `${quoteIdent(a.name)} ${a.type}${a.collation !== undefined ? ` COLLATE ${collationName(catalog, a.collation)}` : ''}`,
      );
      return [`CREATE TYPE ${name} AS (${attributes.join(', ')})`];
    }
    case 'range': {
      const range = type.range;
      if (range === undefined) return [];
      const options = [`subtype = ${range.subtype}`];
      if (range.opclass !== undefined) options.push(`subtype_opclass = ${range.opclass}`);
      if (range.collation !== undefined) options.push(`collation = ${collationName(catalog, range.collation)}`);
      if (range.canonical !== undefined) options.push(`canonical = ${range.canonical}`);
      if (range.subtypeDiff !== undefined) options.push(`subtype_diff = ${range.subtypeDiff}`);
      const multirange = range.multirangeOid === undefined ? undefined : catalog.types.get(range.multirangeOid);
      // A target before 14 has no multiranges; from 14 on, keep the source's name for it.
      if (multirange !== undefined && targetVersion >= 140000) options.push(`multirange_type_name = ${quoteQualified(multirange)}`);
      return [`CREATE TYPE ${name} AS RANGE (${options.join(', ')})`];
    }
    case 'domain': {
      const domain = type.domain;
      if (domain === undefined) return [];
      let sql = `CREATE DOMAIN ${name} AS ${domain.baseType}`;
      if (domain.collation !== undefined) sql += ` COLLATE ${collationName(catalog, domain.collation)}`;
      if (domain.defaultExpr !== undefined) sql += ` DEFAULT ${domain.defaultExpr}`;
      if (domain.notNull) sql += ' NOT NULL';
      for (const c of domain.constraints) if (c.validated) sql += ` CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`;
      const notValid = domain.constraints
        .filter((c) => !c.validated)
        .map((c) => `ALTER DOMAIN ${name} ADD CONSTRAINT ${quoteIdent(c.name)} ${withNotValid(c.definition)}`);
      return [sql, ...notValid];
    }
    default:
      return [];
  }
}

/** The type's comment, its domain constraints' and its composite attributes'. */
export function renderTypeComments(type: TypeInfo): string[] {
  const name = quoteQualified(type);
  const out: string[] = [];
  if (type.comment !== undefined) out.push(renderComment(`${type.kind === 'domain' ? 'DOMAIN' : 'TYPE'} ${name}`, type.comment));
  for (const c of type.domain?.constraints ?? [])
    if (c.comment !== undefined) out.push(renderComment(`CONSTRAINT ${quoteIdent(c.name)} ON DOMAIN ${name}`, c.comment));
  for (const a of type.attributes) if (a.comment !== undefined) out.push(renderComment(`COLUMN ${name}.${quoteIdent(a.name)}`, a.comment));
  return out;
}

function withNotValid(definition: string): string {
  return /\bNOT VALID$/.test(definition) ? definition : `${definition} NOT VALID`;
}

function sequenceOptions(sequence: SequenceDef): string {
  return [
    `START WITH ${sequence.start}`,
    `INCREMENT BY ${sequence.increment}`,
    `MINVALUE ${sequence.min}`,
    `MAXVALUE ${sequence.max}`,
    `CACHE ${sequence.cache}`,
    sequence.cycle ? 'CYCLE' : 'NO CYCLE',
  ].join(' ');
}

export function renderSequence(sequence: SequenceDef): string {
  return `CREATE ${sequence.unlogged ? 'UNLOGGED ' : ''}SEQUENCE ${quoteQualified(sequence)} AS ${sequence.dataType} ${sequenceOptions(sequence)}`;
}

/** The options of an identity column: its sequence keeps the source's name and parameters. */
export function identityOptions(sequence: SequenceDef): string {
  return `SEQUENCE NAME ${quoteQualified(sequence)} ${sequenceOptions(sequence)}`;
}

export function renderTextSearchDictionary(dictionary: TextSearchDictionary): string {
  const options = [`TEMPLATE = ${dictionary.template}`, ...(dictionary.options === undefined ? [] : [dictionary.options])];
  return `CREATE TEXT SEARCH DICTIONARY ${quoteQualified(dictionary)} (${options.join(', ')})`;
}

/** The configuration with its parser, then one ADD MAPPING per token type (a new configuration maps nothing). */
export function renderTextSearchConfig(config: TextSearchConfig): string[] {
  const name = quoteQualified(config);
  return [
    `CREATE TEXT SEARCH CONFIGURATION ${name} (PARSER = ${config.parser})`,
    ...config.mappings
      .filter((m) => m.dictionaries.length > 0)
      .map((m) => `ALTER TEXT SEARCH CONFIGURATION ${name} ADD MAPPING FOR ${quoteIdent(m.token)} WITH ${m.dictionaries.join(', ')}`),
  ];
}

export function renderComment(what: string, comment: string): string {
  return `COMMENT ON ${what} IS ${quoteLiteral(comment)}`;
}
