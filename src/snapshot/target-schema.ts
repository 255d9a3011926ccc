/**
 * What sync creates on the target before it copies: the selected tables that
 * the target lacks (or all of them with `recreate`), with the types,
 * sequences and functions they need, planned from the source's catalog. The
 * copy plan is then built against the target as it will be once the pre-data
 * has run, which is the source's shape for every created table.
 */
import type { Settings } from '../config/index.js';
import { emptyDatabaseLike, type Catalog } from '../catalog/index.js';
import type { TableCatalog, TableInfo } from '../catalog/index.js';
import type { Client } from '../pg/connect.js';
import { displayName } from '../pg/ident.js';
import { notCreated, planSchema, type SchemaPlan } from '../schema/index.js';
import { isWholeDatabase, selectForRun } from '../plan/select-tables.js';
import { pendingForeignKeys } from './foreign-keys.js';
import { pendingIndexes, pendingIndexObjects } from './set-aside-indexes.js';

export interface TargetSchemaPlan {
  /** DDL before the load (pre-data) and after it (keys, indexes, foreign keys, views, triggers, grants). */
  readonly ddl: SchemaPlan;
  /** Selected tables (keys) the pre-data creates. */
  readonly created: readonly string[];
  /** Of those, the ones that exist now and are dropped first (recreate). */
  readonly dropped: readonly string[];
}

export interface TargetSchemaResult {
  /** Undefined when the target already has every selected table (and no recreate). */
  readonly schema: TargetSchemaPlan | undefined;
  /** The target's catalog as the copy will find it. */
  readonly target: TableCatalog;
}

export async function planTargetSchema(
  settings: Settings,
  clients: { readonly target: Client },
  source: Catalog,
  target: Catalog,
  recreate: boolean,
): Promise<TargetSchemaResult> {
  const selected = selectForRun(settings, source).tables;
  const missing = [...selected.keys()].filter((key) => !target.tables.has(key));
  // Views, functions and the rest are compared on every run: a twin whose tables exist may still lack them.
  const tables = [...selected.values()].map((t) => ({ schema: t.schema, name: t.name }));
  const planned = planSchema(source.objects, target.objects, { tables, recreate, wholeDatabase: isWholeDatabase(settings.tables) });
  // Foreign keys and indexes a stopped run set aside are not missing: the run builds them from pgtwin's records.
  const pending = await pendingObjects(clients.target);
  const ddl = pending.size === 0 ? planned : { ...planned, postData: planned.postData.filter((s) => !pending.has(s.object)) };
  if (missing.length === 0 && !recreate && ddl.preData.length === 0 && ddl.postData.length === 0 && notCreated(ddl.skipped).length === 0)
    return { schema: undefined, target };
  const created = recreate ? [...selected.keys()] : missing;
  const dropped = recreate ? created.filter((key) => target.tables.has(key)) : [];
  return { schema: { ddl, created, dropped }, target: afterPreData(source, target, new Set(created)) };
}

/**
 * The schema of a twin that does not exist yet, from the source's catalog
 * alone (capture's base: no target to read): every selected table created,
 * with what it needs, as sync plans it for an empty target database.
 */
export function planSchemaFromSource(settings: Settings, source: Catalog): TargetSchemaPlan & { readonly target: TableCatalog } {
  const empty = emptyDatabaseLike(source);
  const selected = selectForRun(settings, source).tables;
  const tables = [...selected.values()].map((t) => ({ schema: t.schema, name: t.name }));
  const ddl = planSchema(source.objects, empty.objects, { tables, recreate: false, wholeDatabase: isWholeDatabase(settings.tables) });
  const created = [...selected.keys()];
  return { ddl, created, dropped: [], target: afterPreData(source, empty, new Set(created)) };
}

/**
 * How the schema planner names the foreign keys and indexes an earlier run set
 * aside (none before pgtwin's schema exists, or its index records).
 */
async function pendingObjects(target: Client): Promise<Set<string>> {
  const exists = await target.query<{ keys: boolean; indexes: boolean }>(
    "SELECT to_regclass('pgtwin.pending_foreign_keys') IS NOT NULL AS keys, to_regclass('pgtwin.pending_indexes') IS NOT NULL AS indexes",
  );
  const objects = new Set<string>();
  if (exists.rows[0]?.keys === true)
    for (const fk of await pendingForeignKeys(target)) objects.add(`foreign key ${fk.name} on ${displayName(fk.table)}`);
  if (exists.rows[0]?.indexes === true) for (const object of pendingIndexObjects(await pendingIndexes(target))) objects.add(object);
  return objects;
}

/** The target catalog with the created tables (and their partitions) in the source's shape. */
function afterPreData(source: Catalog, target: Catalog, created: ReadonlySet<string>): TableCatalog {
  const replaced = (table: TableInfo | { schema: string; name: string }, catalog: TableCatalog): boolean => {
    const key = displayName(table);
    if (created.has(key)) return true;
    const root = catalog.tables.get(key)?.partitionRoot;
    return root !== undefined && created.has(displayName(root));
  };
  const tables = new Map([...target.tables].filter(([, t]) => !replaced(t, target)));
  for (const [key, table] of source.tables) if (replaced(table, source)) tables.set(key, table);
  return {
    serverVersionNum: target.serverVersionNum,
    tables,
    // Keys of created tables come with the post-data, after the load.
    foreignKeys: target.foreignKeys.filter((fk) => !replaced(fk.table, target) && !replaced(fk.referencedTable, target)),
    sequences: [
      ...target.sequences.filter((s) => !replaced(s.table, target)),
      ...source.sequences.filter((s) => replaced(s.table, source)),
    ],
  };
}
