/** The twin's record of its slot (pgtwin.follow_state): where it stands in the source's change stream. */
import type { Client } from '../pg/connect.js';
import { formatLsn, parseLsn, type Lsn } from '../stream/lsn.js';

export type FollowStatus = 'snapshot' | 'streaming' | 'stopped' | 'failed';

export interface FollowState {
  readonly slot: string;
  readonly publication: string;
  readonly source: string;
  readonly status: FollowStatus;
  /** Source transactions at or below this commit LSN are in the twin. */
  readonly lastCommitLsn: Lsn;
  readonly lastCommitTime: Date | null;
  readonly appliedAt: Date;
  readonly error: string | null;
}

interface Row {
  slot: string;
  publication: string;
  source: string;
  status: FollowStatus;
  last_commit_lsn: string;
  last_commit_time: Date | null;
  applied_at: Date;
  error: string | null;
}

const COLUMNS = 'slot, publication, source, status, last_commit_lsn::text AS last_commit_lsn, last_commit_time, applied_at, error';

function toState(row: Row): FollowState {
  return {
    slot: row.slot,
    publication: row.publication,
    source: row.source,
    status: row.status,
    lastCommitLsn: parseLsn(row.last_commit_lsn),
    lastCommitTime: row.last_commit_time,
    appliedAt: row.applied_at,
    error: row.error,
  };
}

export async function readFollowState(client: Client, slot: string): Promise<FollowState | undefined> {
  const result = await client.query<Row>(`SELECT ${COLUMNS} FROM pgtwin.follow_state WHERE slot = $1`, [slot]);
  const row = result.rows[0];
  return row === undefined ? undefined : toState(row);
}

export async function listFollowStates(client: Client): Promise<FollowState[]> {
  const exists = await client.query<{ present: boolean }>(`SELECT to_regclass('pgtwin.follow_state') IS NOT NULL AS present`);
  if (exists.rows[0]?.present !== true) return [];
  const result = await client.query<Row>(`SELECT ${COLUMNS} FROM pgtwin.follow_state ORDER BY slot`);
  return result.rows.map(toState);
}

/** A slot just created: its snapshot is being loaded; until that completes the twin is not following. */
export async function recordSnapshotStart(
  client: Client,
  slot: string,
  publication: string,
  source: string,
  consistentPoint: Lsn,
): Promise<void> {
  await client.query(
    `INSERT INTO pgtwin.follow_state (slot, publication, source, status, last_commit_lsn) VALUES ($1, $2, $3, 'snapshot', $4::pg_lsn)
     ON CONFLICT (slot) DO UPDATE SET publication = EXCLUDED.publication, source = EXCLUDED.source, status = 'snapshot',
       last_commit_lsn = EXCLUDED.last_commit_lsn, last_commit_time = NULL, applied_at = now(), error = NULL`,
    [slot, publication, source, formatLsn(consistentPoint)],
  );
}

export async function setFollowStatus(client: Client, slot: string, status: FollowStatus, error: string | undefined): Promise<void> {
  await client.query('UPDATE pgtwin.follow_state SET status = $2, error = $3 WHERE slot = $1', [slot, status, error ?? null]);
}

export async function forgetFollowState(client: Client, slot: string): Promise<void> {
  await client.query('DELETE FROM pgtwin.follow_state WHERE slot = $1', [slot]);
}

export async function recordFailedBatch(client: Client, slot: string, error: string): Promise<void> {
  await client.query(
    `INSERT INTO pgtwin.follow_audit (slot, transactions, changes, tables, status, error) VALUES ($1, 0, 0, '{}', 'failed', $2)`,
    [slot, error],
  );
}
