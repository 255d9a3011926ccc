/**
 * One instant of the source for every worker: a holder session exports its
 * REPEATABLE READ snapshot, and each worker's session imports it. The holder
 * must stay open until the last worker has imported.
 */
import type { Client } from '../pg/connect.js';
import { quoteLiteral } from '../pg/ident.js';

export async function exportSnapshot(holder: Client): Promise<string> {
  await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  const result = await holder.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
  const id = result.rows[0]?.id;
  if (id === undefined) throw new Error('pg_export_snapshot() returned no snapshot');
  return id;
}

export async function importSnapshot(worker: Client, snapshotId: string): Promise<void> {
  await worker.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  await worker.query(`SET TRANSACTION SNAPSHOT ${quoteLiteral(snapshotId)}`);
}
