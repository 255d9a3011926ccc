/**
 * Which objects other than tables the twin gets. With no table pattern the
 * twin is the whole database: every schema (empty ones too), extension,
 * collation, type, function, aggregate, view and sequence. With patterns it
 * gets what lives in the schemas of the selected tables, plus whatever is
 * built on a selected table wherever it lives (a view in a reporting schema).
 */
import type { ObjectKey, CatalogObjects } from '../catalog/index.js';
import { canonicalKey, reverseDependencies } from './object-keys.js';
import type { SchemaScope } from './schema-scope.js';

export interface ObjectCandidates {
  /** Keys in catalog order: collations, text search dictionaries and configurations, types, sequences, functions, views. */
  readonly keys: readonly ObjectKey[];
  /** Schemas the twin should have even when empty. */
  readonly schemas: readonly string[];
  /** Extensions the twin should have even when nothing selected needs them. */
  readonly extensions: readonly string[];
}

export function objectCandidates(source: CatalogObjects, scope: SchemaScope, wholeDatabase: boolean): ObjectCandidates {
  const all: Array<{ key: ObjectKey; schema: string }> = [];
  const member = (key: ObjectKey): boolean => source.extensionMembers.has(key);
  for (const c of source.collations.values())
    if (!c.system && !member(`coll:${c.oid}`)) all.push({ key: `coll:${c.oid}`, schema: c.schema });
  for (const d of source.textSearchDictionaries.values()) all.push({ key: `tsdict:${d.oid}`, schema: d.schema });
  for (const c of source.textSearchConfigs.values()) all.push({ key: `tscfg:${c.oid}`, schema: c.schema });
  for (const t of source.types.values()) {
    if (t.system || member(`type:${t.oid}`)) continue;
    if (t.kind === 'enum' || t.kind === 'domain' || t.kind === 'composite' || t.kind === 'range')
      all.push({ key: `type:${t.oid}`, schema: t.schema });
  }
  for (const s of source.sequences.values())
    if (s.ownedBy === undefined && !member(`rel:${s.oid}`)) all.push({ key: `rel:${s.oid}`, schema: s.schema });
  for (const f of source.functions.values()) all.push({ key: `fn:${f.oid}`, schema: f.schema });
  for (const v of source.views.values()) all.push({ key: `rel:${v.oid}`, schema: v.schema });

  if (wholeDatabase) {
    return { keys: all.map((o) => o.key), schemas: [...source.schemas], extensions: [...source.extensions.keys()] };
  }
  const schemas = new Set(scope.tables.map((t) => t.schema));
  const builtOn = dependentsOf(
    source,
    [...scope.inScope].map((oid) => `rel:${oid}`),
  );
  return { keys: all.filter((o) => schemas.has(o.schema) || builtOn.has(o.key)).map((o) => o.key), schemas: [], extensions: [] };
}

/** Everything that depends, directly or through other objects, on the given keys. */
export function dependentsOf(source: CatalogObjects, roots: readonly ObjectKey[]): Set<ObjectKey> {
  const reverse = reverseDependencies(source);
  const found = new Set<ObjectKey>();
  const queue = roots.map((k) => canonicalKey(source, k));
  while (queue.length > 0) {
    const key = queue.pop();
    if (key === undefined) continue;
    for (const dependent of reverse.get(key) ?? []) {
      if (found.has(dependent)) continue;
      found.add(dependent);
      queue.push(dependent);
    }
  }
  return found;
}
