/**
 * A catalog's per-relation lists, grouped once: planning asks "the constraints
 * of this table" for every table, which on a catalog of thousands of tables
 * must not rescan every constraint each time.
 */
import type { ConstraintDef, IndexDef, CatalogObjects, SequenceDef, TriggerDef } from './objects.js';

export interface CatalogGroups {
  readonly constraints: ReadonlyMap<number, readonly ConstraintDef[]>;
  readonly indexes: ReadonlyMap<number, readonly IndexDef[]>;
  readonly indexByOid: ReadonlyMap<number, IndexDef>;
  readonly triggers: ReadonlyMap<number, readonly TriggerDef[]>;
  /** Sequences owned by a table's columns (serial, OWNED BY, identity). */
  readonly ownedSequences: ReadonlyMap<number, readonly SequenceDef[]>;
  /** Array types by element type. */
  readonly arrayOf: ReadonlyMap<number, readonly number[]>;
}

const cache = new WeakMap<CatalogObjects, CatalogGroups>();

export function groups(catalog: CatalogObjects): CatalogGroups {
  const known = cache.get(catalog);
  if (known !== undefined) return known;
  const made: CatalogGroups = {
    constraints: group(catalog.constraints, (c) => c.tableOid),
    indexes: group(catalog.indexes, (i) => i.relationOid),
    indexByOid: new Map(catalog.indexes.map((i) => [i.oid, i])),
    triggers: group(catalog.triggers, (t) => t.relationOid),
    ownedSequences: group(
      [...catalog.sequences.values()].filter((s) => s.ownedBy !== undefined),
      (s) => s.ownedBy?.tableOid ?? 0,
    ),
    arrayOf: group(
      [...catalog.types.values()].filter((t) => t.kind === 'array' && t.elementOid !== undefined),
      (t) => t.elementOid ?? 0,
      (t) => t.oid,
    ),
  };
  cache.set(catalog, made);
  return made;
}

function group<T, V = T>(
  items: Iterable<T>,
  key: (item: T) => number,
  value: (item: T) => V = (item) => item as unknown as V,
): Map<number, V[]> {
  const map = new Map<number, V[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list === undefined) map.set(k, [value(item)]);
    else list.push(value(item));
  }
  return map;
}
