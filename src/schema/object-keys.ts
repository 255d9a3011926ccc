/**
 * pg_depend names a table's row type (or an array of it) where a function
 * argument or a column uses it; the object that has to exist first is the
 * table. `canonicalKey` maps such keys to what is actually created, so
 * ordering and reachability see one node per created object.
 */
import type { ObjectKey, CatalogObjects } from '../catalog/index.js';

export function canonicalKey(catalog: CatalogObjects, key: ObjectKey): ObjectKey {
  let current = key;
  for (let depth = 0; depth < 4 && current.startsWith('type:'); depth++) {
    const type = catalog.types.get(Number(current.slice(5)));
    if (type === undefined) return current;
    if (type.kind === 'array' && type.elementOid !== undefined) current = `type:${type.elementOid}`;
    else if (type.kind === 'rowtype' && type.relationOid !== undefined) return `rel:${type.relationOid}`;
    else return current;
  }
  return current;
}

/** Dependents by what they depend on (canonical keys on both sides). */
export function reverseDependencies(catalog: CatalogObjects): Map<ObjectKey, ObjectKey[]> {
  const dependents = new Map<ObjectKey, ObjectKey[]>();
  for (const [dependent, refs] of catalog.dependencies) {
    const from = canonicalKey(catalog, dependent);
    for (const ref of refs) {
      const to = canonicalKey(catalog, ref);
      if (to === from) continue;
      const list = dependents.get(to);
      if (list === undefined) dependents.set(to, [from]);
      else if (!list.includes(from)) list.push(from);
    }
  }
  return dependents;
}
