/**
 * Managed PostgreSQL services change server settings outside SQL and give no
 * superuser, so the fix for a setting or a privilege depends on where the
 * source runs. The service is recognised by the roles it installs.
 */
import { quoteIdent } from '../pg/ident.js';

export type ManagedService = 'aurora' | 'rds' | 'cloudsql' | 'azure' | 'supabase' | 'neon';

/** One query; every column is a boolean that marks one service. */
export const MANAGED_SERVICE_SQL = `
SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_superuser') AS rds,
       EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'aurora_version') AS aurora,
       EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cloudsqlsuperuser') AS cloudsql,
       EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'azure_pg_admin') AS azure,
       EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'supabase_admin') AS supabase,
       EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'neon_superuser') AS neon`;

export interface ManagedServiceRow {
  rds: boolean;
  aurora: boolean;
  cloudsql: boolean;
  azure: boolean;
  supabase: boolean;
  neon: boolean;
}

export function managedServiceOf(row: ManagedServiceRow | undefined): ManagedService | undefined {
  if (row === undefined) return undefined;
  if (row.aurora) return 'aurora';
  if (row.rds) return 'rds';
  if (row.cloudsql) return 'cloudsql';
  if (row.azure) return 'azure';
  if (row.supabase) return 'supabase';
  if (row.neon) return 'neon';
  return undefined;
}

export const SERVICE_NAMES: Readonly<Record<ManagedService, string>> = {
  aurora: 'Amazon Aurora PostgreSQL',
  rds: 'Amazon RDS for PostgreSQL',
  cloudsql: 'Google Cloud SQL for PostgreSQL',
  azure: 'Azure Database for PostgreSQL',
  supabase: 'Supabase',
  neon: 'Neon',
};

export function walLevelFix(service: ManagedService | undefined): string {
  switch (service) {
    case 'aurora':
      return 'Set rds.logical_replication = 1 in the DB cluster parameter group, then reboot the writer instance.';
    case 'rds':
      return 'Set rds.logical_replication = 1 in the DB parameter group, then reboot the instance.';
    case 'cloudsql':
      return 'Set the database flag cloudsql.logical_decoding = on (the instance restarts).';
    case 'azure':
      return 'Set the server parameter wal_level = logical, then restart the server.';
    case 'neon':
      return 'Enable logical replication in the project settings of the Neon console.';
    case 'supabase':
    case undefined:
      return 'ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL (a reload is not enough).';
  }
}

/** Raising a restart-only setting such as max_replication_slots. */
export function settingFix(service: ManagedService | undefined, setting: string, value: number): string {
  switch (service) {
    case 'aurora':
      return `Raise ${setting} to at least ${value} in the DB cluster parameter group, then reboot the writer instance.`;
    case 'rds':
      return `Raise ${setting} to at least ${value} in the DB parameter group, then reboot the instance.`;
    case 'cloudsql':
      return `Raise the database flag ${setting} to at least ${value} (the instance restarts).`;
    case 'azure':
      return `Raise the server parameter ${setting} to at least ${value}, then restart the server.`;
    case 'supabase':
    case 'neon':
      return `Raise ${setting} to at least ${value} in the service's settings, or free one (see below).`;
    case undefined:
      return `ALTER SYSTEM SET ${setting} = ${value}; then restart PostgreSQL.`;
  }
}

/** Giving an existing role the right to open a replication connection. */
export function replicationGrantFix(service: ManagedService | undefined, role: string): string {
  const r = quoteIdent(role);
  switch (service) {
    case 'aurora':
    case 'rds':
      return `GRANT rds_replication TO ${r};  -- as a member of rds_superuser (RDS has no REPLICATION attribute for users)`;
    case 'cloudsql':
      return `ALTER ROLE ${r} WITH REPLICATION;  -- as a member of cloudsqlsuperuser`;
    case 'azure':
      return `ALTER ROLE ${r} WITH REPLICATION;  -- as a member of azure_pg_admin`;
    case 'supabase':
    case 'neon':
    case undefined:
      return `ALTER ROLE ${r} REPLICATION;  -- as a superuser; or let setup-source create a replication role: --create-role NAME`;
  }
}

/** On RDS and Aurora a replication role is a member of rds_replication, not a role with REPLICATION. */
export function usesRdsReplication(service: ManagedService | undefined): boolean {
  return service === 'rds' || service === 'aurora';
}
