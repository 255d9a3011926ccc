/**
 * The twin is a replica: what production sent is what the twin holds. Every
 * target session that writes rows (the sync's control session and copy
 * workers, follow's applier) runs with `session_replication_role = replica`,
 * so the twin's own triggers (a `last_updated` BEFORE UPDATE trigger, an
 * AFTER INSERT trigger that writes an audit table), its rules and its
 * foreign-key triggers do not fire. Triggers and rules made `ENABLE ALWAYS`
 * (or `ENABLE REPLICA`) fire all the same: someone asked for that.
 *
 * Setting the parameter needs a superuser, or (PostgreSQL 15 and later)
 * `GRANT SET ON PARAMETER session_replication_role`. A role without either:
 *
 * - whose twin tables have no trigger that would fire needs nothing;
 * - in `sync`, that owns the tables: each load transaction turns their
 *   triggers off (`ALTER TABLE ... DISABLE TRIGGER name`, only those enabled
 *   for origin sessions) and back on before it commits, so no other session
 *   ever sees them off and a crash leaves nothing to repair. The ALTER takes
 *   a SHARE ROW EXCLUSIVE lock until the commit: the chunks of a split table
 *   with such triggers load one after the other. COPY never fires rules;
 * - otherwise (`follow`, whose transactions are many and short and where a
 *   rule rewrites statements too; or a role that does not own the tables) is
 *   refused before anything is written, with the GRANT to run.
 */
import type { Client } from './connect.js';
import { displayName, quoteIdent, quoteQualified, type QualifiedName } from './ident.js';
import { sqlStateOf } from './retry.js';
import { REPLICA_ROLE, setSql } from './session-settings.js';
import { SafetyError } from '../errors.js';

const REPLICA_ROLE_SQL = setSql([REPLICA_ROLE]);

/** A trigger or rule of the twin that fires in an origin session. */
export interface FiringObject {
  readonly kind: 'trigger' | 'rule';
  /** The selected table (`schema.table`) whose rows it sees. */
  readonly table: string;
  /** The relation it is defined on: the table, or one of its partitions. */
  readonly relation: QualifiedName;
  readonly name: string;
  /** The session's role may ALTER the relation (owns it, or is a member of its owner). */
  readonly owned: boolean;
}

export interface TwinWriteMode {
  /** Sessions that write rows set session_replication_role = replica. */
  readonly replicaRole: boolean;
  /** Without it: per table key, the triggers each load transaction turns off and on again. */
  readonly triggersOff: ReadonlyMap<string, readonly FiringObject[]>;
}

export const REPLICA_MODE: TwinWriteMode = { replicaRole: true, triggersOff: new Map() };

/** Sets the replica role on `client`, outside a transaction; false when the role may not. */
export async function trySetReplicaRole(client: Client): Promise<boolean> {
  try {
    await client.query(REPLICA_ROLE_SQL);
    return true;
  } catch (error) {
    if (sqlStateOf(error) === '42501') return false;
    throw error;
  }
}

/**
 * The triggers and rules that an origin session's writes fire on these twin
 * tables and their partitions. Clones of a partitioned table's trigger are
 * left out: ALTER TABLE on the partitioned table reaches them.
 */
export async function readFiringObjects(
  client: Client,
  tables: readonly { readonly key: string; readonly target: QualifiedName }[],
): Promise<FiringObject[]> {
  const result = await client.query<{
    kind: 'trigger' | 'rule';
    key: string;
    schema_name: string;
    rel_name: string;
    name: string;
    owned: boolean;
  }>(
    `WITH tree AS (
       SELECT k.key, tr.relid
         FROM unnest($1::text[], $2::text[], $3::text[]) AS k(key, schema_name, table_name)
         JOIN pg_namespace n ON n.nspname = k.schema_name
         JOIN pg_class r ON r.relnamespace = n.oid AND r.relname = k.table_name
         CROSS JOIN LATERAL (SELECT r.oid AS relid UNION SELECT relid FROM pg_partition_tree(r.oid)) tr)
     SELECT 'trigger' AS kind, tree.key, n.nspname AS schema_name, c.relname AS rel_name, t.tgname AS name, pg_has_role(c.relowner, 'USAGE') AS owned
       FROM tree JOIN pg_class c ON c.oid = tree.relid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_trigger t ON t.tgrelid = c.oid AND NOT t.tgisinternal AND t.tgenabled = 'O' AND t.tgparentid = 0
     UNION ALL
     SELECT 'rule', tree.key, n.nspname, c.relname, w.rulename, pg_has_role(c.relowner, 'USAGE')
       FROM tree JOIN pg_class c ON c.oid = tree.relid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_rewrite w ON w.ev_class = c.oid AND w.rulename <> '_RETURN' AND w.ev_enabled = 'O'
     ORDER BY 2, 1, 5`,
    [tables.map((t) => t.key), tables.map((t) => t.target.schema), tables.map((t) => t.target.name)],
  );
  return result.rows.map((r) => ({
    kind: r.kind,
    table: r.key,
    relation: { schema: r.schema_name, name: r.rel_name },
    name: r.name,
    owned: r.owned,
  }));
}

