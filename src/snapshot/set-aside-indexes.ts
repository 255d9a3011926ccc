/**
 * The keys and indexes of a twin table that is loaded again step aside for
 * the load and are built again on its rows: one sort per index is cheaper
 * for the target than an index maintained row by row (about a fifth of the
 * target's CPU for a table with only its primary key). Tables this run
 * creates get their keys after the copy already (post-data); this is for
 * every refresh after the first.
 *
 * Each index is recorded in pgtwin.pending_indexes, with the statements that
 * bring it back as it was (tablespace, replica identity, CLUSTER mark,
 * comments, statistics targets), in the transaction that drops it: an
 * interrupted run never loses one, and the next run builds it.
 *
 * Left in place, because dropping them would break or change something
 * else: indexes on partitions and partitioned tables (attached to a parent
 * index), indexes something depends on (a foreign key of a table outside the
 * run, a view grouping by a primary key), invalid indexes, indexes of tables
 * the role does not own, and every index of a run whose load fires triggers
 * (`ENABLE ALWAYS`, or `ENABLE REPLICA` under the replica role): a trigger's
 * `ON CONFLICT` needs its unique index during the load.
 */
import type { Client } from '../pg/connect.js';
import { displayName, quoteIdent, quoteLiteral, quoteQualified, type QualifiedName } from '../pg/ident.js';
import { messageOf } from '../errors.js';
import { sqlStateOf } from '../pg/retry.js';

/** Below this size on the source, a table keeps its indexes: the statements cost more than the index upkeep saves. */
export const SET_ASIDE_MIN_BYTES = 8 * 1024 * 1024;

interface IndexRow {
  table_schema: string;
  table_name: string;
  index_name: string;
  constraint_name: string | null;
  definition: string;
  tablespace: string | null;
  replica_identity: boolean;
  clustered: boolean;
  index_comment: string | null;
  constraint_comment: string | null;
  statistics: string[] | null;
}

const INDEXES_SQL = `
SELECT n.nspname AS table_schema, c.relname AS table_name, ic.relname AS index_name,
       con.conname AS constraint_name,
       CASE WHEN con.oid IS NULL THEN pg_get_indexdef(i.indexrelid) ELSE pg_get_constraintdef(con.oid) END AS definition,
       ts.spcname AS tablespace,
       i.indisreplident AS replica_identity,
       i.indisclustered AS clustered,
       obj_description(i.indexrelid, 'pg_class') AS index_comment,
       CASE WHEN con.oid IS NULL THEN NULL ELSE obj_description(con.oid, 'pg_constraint') END AS constraint_comment,
       (SELECT array_agg(a.attnum || ' ' || a.attstattarget ORDER BY a.attnum)
          FROM pg_attribute a WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0) AS statistics
  FROM unnest($1::text[], $2::text[]) AS wanted(schema_name, table_name)
  JOIN pg_namespace n ON n.nspname = wanted.schema_name
  JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = wanted.table_name
  JOIN pg_index i ON i.indrelid = c.oid
  JOIN pg_class ic ON ic.oid = i.indexrelid
  LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = c.oid AND con.contype IN ('p', 'u', 'x')
  LEFT JOIN pg_tablespace ts ON ts.oid = ic.reltablespace
 WHERE c.relkind = 'r' AND NOT c.relispartition
   AND i.indisvalid AND i.indisready AND i.indislive
   AND pg_has_role(c.relowner, 'USAGE')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = i.indexrelid)
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE con.oid IS NOT NULL AND d.refclassid = 'pg_constraint'::regclass AND d.refobjid = con.oid
                      AND NOT (d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid))
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid AND d.deptype = 'e')
 ORDER BY n.nspname, c.relname, con.contype NULLS LAST, ic.relname`;

const FIRING_TRIGGERS_SQL = `
SELECT EXISTS (
  SELECT 1 FROM unnest($1::text[], $2::text[]) AS wanted(schema_name, table_name)
    JOIN pg_namespace n ON n.nspname = wanted.schema_name
    JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = wanted.table_name
    JOIN pg_trigger t ON t.tgrelid = c.oid
   WHERE NOT t.tgisinternal AND (t.tgenabled = 'A' OR (t.tgenabled = 'R' AND $3))) AS fires`;

export interface SetAsideResult {
  /** Indexes dropped (constraints' included). */
  readonly indexes: number;
  /** Tables (`schema.table`) whose indexes were dropped. */
  readonly tables: ReadonlySet<string>;
  /** Why nothing was set aside although tables qualified, if so. */
  readonly keptBecause?: string;
}

/**
 * Inside the caller's transaction, before the tables are emptied. `tables`
 * are existing twin tables the run loads whole; `replicaRole` says whether
 * the loading sessions run as replica (which triggers fire).
 */
