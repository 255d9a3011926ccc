/**
 * Are two connections the same database on the same server? URLs can differ
 * (a host name and its IP, a proxy) while pointing at one database, so compare
 * what the server says about itself.
 */
import type { Client } from './connect.js';

export interface ServerIdentity {
  /** pg_control_system().system_identifier where readable, else the postmaster start time. */
  readonly server: string;
  readonly port: string;
  readonly database: string;
  readonly databaseOid: string;
  readonly versionNum: number;
}

export async function readServerIdentity(client: Client): Promise<ServerIdentity> {
  const base = await client.query<{ started: string; port: string; db: string; oid: string; v: string }>(
    `SELECT pg_postmaster_start_time()::text AS started, current_setting('port') AS port, current_database() AS db,
            (SELECT oid::text FROM pg_database WHERE datname = current_database()) AS oid, current_setting('server_version_num') AS v`,
  );
  const row = base.rows[0];
  if (row === undefined) throw new Error('server identity query returned no row');
  let server = `started ${row.started}`;
  try {
    // Needs pg_monitor or superuser on some servers; the start time is the fallback.
    const sys = await client.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()');
    const id = sys.rows[0]?.id;
    if (id !== undefined) server = `system ${id} ${server}`;
  } catch {
    // not permitted: keep the start time
  }
  return { server, port: row.port, database: row.db, databaseOid: row.oid, versionNum: Number(row.v) };
}

export function sameDatabase(a: ServerIdentity, b: ServerIdentity): boolean {
  return a.server === b.server && a.port === b.port && a.databaseOid === b.databaseOid;
}
