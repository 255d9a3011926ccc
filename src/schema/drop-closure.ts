/**
 * What `DROP TABLE ... CASCADE` takes with it on the target: the tables, their
 * partitions, indexes, constraints, triggers and owned sequences, and every
 * object elsewhere that depends on them (views, foreign keys of other tables,
 * functions over their row types). Computed before anything is dropped, so the
 * confirmation can list it and the plan can create what the source has again.
 */
import type { ObjectKey, CatalogObjects } from '../catalog/index.js';
import { groups } from '../catalog/index.js';

export interface DropClosure {
  readonly keys: ReadonlySet<ObjectKey>;
  /** Dropped objects other than the tables asked for and their own parts, for the confirmation. */
  readonly alsoDropped: readonly string[];
}

export function dropClosure(target: CatalogObjects, tableOids: readonly number[]): DropClosure {
  const dependents = new Map<ObjectKey, ObjectKey[]>();
  for (const [dependent, refs] of target.dependencies) {
    for (const ref of refs) {
      const list = dependents.get(ref);
      if (list === undefined) dependents.set(ref, [dependent]);
      else list.push(dependent);
    }
  }
  const rowTypes = new Map<number, ObjectKey[]>();
  for (const table of target.tables.values()) {
    const arrays = (groups(target).arrayOf.get(table.rowTypeOid) ?? []).map((oid) => `type:${oid}`);
    rowTypes.set(table.oid, [`type:${table.rowTypeOid}`, ...arrays]);
  }
  const identityOf = new Map<number, number[]>();
  for (const s of target.sequences.values()) {
    if (s.ownedBy === undefined) continue;
    identityOf.set(s.ownedBy.tableOid, [...(identityOf.get(s.ownedBy.tableOid) ?? []), s.oid]);
  }

  const keys = new Set<ObjectKey>();
  const queue: ObjectKey[] = tableOids.map((oid) => `rel:${oid}`);
  while (queue.length > 0) {
    const key = queue.pop();
    if (key === undefined || keys.has(key)) continue;
    keys.add(key);
    queue.push(...(dependents.get(key) ?? []));
    if (key.startsWith('rel:')) {
      const oid = Number(key.slice(4));
      queue.push(...(rowTypes.get(oid) ?? []));
      // Identity sequences hang on their table by an internal dependency, not in the map.
      queue.push(...(identityOf.get(oid) ?? []).map((s) => `rel:${s}`));
    }
  }

  const own = new Set(tableOids);
  const ownParts = (oid: number): boolean => {
    for (let t = target.tables.get(oid); t !== undefined; t = t.partitionOf === undefined ? undefined : target.tables.get(t.partitionOf)) {
      if (own.has(t.oid)) return true;
    }
    return false;
  };
  const alsoDropped: string[] = [];
  for (const key of keys) {
    const [kind, rawOid] = key.split(':');
    const oid = Number(rawOid);
    if (kind === 'rel') {
      const rel = target.relations.get(oid);
      if (rel === undefined || ownParts(oid)) continue;
      const sequence = target.sequences.get(oid);
      if (sequence?.ownedBy !== undefined && ownParts(sequence.ownedBy.tableOid)) continue;
      const word = rel.relkind === 'v' ? 'view' : rel.relkind === 'm' ? 'materialized view' : rel.relkind === 'S' ? 'sequence' : 'table';
      alsoDropped.push(`${word} ${rel.schema}.${rel.name}`);
    } else if (kind === 'con') {
      const con = target.constraints.find((c) => c.oid === oid);
      if (con !== undefined && !ownParts(con.tableOid)) alsoDropped.push(`constraint ${con.name} on ${nameOf(target, con.tableOid)}`);
    } else if (kind === 'fn') {
      const fn = target.functions.get(oid);
      if (fn !== undefined) alsoDropped.push(`function ${fn.signature}`);
    } else if (kind === 'trg') {
      const trigger = target.triggers.find((t) => t.oid === oid);
      if (trigger !== undefined && !ownParts(trigger.relationOid))
        alsoDropped.push(`trigger ${trigger.name} on ${nameOf(target, trigger.relationOid)}`);
    }
  }
  return { keys, alsoDropped: alsoDropped.sort() };
}

function nameOf(catalog: CatalogObjects, oid: number): string {
  const rel = catalog.relations.get(oid);
  return rel === undefined ? `relation ${oid}` : `${rel.schema}.${rel.name}`;
}
