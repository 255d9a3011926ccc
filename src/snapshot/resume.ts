/**
 * `sync --resume`: finish the last run that did not complete. The run's
 * plan was stored in the same transaction as the truncation (chunk bounds,
 * post-data DDL, the masking key's fingerprint); each chunk's completion was
 * committed with its rows. A resume copies exactly the chunks that have no
 * record, under a new snapshot, and then does the run's remaining steps.
 */
import type { Client } from '../pg/connect.js';
import { UsageError } from '../errors.js';
import type { DdlStatement } from '../schema/index.js';
import type { ChunkPlan } from '../plan/chunk-bounds.js';
import type { CopyResult } from './copy-table.js';
import type { ChunkResults } from './copy-workers.js';
import type { SyncPlan, TablePlan } from '../plan/plan.js';

export interface StoredPlan {
  readonly version: 1;
  readonly tables: readonly {
    readonly key: string;
    readonly columns: readonly string[];
    readonly maskedColumns: readonly string[];
    readonly chunks: readonly ChunkPlan[];
  }[];
  readonly postData: readonly DdlStatement[];
  readonly keyFingerprint: string | null;
  /** Post-data statements applied so far (absent: none); a resume starts after them. */
  readonly postDataApplied?: number;
}

export interface ResumableRun {
  readonly runId: number;
  readonly stored: StoredPlan;
  readonly done: ChunkResults;
}

export function storedPlanOf(plan: SyncPlan, postData: readonly DdlStatement[], keyFingerprint: string | undefined): StoredPlan {
  return {
    version: 1,
    tables: plan.tables.map((t) => ({ key: t.key, columns: t.columns, maskedColumns: t.maskedColumns, chunks: t.chunks })),
    postData,
    keyFingerprint: keyFingerprint ?? null,
  };
}

/** After each post-data object, so that a resume does not create it again. */
export async function recordPostDataApplied(client: Client, runId: number, applied: number): Promise<void> {
  await client.query(`UPDATE pgtwin.runs SET plan = jsonb_set(plan, '{postDataApplied}', to_jsonb($2::int)) WHERE id = $1`, [
    runId,
    applied,
  ]);
}

export async function storePlan(client: Client, runId: number, stored: StoredPlan): Promise<void> {
  await client.query('UPDATE pgtwin.runs SET plan = $2 WHERE id = $1', [runId, JSON.stringify(stored)]);
}

/** The last sync run if it did not succeed and got as far as storing its plan; otherwise an error saying why not. */
export async function findResumableRun(client: Client): Promise<ResumableRun> {
  const last = await client.query<{ id: string; status: string; plan: StoredPlan | null }>(
    "SELECT id, status, plan FROM pgtwin.runs WHERE kind = 'sync' ORDER BY id DESC LIMIT 1",
  );
  const run = last.rows[0];
  const fresh = 'Run pgtwin sync without --resume.';
  if (run === undefined)
    throw new UsageError('NOTHING_TO_RESUME', 'There is no earlier sync on this target to resume.', { nextStep: fresh });
  if (run.status === 'succeeded') {
    throw new UsageError('NOTHING_TO_RESUME', `The last sync on this target (run ${run.id}) completed; there is nothing to resume.`, {
      nextStep: fresh,
    });
  }
  if (run.plan === null || run.plan.version !== 1) {
    throw new UsageError(
      'NOTHING_TO_RESUME',
      `The last sync (run ${run.id}) stopped before it changed any table, so there is nothing to resume.`,
      { nextStep: fresh },
    );
  }
  const rows = await client.query<{ table_name: string; chunk: number; rows: string; bytes: string; duration_ms: string }>(
    'SELECT table_name, chunk, rows, bytes, duration_ms FROM pgtwin.run_chunks WHERE run_id = $1',
    [run.id],
  );
  const done = new Map<string, Map<number, CopyResult>>();
  for (const r of rows.rows) {
    const chunks = done.get(r.table_name) ?? new Map<number, CopyResult>();
    chunks.set(r.chunk, { rows: Number(r.rows), bytes: Number(r.bytes), durationMs: Number(r.duration_ms) });
    done.set(r.table_name, chunks);
  }
  return { runId: Number(run.id), stored: run.plan, done };
}

/**
 * The plan of today's config, with the stored run's chunks. Resuming with
 * other tables, columns, masking or key would mix two different twins in one
 * table, so any difference is refused.
 */
export function resumePlan(plan: SyncPlan, run: ResumableRun, keyFingerprint: string | undefined): SyncPlan {
  const stored = new Map(run.stored.tables.map((t) => [t.key, t]));
  const problems: string[] = [];
  const tables: TablePlan[] = [];
  for (const table of plan.tables) {
    const before = stored.get(table.key);
    if (before === undefined) {
      problems.push(`${table.key} is selected now but was not part of run ${run.runId}`);
      continue;
    }
    if (before.columns.join(',') !== table.columns.join(','))
      problems.push(`${table.key}: the copied columns changed since run ${run.runId}`);
    if ([...before.maskedColumns].sort().join(',') !== [...table.maskedColumns].sort().join(','))
      problems.push(`${table.key}: the masked columns changed since run ${run.runId}`);
    tables.push({ ...table, chunks: before.chunks });
  }
  for (const key of stored.keys())
    if (!plan.tables.some((t) => t.key === key)) problems.push(`${key} was part of run ${run.runId} but is not selected now`);
  if ((run.stored.keyFingerprint ?? undefined) !== keyFingerprint) problems.push(`the masking key is not the one run ${run.runId} used`);
  if (problems.length > 0) {
    throw new UsageError('RESUME_MISMATCH', `Run ${run.runId} cannot be resumed with this configuration.`, {
      details: problems,
      nextStep:
        'Resume with the same config, selection and key as the interrupted run, or run pgtwin sync without --resume to reload everything.',
    });
  }
  return { ...plan, tables };
}
