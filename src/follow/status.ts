/**
 * `pgtwin status`: where each follow of this twin stands. From the twin: the
 * position and time applied, recent batches and counters. From the source:
 * the slot (active or not), how far behind the twin is in bytes, and how much
 * WAL the slot makes the source keep, the number that grows when a twin stops
 * following and fills the source's disk.
 */
import type { Client } from '../pg/connect.js';
import { listFollowStates, type FollowState } from './follow-state.js';
import type { ArchiveStore } from '../store/store.js';
import { ARCHIVE_SLOT_PREFIX, archiveReport, type ArchiveReport } from './archive-status.js';

/** Retained WAL above this is called out loudly. */
export const RETAINED_WAL_WARNING_BYTES = 1024 ** 3;

export interface SlotInfo {
  readonly active: boolean;
  readonly confirmedFlushLsn: string | null;
  readonly lagBytes: number | null;
  readonly retainedBytes: number | null;
  /** pg_replication_slots.wal_status: reserved, extended, unreserved, lost. */
  readonly walStatus: string | null;
}

export interface TableActivity {
  readonly table: string;
  readonly inserts: number;
  readonly updates: number;
  readonly deletes: number;
  readonly truncates: number;
  readonly missing: number;
}

export interface FollowReport {
  readonly state: FollowState;
  /** Undefined when the source could not be asked. */
  readonly slot: SlotInfo | null | undefined;
  readonly lagSeconds: number | null;
  /** Changes per table over the last hour. */
  readonly lastHour: readonly TableActivity[];
  readonly lastBatchAt: Date | null;
  readonly warnings: readonly string[];
  /** A twin built from an archive (pgtwin apply): where it stands in it. */
  readonly archive?: ArchiveReport;
}

export interface RunSummary {
  readonly id: number;
  readonly kind: string;
  readonly status: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly totalRows: number | null;
  readonly error: string | null;
}

/** The last sync runs on the twin (a `running` one holds the twin's run lock, or was killed). */
export async function recentRuns(target: Client, limit = 5): Promise<RunSummary[]> {
  const exists = await target.query<{ present: boolean }>(`SELECT to_regclass('pgtwin.runs') IS NOT NULL AS present`);
  if (exists.rows[0]?.present !== true) return [];
  const result = await target.query<{
    id: string;
    kind: string;
    status: string;
    started_at: Date;
    finished_at: Date | null;
    total_rows: string | null;
    error: string | null;
  }>('SELECT id, kind, status, started_at, finished_at, total_rows, error FROM pgtwin.runs ORDER BY id DESC LIMIT $1', [limit]);
  return result.rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    totalRows: r.total_rows === null ? null : Number(r.total_rows),
    error: r.error,
  }));
}

export async function followReports(
  target: Client,
  source: Client | undefined,
  openArchive?: (location: string) => Promise<ArchiveStore>,
): Promise<FollowReport[]> {
  const states = await listFollowStates(target);
  const reports: FollowReport[] = [];
  for (const state of states) {
    // An archive's position is no replication slot: there is none to ask the source about.
    const archive = state.slot.startsWith(ARCHIVE_SLOT_PREFIX) ? await archiveReport(target, state.slot, openArchive) : undefined;
    const slot = source === undefined || archive !== undefined ? undefined : await slotInfo(source, state.slot);
    const activity = await target.query<{
      table_name: string;
      inserts: string;
      updates: string;
      deletes: string;
      truncates: string;
      missing: string;
    }>(
      `SELECT table_name, sum(inserts)::text AS inserts, sum(updates)::text AS updates, sum(deletes)::text AS deletes, sum(truncates)::text AS truncates, sum(missing)::text AS missing
       FROM pgtwin.follow_metrics WHERE slot = $1 AND period > now() - interval '1 hour' GROUP BY table_name ORDER BY table_name`,
      [state.slot],
    );
    const last = await target.query<{ at: Date | null }>(
      `SELECT max(applied_at) AS at FROM pgtwin.follow_audit WHERE slot = $1 AND status = 'applied'`,
      [state.slot],
    );
    const warnings: string[] = [];
    if (slot === null)
      warnings.push(
        `the slot ${state.slot} does not exist on the source: the twin can no longer follow; run \`pgtwin follow\` to load it again from a new snapshot`,
      );
    if (slot !== null && slot !== undefined) {
      if (slot.retainedBytes !== null && slot.retainedBytes > RETAINED_WAL_WARNING_BYTES) {
        warnings.push(
          `the slot keeps ${Math.round(slot.retainedBytes / 1024 ** 2)} MB of WAL on the source${slot.active ? '' : ' and nothing is following it'}: restart follow, or drop the slot with \`pgtwin teardown\` before the source's disk fills up`,
        );
      }
      if (slot.walStatus === 'lost')
        warnings.push(
          'the source has removed WAL the slot needed: the twin must be loaded again (`pgtwin teardown`, then `pgtwin follow`)',
        );
    }
    if (state.status === 'failed' && state.error !== null) warnings.push(`follow stopped with an error: ${state.error}`);
    reports.push({
      state,
      slot,
      lagSeconds: state.lastCommitTime === null ? null : Math.max(0, (Date.now() - state.lastCommitTime.getTime()) / 1000),
      lastHour: activity.rows.map((r) => ({
        table: r.table_name,
        inserts: Number(r.inserts),
        updates: Number(r.updates),
        deletes: Number(r.deletes),
        truncates: Number(r.truncates),
        missing: Number(r.missing),
      })),
      lastBatchAt: last.rows[0]?.at ?? null,
      warnings: archive?.problem === undefined ? warnings : [...warnings, archive.problem],
      ...(archive === undefined ? {} : { archive }),
    });
  }
  return reports;
}

async function slotInfo(source: Client, slot: string): Promise<SlotInfo | null> {
  // pg_current_wal_lsn() fails on a standby; the slot row still says what is confirmed.
  const current =
    (await source.query<{ recovery: boolean }>('SELECT pg_is_in_recovery() AS recovery')).rows[0]?.recovery === true
      ? 'pg_last_wal_replay_lsn()'
      : 'pg_current_wal_lsn()';
  const result = await source.query<{
    active: boolean;
    confirmed: string | null;
    lag: string | null;
    retained: string | null;
    wal_status: string | null;
  }>(
    `SELECT active, confirmed_flush_lsn::text AS confirmed,
            pg_wal_lsn_diff(${current}, confirmed_flush_lsn)::text AS lag,
            pg_wal_lsn_diff(${current}, restart_lsn)::text AS retained,
            wal_status
     FROM pg_replication_slots WHERE slot_name = $1`,
    [slot],
  );
  const row = result.rows[0];
  if (row === undefined) return null;
  return {
    active: row.active,
    confirmedFlushLsn: row.confirmed,
    lagBytes: row.lag === null ? null : Number(row.lag),
    retainedBytes: row.retained === null ? null : Number(row.retained),
    walStatus: row.wal_status,
  };
}
