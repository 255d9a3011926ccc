/**
 * The publication and the slots on the source as they are now: read by the
 * checks, by setup-source before it changes the publication, and by teardown
 * before it drops anything.
 */
import type { Client } from '../pg/connect.js';
import type { QualifiedName } from '../pg/ident.js';

export interface PublicationFacts {
  readonly oid: number;
  readonly name: string;
  readonly owner: string;
  /** The connected role owns it (needed to ALTER or DROP it). */
  readonly owned: boolean;
  readonly allTables: boolean;
  readonly actions: { readonly insert: boolean; readonly update: boolean; readonly delete: boolean; readonly truncate: boolean };
  readonly viaPartitionRoot: boolean;
  /** Selected tables (oids) it publishes, directly, through a partitioned ancestor or (15+) through its schema. */
  readonly covered: ReadonlySet<number>;
  /** Selected tables listed with a row filter or a column list (15+): follow would miss rows or columns. */
  readonly filtered: ReadonlySet<number>;
  /** Tables it lists that are not selected (`schema.table`): another twin may follow them. */
  readonly extra: readonly string[];
  /** The same tables, by schema and name. */
  readonly extraTables: readonly QualifiedName[];
}

const PUBLICATION_SQL = `
SELECT p.oid::int8 AS oid, p.pubname AS name, r.rolname AS owner, pg_has_role(p.pubowner, 'USAGE') AS owned,
       p.puballtables AS all_tables, p.pubinsert AS ins, p.pubupdate AS upd, p.pubdelete AS del, p.pubtruncate AS trunc,
       p.pubviaroot AS via_root
FROM pg_publication p JOIN pg_roles r ON r.oid = p.pubowner
WHERE p.pubname = $1`;

// Schemas published with FOR TABLES IN SCHEMA exist from 15 on; before, nothing is published that way.
const covered = (v15: boolean): string => `
SELECT s.oid::int8 AS oid,
       EXISTS (SELECT 1 FROM pg_publication_rel pr WHERE pr.prpubid = $1 AND (pr.prrelid = s.oid OR pr.prrelid IN (SELECT relid FROM pg_partition_ancestors(s.oid))))
       ${v15 ? `OR EXISTS (SELECT 1 FROM pg_publication_namespace pn JOIN pg_class c ON c.relnamespace = pn.pnnspid WHERE pn.pnpubid = $1 AND c.oid = s.oid)` : ''} AS covered,
       ${v15 ? `EXISTS (SELECT 1 FROM pg_publication_rel pr WHERE pr.prpubid = $1 AND pr.prrelid = s.oid AND (pr.prqual IS NOT NULL OR pr.prattrs IS NOT NULL))` : 'false'} AS filtered
FROM unnest($2::oid[]) AS s(oid)`;

const EXTRA_SQL = `
SELECT n.nspname || '.' || c.relname AS name, n.nspname AS schema, c.relname AS relname
FROM pg_publication_rel pr JOIN pg_class c ON c.oid = pr.prrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE pr.prpubid = $1 AND NOT (pr.prrelid = ANY ($2::oid[]))
ORDER BY 1`;

interface PublicationRow {
  oid: string;
  name: string;
  owner: string;
  owned: boolean;
  all_tables: boolean;
  ins: boolean;
  upd: boolean;
  del: boolean;
  trunc: boolean;
  via_root: boolean;
}

export async function readPublication(
  client: Client,
  name: string,
  selected: readonly number[],
  versionNum: number,
): Promise<PublicationFacts | undefined> {
  const row = (await client.query<PublicationRow>(PUBLICATION_SQL, [name])).rows[0];
  if (row === undefined) return undefined;
  const tables = (
    await client.query<{ oid: string; covered: boolean; filtered: boolean }>(covered(versionNum >= 150000), [row.oid, selected])
  ).rows;
  const extraRows = (await client.query<{ name: string; schema: string; relname: string }>(EXTRA_SQL, [row.oid, selected])).rows;
  return {
    oid: Number(row.oid),
    name: row.name,
    owner: row.owner,
    owned: row.owned,
    allTables: row.all_tables,
    actions: { insert: row.ins, update: row.upd, delete: row.del, truncate: row.trunc },
    viaPartitionRoot: row.via_root,
    covered: new Set(tables.filter((t) => row.all_tables || t.covered).map((t) => Number(t.oid))),
    filtered: new Set(tables.filter((t) => t.filtered).map((t) => Number(t.oid))),
    extra: extraRows.map((r) => r.name),
    extraTables: extraRows.map((r) => ({ schema: r.schema, name: r.relname })),
  };
}

export interface SlotFacts {
  readonly name: string;
  readonly logical: boolean;
  readonly plugin: string | undefined;
  /** The database it decodes; undefined for a physical slot. */
  readonly database: string | undefined;
  readonly active: boolean;
  readonly activePid: number | undefined;
  /** WAL the slot keeps on the source, in bytes; undefined before it has a position. */
  readonly retainedBytes: number | undefined;
  /** reserved, extended, unreserved or lost. */
  readonly walStatus: string | undefined;
}

// pg_current_wal_lsn() fails on a standby; there the replayed position is the newest WAL.
const SLOTS_SQL = `
SELECT slot_name AS name, slot_type = 'logical' AS logical, plugin, database, active, active_pid,
       pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END, restart_lsn)::text AS retained,
       wal_status
FROM pg_replication_slots`;

interface SlotRow {
  name: string;
  logical: boolean;
  plugin: string | null;
  database: string | null;
  active: boolean;
  active_pid: number | null;
  retained: string | null;
  wal_status: string | null;
}

function toSlot(r: SlotRow): SlotFacts {
  return {
    name: r.name,
    logical: r.logical,
    plugin: r.plugin ?? undefined,
    database: r.database ?? undefined,
    active: r.active,
    activePid: r.active_pid ?? undefined,
    retainedBytes: r.retained === null ? undefined : Math.max(0, Number(r.retained)),
    walStatus: r.wal_status ?? undefined,
  };
}

export async function readSlot(client: Client, name: string): Promise<SlotFacts | undefined> {
  const row = (await client.query<SlotRow>(`${SLOTS_SQL} WHERE slot_name = $1`, [name])).rows[0];
  return row === undefined ? undefined : toSlot(row);
}

/** Other twins' slots on this database: they need the publication too. */
export async function readOtherTwinSlots(client: Client, except: string): Promise<SlotFacts[]> {
  const rows = (
    await client.query<SlotRow>(
      `${SLOTS_SQL} WHERE slot_name LIKE 'pgtwin\\_%' AND slot_name <> $1 AND database = current_database() ORDER BY slot_name`,
      [except],
    )
  ).rows;
  return rows.map(toSlot);
}
