/**
 * One table, or one chunk of it, from source to target: `COPY (...) TO STDOUT`
 * on the worker's snapshot session piped into `COPY ... FROM STDIN` on the
 * target, inside a target transaction that also records the chunk's
 * completion, so the rows and the record of them commit together or not at
 * all (what `--resume` relies on).
 */
import { pipeline } from 'node:stream/promises';
import type { Transform } from 'node:stream';
import copyStreams from 'pg-copy-streams';
import type { Client } from '../pg/connect.js';
import type { TablePlan } from '../plan/plan.js';
import { createCountingPassThrough, createMaskingTransform, type ColumnMask } from '../mask/mask-transform.js';
import { createParallelMaskingTransform } from '../mask/parallel-mask-transform.js';
import type { MaskPool } from '../mask/mask-pool.js';
import type { ChunkPlan } from '../plan/chunk-bounds.js';
import { copyInSql, copyOutSql, selectSql } from '../plan/copy-sql.js';
import { triggerSwitchSql, type FiringObject } from '../pg/replica-session.js';
import { copyRowCount } from './copy-row-count.js';

export interface CopyResult {
  readonly rows: number;
  readonly bytes: number;
  readonly durationMs: number;
}

export interface CopyTableOptions {
  readonly runId: number;
  readonly signal: AbortSignal;
  /** Column index (in plan.columns) -> mask; empty: the bytes pass untouched. */
  readonly masks: ReadonlyMap<number, ColumnMask>;
  /** When given, the masks run on these worker threads (compiled there from the same rules). */
  readonly maskPool?: MaskPool | undefined;
  readonly onProgress: (rows: number, bytes: number) => void;
  /** Without the replica role: the table's triggers, off for this transaction only (src/pg/replica-session.ts). */
  readonly triggersOff?: readonly FiringObject[] | undefined;
}

/** One chunk (or the whole table) in one target transaction, recorded in pgtwin.run_chunks by that same transaction. */
export async function copyTable(
  plan: TablePlan,
  chunk: ChunkPlan,
  source: Client,
  target: Client,
  options: CopyTableOptions,
): Promise<CopyResult> {
  const started = performance.now();
  let rows = 0;
  let bytes = 0;
  const onRows = (r: number, b: number): void => {
    rows += r;
    bytes += b;
    options.onProgress(rows, bytes);
  };
  const transform: Transform =
    options.masks.size === 0
      ? createCountingPassThrough(onRows)
      : options.maskPool !== undefined
        ? createParallelMaskingTransform({ pool: options.maskPool, table: plan.key, onRows })
        : createMaskingTransform({ columnCount: plan.columns.length, masks: options.masks, onRows });

  await target.query('BEGIN');
  try {
    const triggers = options.triggersOff ?? [];
    for (const sql of triggerSwitchSql(triggers, false)) await target.query(sql);
    if (plan.columns.length === 0) {
      // `COPY t () FROM STDIN` is not SQL: a table with nothing to copy gets its rows' count.
      const copied = await copyRowCount(plan, selectSql(plan, chunk), source, target);
      onRows(copied, 0);
    } else {
      const ingest = target.query(copyStreams.from(copyInSql(plan)));
      const extract = source.query(copyStreams.to(copyOutSql(plan, chunk)));
      await pipeline(extract, transform, ingest, { signal: options.signal });
    }
    const durationMs = Math.round(performance.now() - started);
    await target.query(
      'INSERT INTO pgtwin.run_chunks (run_id, table_name, chunk, rows, bytes, duration_ms) VALUES ($1, $2, $3, $4, $5, $6)',
      [options.runId, plan.key, chunk.index, rows, bytes, durationMs],
    );
    for (const sql of triggerSwitchSql(triggers, true)) await target.query(sql);
    await target.query('COMMIT');
    return { rows, bytes, durationMs };
  } catch (error) {
    await target.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
