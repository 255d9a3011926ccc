/**
 * What the source says about itself, read with plain catalog queries that
 * work for any role on PostgreSQL 13 to 18 (no superuser, no extension).
 * Judging the facts is source-checks.ts's job.
 */
import type { Client } from '../pg/connect.js';
import { MANAGED_SERVICE_SQL, managedServiceOf, type ManagedService, type ManagedServiceRow } from './managed-service.js';

export interface ServerFacts {
  readonly versionNum: number;
  readonly version: string;
  readonly database: string;
  readonly inRecovery: boolean;
  readonly walLevel: string;
  /** wal_level was changed in the configuration but needs a restart. */
  readonly walLevelPendingRestart: boolean;
  readonly maxReplicationSlots: number;
  readonly usedReplicationSlots: number;
  readonly maxWalSenders: number;
  /** Physical and logical WAL senders running now (pg_stat_replication lists every one to every role). */
  readonly usedWalSenders: number;
  readonly service: ManagedService | undefined;
  /** The connected role: the one that runs setup-source. */
  readonly user: string;
  readonly superuser: boolean;
  readonly createRole: boolean;
  readonly replication: boolean;
  readonly canCreateInDatabase: boolean;
}

const SERVER_SQL = `
SELECT current_setting('server_version_num')::int AS version_num, current_setting('server_version') AS version,
       current_database() AS database, pg_is_in_recovery() AS in_recovery,
       current_setting('wal_level') AS wal_level,
       coalesce((SELECT pending_restart FROM pg_settings WHERE name = 'wal_level'), false) AS wal_level_pending,
       current_setting('max_replication_slots')::int AS max_slots,
       (SELECT count(*) FROM pg_replication_slots)::int AS used_slots,
       current_setting('max_wal_senders')::int AS max_senders,
       (SELECT count(*) FROM pg_stat_replication)::int AS used_senders,
       r.rolname AS user_name, r.rolsuper AS superuser, r.rolcreaterole AS create_role, r.rolreplication AS replication,
       has_database_privilege(current_database(), 'CREATE') AS can_create
FROM pg_roles r WHERE r.rolname = current_user`;

interface ServerRow {
  version_num: number;
  version: string;
  database: string;
  in_recovery: boolean;
  wal_level: string;
  wal_level_pending: boolean;
  max_slots: number;
  used_slots: number;
  max_senders: number;
  used_senders: number;
  user_name: string;
  superuser: boolean;
  create_role: boolean;
  replication: boolean;
  can_create: boolean;
}

export async function readServerFacts(client: Client): Promise<ServerFacts> {
  const row = (await client.query<ServerRow>(SERVER_SQL)).rows[0];
  if (row === undefined) throw new Error('the connected role is not in pg_roles');
  const service = managedServiceOf((await client.query<ManagedServiceRow>(MANAGED_SERVICE_SQL)).rows[0]);
  return {
    versionNum: row.version_num,
    version: row.version,
    database: row.database,
    inRecovery: row.in_recovery,
    walLevel: row.wal_level,
    walLevelPendingRestart: row.wal_level_pending,
    maxReplicationSlots: row.max_slots,
    usedReplicationSlots: row.used_slots,
    maxWalSenders: row.max_senders,
    usedWalSenders: row.used_senders,
    service,
    user: row.user_name,
    superuser: row.superuser,
    createRole: row.create_role,
    replication: row.replication,
    canCreateInDatabase: row.can_create,
  };
}

/** One relation of the selection: a selected table, or a partition under a selected partitioned table. */
export interface RelationFacts {
  readonly oid: number;
  /** The selected table this relation belongs to (itself for a plain table). */
  readonly root: number;
  readonly schema: string;
  readonly name: string;
  readonly partitioned: boolean;
  readonly unlogged: boolean;
  /** relreplident: d default, n nothing, f full, i index. */
  readonly identity: 'd' | 'n' | 'f' | 'i';
  readonly hasPrimaryKey: boolean;
  /** The index of REPLICA IDENTITY USING INDEX, when it still exists. */
  readonly identityIndex: string | undefined;
  /** A unique, immediate, non-partial index on NOT NULL columns: usable for USING INDEX. */
  readonly candidateIndex: string | undefined;
  /** The connected role owns it (or has the owner's privileges): needed to publish or alter it. */
  readonly owned: boolean;
  /** The connected role may grant SELECT on it. */
  readonly canGrantSelect: boolean;
  /** The connected role may grant USAGE on its schema. */
  readonly canGrantSchemaUsage: boolean;
}

const RELATIONS_SQL = `
SELECT s.root::int8 AS root, c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind,
       c.relpersistence AS persistence, c.relreplident AS identity,
       pg_has_role(c.relowner, 'USAGE') AS owned,
       has_table_privilege(c.oid, 'SELECT WITH GRANT OPTION') AS can_grant,
       has_schema_privilege(c.relnamespace, 'USAGE WITH GRANT OPTION') AS can_grant_usage,
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_pk,
       (SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid = c.oid AND i.indisreplident) AS identity_index,
       (SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid = c.oid AND i.indisunique AND i.indimmediate AND i.indisvalid AND NOT i.indisprimary
           AND i.indpred IS NULL AND i.indexprs IS NULL
           AND NOT EXISTS (SELECT 1 FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                           WHERE k.ord <= i.indnkeyatts AND NOT a.attnotnull)
         ORDER BY i.indnkeyatts, ic.relname LIMIT 1) AS candidate_index
-- pg_partition_tree() lists nothing for a table that is not partitioned: add every table itself.
FROM (SELECT r.oid AS root, r.oid AS relid FROM unnest($1::oid[]) AS r(oid)
      UNION
      SELECT r.oid, t.relid FROM unnest($1::oid[]) AS r(oid), LATERAL pg_partition_tree(r.oid) t) s
JOIN pg_class c ON c.oid = s.relid
JOIN pg_namespace n ON n.oid = c.relnamespace
ORDER BY s.root, c.oid`;

