/**
 * Every object of a database that the twin should have, other than tables'
 * columns and keys (diff.ts compares those), as `name -> definition` where
 * the name means the same thing in any database (no OIDs): views, functions,
 * aggregates, types, sequences, collations, extensions, schemas, triggers,
 * rules, policies, row-level security, replica identity, grants and comments.
 * `pgtwin diff` compares the source's inventory with the target's.
 */
import { displayName } from '../pg/ident.js';
import type { ObjectKey, CatalogObjects } from '../catalog/index.js';
import {
  renderCollation,
  renderSequence,
  renderTextSearchConfig,
  renderTextSearchDictionary,
  renderType,
  renderTypeComments,
} from './render-types.js';
import { renderGrant, renderPolicy, renderReplicaIdentity, renderRowSecurity } from './render-security.js';
import { groups } from '../catalog/index.js';

export interface InventoryEntry {
  /** What differences are grouped under: the table an object sits on, or the object itself. */
  readonly container: string;
  readonly definition: string;
}

export interface InventoryScope {
  /** Non-table objects (from objectCandidates). */
  readonly keys: readonly ObjectKey[];
  /** Tables (and partitions) whose triggers, policies, rules and comments count. */
  readonly tables: readonly number[];
  /** Schemas and extensions that count on their own (a whole-database twin). */
  readonly schemas: readonly string[];
  readonly extensions: readonly string[];
}

const squash = (text: string): string => text.replace(/\s+/g, ' ').trim();

export function objectInventory(catalog: CatalogObjects, scope: InventoryScope): Map<string, InventoryEntry> {
  const out = new Map<string, InventoryEntry>();
  const grantKeys = new Map<ObjectKey, string>();
  const add = (name: string, container: string, definition: string, comment: string | undefined = undefined): void => {
    out.set(name, { container, definition });
    if (comment !== undefined) out.set(`comment on ${name}`, { container, definition: comment });
  };
  for (const schema of scope.schemas) {
    add(`schema ${schema}`, `schema ${schema}`, 'exists', catalog.schemaComments.get(schema));
    grantKeys.set(`nsp:${schema}`, `schema ${schema}`);
  }
  for (const name of scope.extensions) {
    const x = catalog.extensions.get(name);
    if (x !== undefined) add(`extension ${name}`, `extension ${name}`, `in schema ${x.schema}`);
  }
  for (const key of scope.keys) {
    const entry = describeObject(catalog, key);
    if (entry === undefined) continue;
    add(entry.name, entry.name, entry.definition, entry.comment);
    grantKeys.set(key, entry.name);
  }
  const g = groups(catalog);
  for (const oid of scope.tables) {
    const table = catalog.tables.get(oid);
    if (table === undefined) continue;
    const t = displayName(table);
    grantKeys.set(`rel:${oid}`, t);
    if (table.comment !== undefined) out.set(`comment on table ${t}`, { container: t, definition: table.comment });
    for (const c of table.columns)
      if (c.comment !== undefined) out.set(`comment on column ${t}.${c.name}`, { container: t, definition: c.comment });
    for (const c of g.constraints.get(oid) ?? [])
      if (c.comment !== undefined) out.set(`comment on constraint ${c.name} on ${t}`, { container: t, definition: c.comment });
    for (const i of g.indexes.get(oid) ?? [])
      if (i.comment !== undefined) out.set(`comment on index ${i.schema}.${i.name}`, { container: t, definition: i.comment });
    for (const trigger of g.triggers.get(oid) ?? [])
      add(`trigger ${trigger.name} on ${t}`, t, `${trigger.definition} [${trigger.enabled}]`, trigger.comment);
    for (const policy of catalog.policies)
      if (policy.relationOid === oid) add(`policy ${policy.name} on ${t}`, t, renderPolicy(policy, table), policy.comment);
    for (const rule of catalog.rules)
      if (rule.relationOid === oid) add(`rule ${rule.name} on ${t}`, t, squash(rule.definition), rule.comment);
    const rls = renderRowSecurity(table);
    if (rls.length > 0) add(`row-level security on ${t}`, t, rls.map((s) => s.replace(/^ALTER TABLE \S+ /, '')).join('; '));
    const index = table.replicaIdentity === 'index' ? (g.indexes.get(oid) ?? []).find((i) => i.replicaIdentity) : undefined;
    const identity = renderReplicaIdentity(table, index?.name);
    if (identity !== undefined) add(`replica identity of ${t}`, t, identity.replace(/^ALTER TABLE ONLY \S+ /, ''));
  }
  for (const grant of catalog.grants) {
    const container = grantKeys.get(grant.key);
    if (container !== undefined) out.set(renderGrant(grant), { container, definition: 'granted' });
  }
  return out;
}

interface Described {
  readonly name: string;
  readonly definition: string;
  readonly comment: string | undefined;
}

function describeObject(catalog: CatalogObjects, key: ObjectKey): Described | undefined {
  const colon = key.indexOf(':');
  const kind = key.slice(0, colon);
  const oid = Number(key.slice(colon + 1));
  if (kind === 'fn') {
    const fn = catalog.functions.get(oid);
    return fn === undefined
      ? undefined
      : { name: `${fn.kind} ${fn.signature}`, definition: squash(fn.definition ?? ''), comment: fn.comment };
  }
  if (kind === 'type') {
    const type = catalog.types.get(oid);
    if (type === undefined) return undefined;
    const comments = renderTypeComments(type).join('; ');
    return {
      name: `type ${type.sqlName}`,
      definition: renderType(catalog, type, catalog.serverVersionNum).join('; '),
      comment: comments === '' ? undefined : comments,
    };
  }
  if (kind === 'tsdict') {
    const d = catalog.textSearchDictionaries.get(oid);
    return d === undefined
      ? undefined
      : { name: `text search dictionary ${d.schema}.${d.name}`, definition: renderTextSearchDictionary(d), comment: d.comment };
  }
  if (kind === 'tscfg') {
    const c = catalog.textSearchConfigs.get(oid);
    return c === undefined
      ? undefined
      : { name: `text search configuration ${c.schema}.${c.name}`, definition: renderTextSearchConfig(c).join('; '), comment: c.comment };
  }
  if (kind === 'coll') {
    const c = catalog.collations.get(oid);
    return c === undefined ? undefined : { name: `collation ${c.schema}.${c.name}`, definition: renderCollation(c), comment: c.comment };
  }
  if (kind === 'rel') {
    const view = catalog.views.get(oid);
    if (view !== undefined) {
      const name = `${view.materialized ? 'materialized view' : 'view'} ${displayName(view)}`;
      const columns = [...view.columnComments].map(([c, text]) => `${c}: ${text}`).join('; ');
      return {
        name,
        definition: squash(`${view.definition} ${view.options.join(',')} ${view.checkOption ?? ''}`),
        comment: view.comment === undefined && columns === '' ? undefined : `${view.comment ?? ''} ${columns}`.trim(),
      };
    }
    const sequence = catalog.sequences.get(oid);
    if (sequence !== undefined)
      return {
        name: `sequence ${displayName(sequence)}`,
        definition: renderSequence(sequence).replace(/^CREATE (UNLOGGED )?SEQUENCE \S+ /, '$1'),
        comment: sequence.comment,
      };
  }
  return undefined;
}
