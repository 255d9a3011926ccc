/**
 * What the applier must know about the twin's tables before it may apply
 * several rows in one statement, read from the twin's catalog once per
 * session (after the first load, so foreign keys set aside for it are back):
 *
 * - column types without their modifier, to type the rows of a VALUES list
 *   (an explicit cast to `varchar(20)` would silently cut a value that
 *   assigning it reports; the column's own assignment still applies the
 *   modifier);
 * - tables with a unique index besides the primary key, or an exclusion
 *   constraint, checked row by row (not deferrable): a multi-row UPDATE
 *   changes rows in the order of its plan, not the source's, and such an
 *   index checks each row as it changes, so a value handed from one row to
 *   another could collide midway;
 * - which tables a foreign key links: their changes keep their relative
 *   source order (a child row must not arrive before its parent), while
 *   unlinked tables may be applied in any order within a twin transaction;
 * - GENERATED ALWAYS identity columns: an INSERT gives them the source's
 *   value only with OVERRIDING SYSTEM VALUE, and an UPDATE may never set them;
 * - tables with INSERT or UPDATE rules: PostgreSQL refuses `INSERT ... ON
 *   CONFLICT` on them when it rewrites the statement, whatever the
 *   replication role and even when the rule is disabled, so their upserts
 *   are written another way (src/apply/table-sql.ts).
 */
import type { Client } from '../pg/connect.js';
import type { TablePlan } from '../plan/plan.js';

export interface TwinFacts {
  /** table key -> column -> type name without modifier (`format_type(type, -1)`). */
  readonly columnTypes: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Tables whose rows must be updated one statement each (see above). */
  readonly rowOrderedUpdates: ReadonlySet<string>;
  /** table key -> the key of the first table of its foreign-key-linked group. */
  readonly orderGroup: ReadonlyMap<string, string>;
  /** table key -> its GENERATED ALWAYS identity columns. */
  readonly identityAlways: ReadonlyMap<string, ReadonlySet<string>>;
  /** Tables with an INSERT or UPDATE rule: no ON CONFLICT. */
  readonly withRules: ReadonlySet<string>;
}

interface TableRow {
  key: string;
  oid: string | null;
  types: Record<string, string> | null;
  extra_unique: boolean | null;
  identity_always: string[] | null;
  has_rules: boolean | null;
}

interface LinkRow {
  child: string;
  child_root: string;
  parent: string;
  parent_root: string;
}

export async function readTwinFacts(client: Client, plans: readonly TablePlan[]): Promise<TwinFacts> {
  // pg_partition_tree() lists a partitioned table's tree, and nothing for a plain table: hence the table itself as well.
  const tables = await client.query<TableRow>(
    `SELECT t.key, t.rel::oid::text AS oid,
       (SELECT json_object_agg(a.attname, format_type(a.atttypid, -1)) FROM pg_attribute a WHERE a.attrelid = t.rel AND a.attnum > 0 AND NOT a.attisdropped) AS types,
       (SELECT array_agg(a.attname::text) FROM pg_attribute a WHERE a.attrelid = t.rel AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity = 'a') AS identity_always,
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid IN (SELECT t.rel UNION ALL SELECT relid FROM pg_partition_tree(t.rel)) AND i.indisunique AND NOT i.indisprimary AND i.indimmediate)
         OR EXISTS (SELECT 1 FROM pg_constraint x WHERE x.conrelid IN (SELECT t.rel UNION ALL SELECT relid FROM pg_partition_tree(t.rel)) AND x.contype = 'x' AND NOT x.condeferrable) AS extra_unique,
       EXISTS (SELECT 1 FROM pg_rewrite w WHERE w.ev_class IN (SELECT t.rel UNION ALL SELECT relid FROM pg_partition_tree(t.rel)) AND w.ev_type IN ('2', '3')) AS has_rules
     FROM (SELECT k.key, c.oid::regclass AS rel
             FROM unnest($1::text[], $2::text[], $3::text[]) AS k(key, schema_name, table_name)
             LEFT JOIN pg_namespace n ON n.nspname = k.schema_name
             LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = k.table_name) t`,
    [plans.map((p) => p.key), plans.map((p) => p.target.schema), plans.map((p) => p.target.name)],
  );
  const links = await client.query<LinkRow>(
    `SELECT conrelid::oid::text AS child, coalesce(pg_partition_root(conrelid), conrelid)::oid::text AS child_root,
            confrelid::oid::text AS parent, coalesce(pg_partition_root(confrelid), confrelid)::oid::text AS parent_root
       FROM pg_constraint WHERE contype = 'f'`,
  );

  const columnTypes = new Map<string, Map<string, string>>();
  const rowOrderedUpdates = new Set<string>();
  const keyOfOid = new Map<string, string>();
  const identityAlways = new Map<string, Set<string>>();
  const withRules = new Set<string>();
  for (const row of tables.rows) {
    if (row.has_rules === true) withRules.add(row.key);
    if (row.identity_always !== null) identityAlways.set(row.key, new Set(row.identity_always));
    columnTypes.set(row.key, new Map(Object.entries(row.types ?? {})));
    // A table the twin does not have (yet) is treated the careful way; applying to it fails anyway.
    if (row.oid === null || row.extra_unique !== false) rowOrderedUpdates.add(row.key);
    if (row.oid !== null) keyOfOid.set(row.oid, row.key);
  }

  // Union-find over foreign keys between selected tables (partitions count as their root).
  const parent = new Map<string, string>(plans.map((p) => [p.key, p.key]));
  const find = (key: string): string => {
    let root = key;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(key, root);
    return root;
  };
  for (const link of links.rows) {
    const a = keyOfOid.get(link.child) ?? keyOfOid.get(link.child_root);
    const b = keyOfOid.get(link.parent) ?? keyOfOid.get(link.parent_root);
    if (a === undefined || b === undefined) continue;
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent.set(rb, ra);
  }
  return { columnTypes, rowOrderedUpdates, orderGroup: new Map(plans.map((p) => [p.key, find(p.key)])), identityAlways, withRules };
}