export async function setAsideIndexes(
  client: Client,
  tables: readonly QualifiedName[],
  replicaRole: boolean,
  runId: number,
): Promise<SetAsideResult> {
  if (tables.length === 0) return { indexes: 0, tables: new Set() };
  const names = [tables.map((t) => t.schema), tables.map((t) => t.name)];
  const firing = await client.query<{ fires: boolean }>(FIRING_TRIGGERS_SQL, [...names, replicaRole]);
  if (firing.rows[0]?.fires === true)
    return { indexes: 0, tables: new Set(), keptBecause: 'a trigger of a loaded table fires during the load' };
  // With only pg_catalog on the path, the definitions name every table, type and operator with its schema.
  const path = await client.query<{ path: string }>("SELECT current_setting('search_path') AS path");
  await client.query("SELECT set_config('search_path', 'pg_catalog', true)");
  const rows = (await client.query<IndexRow>(INDEXES_SQL, names)).rows;
  await client.query("SELECT set_config('search_path', $1, true)", [path.rows[0]?.path ?? '']);
  for (const row of rows) {
    const table = { schema: row.table_schema, name: row.table_name };
    await client.query(
      `INSERT INTO pgtwin.pending_indexes (table_schema, table_name, index_name, restore, run_id)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [row.table_schema, row.table_name, row.index_name, restoreStatements(row), runId],
    );
    await client.query(
      row.constraint_name === null
        ? `DROP INDEX ${quoteQualified({ schema: row.table_schema, name: row.index_name })}`
        : `ALTER TABLE ONLY ${quoteQualified(table)} DROP CONSTRAINT ${quoteIdent(row.constraint_name)}`,
    );
  }
  return { indexes: rows.length, tables: new Set(rows.map((r) => `${r.table_schema}.${r.table_name}`)) };
}

/** What builds the index again, in order, inside one transaction. */
function restoreStatements(row: IndexRow): string[] {
  const table = quoteQualified({ schema: row.table_schema, name: row.table_name });
  const index = quoteQualified({ schema: row.table_schema, name: row.index_name });
  const out = [`SET LOCAL default_tablespace = ${row.tablespace === null ? "''" : quoteIdent(row.tablespace)}`];
  out.push(
    row.constraint_name === null
      ? row.definition
      : `ALTER TABLE ONLY ${table} ADD CONSTRAINT ${quoteIdent(row.constraint_name)} ${row.definition}`,
  );
  if (row.replica_identity) out.push(`ALTER TABLE ONLY ${table} REPLICA IDENTITY USING INDEX ${quoteIdent(row.index_name)}`);
  if (row.clustered) out.push(`ALTER TABLE ONLY ${table} CLUSTER ON ${quoteIdent(row.index_name)}`);
  if (row.constraint_name !== null && row.constraint_comment !== null)
    out.push(`COMMENT ON CONSTRAINT ${quoteIdent(row.constraint_name)} ON ${table} IS ${quoteLiteral(row.constraint_comment)}`);
  if (row.index_comment !== null) out.push(`COMMENT ON INDEX ${index} IS ${quoteLiteral(row.index_comment)}`);
  for (const entry of row.statistics ?? []) {
    const [column, target] = entry.split(' ');
    out.push(`ALTER INDEX ${index} ALTER COLUMN ${Number(column)} SET STATISTICS ${Number(target)}`);
  }
  return out;
}

export interface PendingIndex {
  readonly table: QualifiedName;
  readonly name: string;
  readonly restore: readonly string[];
}

/** `schema.index` of a pending index: its name in messages. */
export function pendingIndexKey(index: { readonly table: QualifiedName; readonly name: string }): string {
  return `${index.table.schema}.${index.name}`;
}

export async function pendingIndexes(client: Client, table?: QualifiedName): Promise<PendingIndex[]> {
  const result = await client.query<{ table_schema: string; table_name: string; index_name: string; restore: string[] }>(
    `SELECT table_schema, table_name, index_name, restore FROM pgtwin.pending_indexes
      WHERE $1::text IS NULL OR (table_schema = $1 AND table_name = $2)
      ORDER BY dropped_at, table_schema, table_name, index_name`,
    [table?.schema ?? null, table?.name ?? null],
  );
  return result.rows.map((r) => ({ table: { schema: r.table_schema, name: r.table_name }, name: r.index_name, restore: r.restore }));
}

export interface IndexRestoreFailure {
  readonly index: PendingIndex;
  readonly reason: string;
}

/**
 * Builds pending indexes again (from `pendingIndexes`), each in its own
 * transaction with the removal of its pending row. One whose rows do not
 * hold (duplicates in a unique column) stays pending and is reported; an
 * index that exists again by its name (built by hand, or by a run's
 * post-data) is only taken off the list.
 */
export async function restoreIndexes(client: Client, indexes: readonly PendingIndex[]): Promise<IndexRestoreFailure[]> {
  const failures: IndexRestoreFailure[] = [];
  for (const index of indexes) {
    await client.query('BEGIN');
    try {
      const exists = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [
        quoteQualified({ schema: index.table.schema, name: index.name }),
      ]);
      if (exists.rows[0]?.present !== true) for (const sql of index.restore) await client.query(sql);
      await client.query('DELETE FROM pgtwin.pending_indexes WHERE table_schema = $1 AND table_name = $2 AND index_name = $3', [
        index.table.schema,
        index.table.name,
        index.name,
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // PostgreSQL's detail names the duplicated values; a log is no place for them.
      const reason = sqlStateOf(error) === '23505' ? `${messageOf(error)}: the copied rows hold duplicate values` : messageOf(error);
      failures.push({ index, reason });
    }
  }
  return failures;
}

/** `index <schema>.<name>` and `constraint <name> on <schema>.<table>`: how the schema planner names what is pending here. */
export function pendingIndexObjects(indexes: readonly PendingIndex[]): Set<string> {
  const objects = new Set<string>();
  for (const index of indexes) {
    objects.add(`index ${pendingIndexKey(index)}`);
    objects.add(`constraint ${index.name} on ${displayName(index.table)}`);
  }
  return objects;
}
