/**
 * The statements that record an applied batch on the twin, in the batch's own
 * transaction: the position (pgtwin.follow_state, what makes the apply
 * exactly once), the audit row and the per-table counters. Written as one
 * string of literals, so that they and the COMMIT travel in one round trip;
 * every value is pgtwin's own (slot name, LSNs, counts, table names), quoted
 * all the same.
 */
import { quoteLiteral } from '../pg/ident.js';
import { formatLsn, type Lsn } from '../stream/lsn.js';

export interface TableCounters {
  inserts: number;
  updates: number;
  deletes: number;
  truncates: number;
  /** UPDATE or DELETE of a row the twin does not have. */
  missing: number;
}

export interface BatchRecord {
  readonly slot: string;
  readonly first: Lsn;
  readonly last: Lsn;
  /** Source commit time of the last transaction, microseconds since 2000-01-01 UTC. */
  readonly commitTime: bigint;
  readonly transactions: number;
  readonly changes: number;
  readonly counters: ReadonlyMap<string, TableCounters>;
  /** Applied from an archive: the change file this batch ends with (apply resumes after it). */
  readonly file?: AppliedFile | undefined;
}

/** A change file of an archive, applied to its end: its name and its trailer's digest (the next file names both). */
export interface AppliedFile {
  readonly name: string;
  readonly digest: string;
}

const lsn = (value: Lsn): string => `${quoteLiteral(formatLsn(value))}::pg_lsn`;
const count = (value: number): string => String(Math.trunc(value));

/** The archive file a batch ends with, in the same transaction as its changes (alone when all of its transactions were in the twin already). */
export function appliedFileSql(slot: string, file: AppliedFile): string {
  return `UPDATE pgtwin.follow_state SET archive_file = ${quoteLiteral(file.name)}, archive_digest = ${quoteLiteral(file.digest)}, applied_at = now() WHERE slot = ${quoteLiteral(slot)}`;
}

export function batchRecordSql(batch: BatchRecord): string {
  const slot = quoteLiteral(batch.slot);
  const tables = [...batch.counters.keys()];
  const statements = [
    `UPDATE pgtwin.follow_state SET last_commit_lsn = ${lsn(batch.last)}, last_commit_time = timestamptz '2000-01-01 00:00:00+00' + ${batch.commitTime.toString()}::bigint * interval '1 microsecond', applied_at = now(), status = 'streaming', error = NULL WHERE slot = ${slot}`,
    `INSERT INTO pgtwin.follow_audit (slot, first_commit_lsn, last_commit_lsn, transactions, changes, tables, status) VALUES (${slot}, ${lsn(batch.first)}, ${lsn(batch.last)}, ${count(batch.transactions)}, ${count(batch.changes)}, ARRAY[${tables.map(quoteLiteral).join(', ')}]::text[], 'applied')`,
  ];
  if (tables.length > 0) {
    // One row per table, so the upsert never meets a row twice.
    const rows = [...batch.counters].map(
      ([table, c]) =>
        `(${slot}, date_trunc('minute', now()), ${quoteLiteral(table)}, ${count(c.inserts)}, ${count(c.updates)}, ${count(c.deletes)}, ${count(c.truncates)}, ${count(c.missing)})`,
    );
    statements.push(
      `INSERT INTO pgtwin.follow_metrics AS m (slot, period, table_name, inserts, updates, deletes, truncates, missing) VALUES ${rows.join(', ')}
       ON CONFLICT (slot, period, table_name) DO UPDATE SET inserts = m.inserts + EXCLUDED.inserts, updates = m.updates + EXCLUDED.updates,
         deletes = m.deletes + EXCLUDED.deletes, truncates = m.truncates + EXCLUDED.truncates, missing = m.missing + EXCLUDED.missing`,
    );
  }
  if (batch.file !== undefined) statements.push(appliedFileSql(batch.slot, batch.file));
  return statements.join(';\n');
}
