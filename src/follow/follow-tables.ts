/**
 * The twin's record of which tables a slot applies (pgtwin.follow_tables),
 * and how the table selection of the config differs from it. A table is
 * `following` once its rows in the twin are those of a snapshot taken at
 * `start_lsn` and the twin has applied every source transaction before that
 * position; `copying` while that copy is under way (or was interrupted: the
 * next follow copies it again from a new snapshot).
 */
import type { Client } from '../pg/connect.js';
import { formatLsn, parseLsn, type Lsn } from '../stream/lsn.js';

export type FollowedTableStatus = 'copying' | 'following';

export interface FollowedTable {
  readonly table: string;
  readonly status: FollowedTableStatus;
  /** Changes of this table are applied from source commits at or after this position. */
  readonly startLsn: Lsn | undefined;
}

export interface SelectionChange {
  /** Selected now, not followed yet (or a copy that did not finish): copied, then followed. */
  readonly added: readonly string[];
  /** Followed until now, no longer selected: no longer applied; their rows stay in the twin. */
  readonly removed: readonly string[];
}

export async function readFollowedTables(client: Client, slot: string): Promise<FollowedTable[]> {
  const result = await client.query<{ table_name: string; status: FollowedTableStatus; start_lsn: string | null }>(
    'SELECT table_name, status, start_lsn::text AS start_lsn FROM pgtwin.follow_tables WHERE slot = $1 ORDER BY table_name',
    [slot],
  );
  return result.rows.map((r) => ({
    table: r.table_name,
    status: r.status,
    startLsn: r.start_lsn === null ? undefined : parseLsn(r.start_lsn),
  }));
}

/**
 * Twins that followed before pgtwin kept this record: the tables of the last
 * snapshot follow loaded (pgtwin.runs), which are the tables it applied.
 */
export async function tablesOfLastFollowLoad(client: Client): Promise<string[] | undefined> {
  const result = await client.query<{ tables: string[] }>(
    "SELECT tables FROM pgtwin.runs WHERE kind = 'follow' AND status = 'succeeded' ORDER BY id DESC LIMIT 1",
  );
  return result.rows[0]?.tables;
}

export function selectionChange(selected: readonly string[], followed: readonly FollowedTable[]): SelectionChange {
  const following = new Set(followed.filter((t) => t.status === 'following').map((t) => t.table));
  const wanted = new Set(selected);
  return {
    added: selected.filter((t) => !following.has(t)),
    removed: followed.filter((t) => !wanted.has(t.table)).map((t) => t.table),
  };
}

/** Inside the caller's transaction when it must go with other state. */
export async function markFollowing(client: Client, slot: string, tables: readonly string[], startLsn: Lsn): Promise<void> {
  if (tables.length === 0) return;
  await client.query(
    `INSERT INTO pgtwin.follow_tables (slot, table_name, status, start_lsn)
     SELECT $1, t, 'following', $3::pg_lsn FROM unnest($2::text[]) AS t
     ON CONFLICT (slot, table_name) DO UPDATE SET status = 'following', start_lsn = EXCLUDED.start_lsn, changed_at = now()`,
    [slot, tables, formatLsn(startLsn)],
  );
}

/** Before a copy starts: until it is marked following, none of these tables' changes is applied. */
export async function markCopying(client: Client, slot: string, tables: readonly string[], startLsn: Lsn | undefined): Promise<void> {
  if (tables.length === 0) return;
  await client.query(
    `INSERT INTO pgtwin.follow_tables (slot, table_name, status, start_lsn)
     SELECT $1, t, 'copying', $3::pg_lsn FROM unnest($2::text[]) AS t
     ON CONFLICT (slot, table_name) DO UPDATE SET status = 'copying', start_lsn = EXCLUDED.start_lsn, changed_at = now()`,
    [slot, tables, startLsn === undefined ? null : formatLsn(startLsn)],
  );
}

export async function forgetFollowedTables(client: Client, slot: string, tables?: readonly string[]): Promise<void> {
  if (tables === undefined) await client.query('DELETE FROM pgtwin.follow_tables WHERE slot = $1', [slot]);
  else if (tables.length > 0)
    await client.query('DELETE FROM pgtwin.follow_tables WHERE slot = $1 AND table_name = ANY ($2::text[])', [slot, tables]);
}
