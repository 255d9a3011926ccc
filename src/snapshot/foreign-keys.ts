/**
 * Foreign keys step aside while tables load in parallel (children may arrive
 * before parents, cycles have no valid order) and come back afterwards, checked
 * in full. Dropping needs only table ownership, not the superuser that
 * session_replication_role or DISABLE TRIGGER ALL would need. Each dropped key
 * is recorded in pgtwin.pending_foreign_keys in the same transaction, so an
 * interrupted run never loses one: the next run restores it.
 */
import type { Client } from '../pg/connect.js';
import type { ForeignKeyInfo } from '../catalog/index.js';
import { quoteIdent, quoteQualified, type QualifiedName } from '../pg/ident.js';
import { messageOf } from '../errors.js';

/** Inside the caller's transaction. */
export async function setAsideForeignKeys(client: Client, foreignKeys: readonly ForeignKeyInfo[], runId: number): Promise<void> {
  for (const fk of foreignKeys) {
    await client.query(
      `INSERT INTO pgtwin.pending_foreign_keys (table_schema, table_name, constraint_name, definition, run_id)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [fk.table.schema, fk.table.name, fk.name, fk.definition, runId],
    );
    await client.query(`ALTER TABLE ${quoteQualified(fk.table)} DROP CONSTRAINT ${quoteIdent(fk.name)}`);
  }
}

export interface PendingForeignKey {
  readonly table: QualifiedName;
  readonly name: string;
  readonly definition: string;
}

export async function pendingForeignKeys(client: Client): Promise<PendingForeignKey[]> {
  const result = await client.query<{ table_schema: string; table_name: string; constraint_name: string; definition: string }>(
    'SELECT table_schema, table_name, constraint_name, definition FROM pgtwin.pending_foreign_keys ORDER BY dropped_at, table_schema, table_name, constraint_name',
  );
  return result.rows.map((r) => ({
    table: { schema: r.table_schema, name: r.table_name },
    name: r.constraint_name,
    definition: r.definition,
  }));
}

export interface RestoreFailure {
  readonly foreignKey: PendingForeignKey;
  readonly reason: string;
}

/**
 * Re-adds every pending key, each in its own transaction with the removal of
 * its pending row. A key whose rows do not hold (a `where` filter that kept a
 * child but not its parent) stays pending and is reported.
 */
export async function restoreForeignKeys(client: Client): Promise<RestoreFailure[]> {
  const failures: RestoreFailure[] = [];
  for (const fk of await pendingForeignKeys(client)) {
    await client.query('BEGIN');
    try {
      const exists = await client.query(
        `SELECT 1 FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
         WHERE n.nspname = $1 AND r.relname = $2 AND c.conname = $3`,
        [fk.table.schema, fk.table.name, fk.name],
      );
      if (exists.rowCount === 0) {
        await client.query(`ALTER TABLE ${quoteQualified(fk.table)} ADD CONSTRAINT ${quoteIdent(fk.name)} ${fk.definition}`);
      }
      await client.query('DELETE FROM pgtwin.pending_foreign_keys WHERE table_schema = $1 AND table_name = $2 AND constraint_name = $3', [
        fk.table.schema,
        fk.table.name,
        fk.name,
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      failures.push({ foreignKey: fk, reason: messageOf(error) });
    }
  }
  return failures;
}