export function describeFiring(o: FiringObject): string {
  const on = displayName(o.relation) === o.table ? o.table : `${displayName(o.relation)} (of ${o.table})`;
  return `${o.kind} ${o.name} on ${on}${o.owned ? '' : ' (not owned by this role)'}`;
}

/**
 * For a sync: the replica role when the target allows it (set on `control`,
 * which stays in it), else the triggers to turn off in each load transaction.
 * Refused, before anything is written, when a firing trigger is on a table
 * this role cannot ALTER.
 */
export async function syncWriteMode(
  control: Client,
  tables: readonly { readonly key: string; readonly target: QualifiedName }[],
): Promise<TwinWriteMode> {
  if (await trySetReplicaRole(control)) return REPLICA_MODE;
  // COPY does not fire rules; only triggers matter to a load.
  const firing = (await readFiringObjects(control, tables)).filter((o) => o.kind === 'trigger');
  const notOwned = firing.filter((o) => !o.owned);
  if (notOwned.length > 0) throw await replicaRoleError(control, 'sync', notOwned);
  const triggersOff = new Map<string, FiringObject[]>();
  for (const o of firing) triggersOff.set(o.table, [...(triggersOff.get(o.table) ?? []), o]);
  return { replicaRole: false, triggersOff };
}

/**
 * For follow's applier session: the replica role, or nothing that would fire
 * (on the twin now, or created on it by the first load: `planned`).
 */
export async function followWriteMode(
  control: Client,
  tables: readonly { readonly key: string; readonly target: QualifiedName }[],
  planned: readonly string[],
): Promise<TwinWriteMode> {
  if (await trySetReplicaRole(control)) return REPLICA_MODE;
  const firing = await readFiringObjects(control, tables);
  if (firing.length > 0 || planned.length > 0) throw await replicaRoleError(control, 'follow', firing, planned);
  return { replicaRole: false, triggersOff: new Map() };
}

/** `ALTER TABLE` statements that turn the triggers off (`on` false) or on again. */
export function triggerSwitchSql(triggers: readonly FiringObject[], on: boolean): string[] {
  return triggers.map((t) => `ALTER TABLE ${quoteQualified(t.relation)} ${on ? 'ENABLE' : 'DISABLE'} TRIGGER ${quoteIdent(t.name)}`);
}

async function replicaRoleError(
  control: Client,
  command: 'sync' | 'follow',
  firing: readonly FiringObject[],
  planned: readonly string[] = [],
): Promise<SafetyError> {
  const facts = await control.query<{ role: string; version: string }>(
    "SELECT current_user AS role, current_setting('server_version_num') AS version",
  );
  const role = quoteIdent(facts.rows[0]?.role ?? 'the target role');
  const canGrant = Number(facts.rows[0]?.version ?? 0) >= 150000;
  const grant = canGrant
    ? `As a superuser on the target: GRANT SET ON PARAMETER session_replication_role TO ${role};`
    : `Before PostgreSQL 15 only a superuser may set session_replication_role: ALTER ROLE ${role} SUPERUSER;`;
  const other =
    command === 'sync'
      ? ' Or run the sync as the owner of these tables (it then turns their triggers off inside each load transaction).'
      : ' Or turn them off on the twin yourself if you never want them there (ALTER TABLE ... DISABLE TRIGGER name / DISABLE RULE name).';
  return new SafetyError(
    'TWIN_TRIGGERS_WOULD_FIRE',
    `The target role ${role} may not set session_replication_role = replica, and the twin has triggers or rules that would rewrite the rows pgtwin writes; nothing was written.`,
    {
      details: [...firing.map(describeFiring), ...planned.map((p) => `${p} (created on the twin by this run)`)],
      nextStep: grant + other,
    },
  );
}