interface RelationRow {
  root: string;
  oid: string;
  schema: string;
  name: string;
  kind: string;
  persistence: string;
  identity: string;
  owned: boolean;
  can_grant: boolean;
  can_grant_usage: boolean;
  has_pk: boolean;
  identity_index: string | null;
  candidate_index: string | null;
}

export async function readRelationFacts(client: Client, oids: readonly number[]): Promise<RelationFacts[]> {
  const rows = (await client.query<RelationRow>(RELATIONS_SQL, [oids])).rows;
  return rows.map((r) => ({
    oid: Number(r.oid),
    root: Number(r.root),
    schema: r.schema,
    name: r.name,
    partitioned: r.kind === 'p',
    unlogged: r.persistence === 'u',
    identity: r.identity === 'n' || r.identity === 'f' || r.identity === 'i' ? r.identity : 'd',
    hasPrimaryKey: r.has_pk,
    identityIndex: r.identity_index ?? undefined,
    candidateIndex: r.candidate_index ?? undefined,
    owned: r.owned,
    canGrantSelect: r.can_grant,
    canGrantSchemaUsage: r.can_grant_usage,
  }));
}

/** The role `pgtwin follow` connects as, and what it may do. */
export interface FollowRoleFacts {
  readonly name: string;
  readonly exists: boolean;
  readonly canLogin: boolean;
  readonly superuser: boolean;
  readonly replication: boolean;
  /** Member of rds_replication (RDS and Aurora grant replication this way). */
  readonly rdsReplication: boolean;
  /** Roles with REPLICATION it is a member of: attributes are not inherited, so they do not help. */
  readonly replicationRolesViaMembership: readonly string[];
  readonly canConnect: boolean;
  /** Selected tables (oids) it cannot SELECT: the first snapshot of follow reads them. For a role that does not exist: what PUBLIC cannot. */
  readonly unreadable: readonly number[];
  readonly schemasWithoutUsage: readonly string[];
}

const ROLE_SQL = `
SELECT r.rolname AS name, r.rolcanlogin AS can_login, r.rolsuper AS superuser, r.rolreplication AS replication,
       EXISTS (SELECT 1 FROM pg_roles m WHERE m.rolname = 'rds_replication' AND pg_has_role(r.oid, m.oid, 'MEMBER')) AS rds_replication,
       ARRAY(SELECT m.rolname::text FROM pg_roles m
             WHERE m.rolreplication AND m.oid <> r.oid AND NOT r.rolsuper AND pg_has_role(r.oid, m.oid, 'MEMBER') ORDER BY 1) AS via_membership
FROM pg_roles r WHERE r.rolname = $1`;

// The role name may be 'public': what a role that does not exist yet would get.
const PRIVILEGES_SQL = `
SELECT has_database_privilege($1, current_database(), 'CONNECT') AS can_connect,
       ARRAY(SELECT s.oid::int8 FROM unnest($2::oid[]) s(oid) WHERE NOT has_table_privilege($1, s.oid, 'SELECT') ORDER BY 1) AS unreadable,
       ARRAY(SELECT DISTINCT n.nspname::text FROM unnest($2::oid[]) s(oid)
             JOIN pg_class c ON c.oid = s.oid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE NOT has_schema_privilege($1, n.oid, 'USAGE') ORDER BY 1) AS no_usage`;

interface RoleRow {
  name: string;
  can_login: boolean;
  superuser: boolean;
  replication: boolean;
  rds_replication: boolean;
  via_membership: string[];
}

interface PrivilegesRow {
  can_connect: boolean;
  unreadable: string[];
  no_usage: string[];
}

export async function readFollowRoleFacts(client: Client, role: string, selected: readonly number[]): Promise<FollowRoleFacts> {
  const row = (await client.query<RoleRow>(ROLE_SQL, [role])).rows[0];
  const privileges = (await client.query<PrivilegesRow>(PRIVILEGES_SQL, [row === undefined ? 'public' : row.name, selected])).rows[0];
  const granted = {
    canConnect: privileges?.can_connect ?? false,
    unreadable: (privileges?.unreadable ?? []).map(Number),
    schemasWithoutUsage: privileges?.no_usage ?? [],
  };
  if (row === undefined) {
    return {
      name: role,
      exists: false,
      canLogin: false,
      superuser: false,
      replication: false,
      rdsReplication: false,
      replicationRolesViaMembership: [],
      ...granted,
    };
  }
  return {
    name: row.name,
    exists: true,
    canLogin: row.can_login,
    superuser: row.superuser,
    replication: row.replication,
    rdsReplication: row.rds_replication,
    replicationRolesViaMembership: row.via_membership,
    ...granted,
  };
}
