/**
 * A twin from a base, through sync's target-side steps: the schema's
 * pre-data, the archive's record and the run's in one transaction; then each
 * part of each table in its own transaction with its run_chunks record
 * (src/snapshot/write-chunk.ts: rows and record commit together); then
 * sync's finishing steps (post-data, sequences from the base, ANALYZE).
 * The rows are masked already: no key, no source.
 *
 * Resumable without asking: a twin whose base is still `loading` continues
 * that base where it stopped (parts without a record, post-data not yet
 * applied), so a half-loaded table is never left as it is.
 */
import type { TableCatalog } from '../catalog/index.js';
import { readCatalog } from '../catalog/index.js';
import type { Client } from '../pg/connect.js';
import type { Endpoint } from '../pg/endpoint.js';
import { quoteQualified, type QualifiedName } from '../pg/ident.js';
import { finishRun, startRun } from '../pg/state-schema.js';
import type { TwinWriteMode } from '../pg/replica-session.js';
import type { SyncPlan, TablePlan } from '../plan/plan.js';
import { executePreData, type DdlFailure } from '../schema/index.js';
import type { ChunkResults } from '../snapshot/copy-workers.js';
import { runCopyWorkers } from '../snapshot/copy-workers.js';
import { finishSteps, type FinishResult } from '../snapshot/finish-steps.js';
import type { SyncObserver } from '../snapshot/observer.js';
import type { SequenceValues } from '../snapshot/sequences.js';
import { openTargetWriter } from '../snapshot/target-writer.js';
import type { ArchiveStore } from '../store/store.js';
import { openBaseReader } from '../archive/base-reader.js';
import { ArchiveError } from '../archive/errors.js';
import { messageOf } from '../errors.js';
import type { ArchiveManifest, BaseManifest } from '../archive/manifest.js';
import { parseLsn } from '../stream/lsn.js';
import { forgetArchiveTwin, recordBaseLoaded, recordBaseStart, type ArchiveTwin } from './archive-twin.js';

export interface BaseLoadInput {
  /** The twin's session: run lock held, write mode set. */
  readonly control: Client;
  /** The twin, for the loading sessions. */
  readonly endpoint: Endpoint;
  /** Parts loaded at the same time. */
  readonly jobs: number;
  readonly writeMode: TwinWriteMode;
  readonly store: ArchiveStore;
  readonly archive: ArchiveManifest;
  readonly base: BaseManifest;
  /** The twin's record of a load of this base that stopped part way: continued. */
  readonly resume: ArchiveTwin | undefined;
  /** Tables to drop first (--recreate). */
  readonly drop: readonly QualifiedName[];
  readonly signal: AbortSignal;
  readonly observer: SyncObserver;
}

export interface BaseLoadResult {
  readonly runId: number;
  readonly resumed: boolean;
  readonly tables: number;
  readonly rows: number;
  readonly notCreated: readonly DdlFailure[];
  readonly finished: FinishResult;
}

export async function loadBase(input: BaseLoadInput): Promise<BaseLoadResult> {
  const { control, base, observer, signal } = input;
  const resumed = input.resume !== undefined && input.resume.runId !== null;
  const notCreated: DdlFailure[] = [];
  let runId: number;
  if (input.resume?.runId != null) {
    runId = input.resume.runId;
    observer.note?.(`continuing the load of base ${base.name} (run ${runId})`);
    await control.query("UPDATE pgtwin.runs SET status = 'running', finished_at = NULL, error = NULL WHERE id = $1", [runId]);
  } else {
    runId = await startRun(
      control,
      'apply',
      input.store.display,
      base.tables.map((t) => t.key),
    );
    notCreated.push(...(await createSchema(input, runId)));
  }
  try {
    const plans = planTables(base, (await readCatalog(control, 'tables')) as TableCatalog);
    const postDataApplied = await postDataAppliedOf(control, runId);
    const done = await partsDone(control, runId);
    observer.phase?.('copy');
    const outcome = await runCopyWorkers({
      ends: {
        openReader: async () => openBaseReader(input.store, base),
        openWriter: (stop) => openTargetWriter(input.endpoint, { runId, writeMode: input.writeMode }, stop),
      },
      tables: plans,
      jobs: input.jobs,
      signal,
      observer,
      masksFor: () => new Map(),
      done,
    });
    if (outcome.error !== undefined || signal.aborted) throw outcome.error ?? signal.reason;
    const plan: SyncPlan = {
      tables: plans,
      foreignKeys: [],
      sequences: [],
      unownedSequences: base.sequences.map((s) => ({ schema: s.schema, name: s.name })),
      warnings: [],
    };
    const finished = await finishSteps({
      control,
      holder: undefined,
      sequenceValues: baseSequenceValues(base),
      runId,
      plan,
      postData: base.schema.postData,
      postDataApplied,
      signal,
      observer,
    });
    await recordBaseLoaded(control, base.archiveId);
    const total = base.tables.reduce((sum, t) => sum + t.rows, 0);
    await finishRun(control, runId, 'succeeded', total, { base: base.name, tables: base.tables.length }, undefined);
    return { runId, resumed, tables: base.tables.length, rows: total, notCreated: [...notCreated, ...finished.ddlFailures], finished };
  } catch (error) {
    await finishRun(control, runId, signal.aborted ? 'interrupted' : 'failed', 0, { base: base.name }, String(error)).catch(
      () => undefined,
    );
    throw new ArchiveError('BASE_LOAD_STOPPED', `The load of base ${base.name} stopped before it was complete: ${messageOf(error)}`, {
      cause: error,
      category: signal.aborted ? 'interrupted' : 'failure',
      nextStep:
        'Run the same pgtwin apply again: it continues this base where it stopped (parts already loaded are kept, none is loaded twice), then applies the changes.',
    });
  }
}

/** The schema, the twin's record of the archive and the stored plan, all or nothing. */
async function createSchema(input: BaseLoadInput, runId: number): Promise<DdlFailure[]> {
  const { control, base, archive } = input;
  input.observer.phase?.('prepare');
  await control.query('BEGIN');
  try {
    await forgetArchiveTwin(control);
    for (const table of input.drop) await control.query(`DROP TABLE IF EXISTS ${quoteQualified(table)} CASCADE`);
    const failures = await executePreData(control, base.schema.preData, { signal: input.signal });
    await recordBaseStart(control, {
      archiveId: archive.archiveId,
      location: input.store.display,
      base: base.name,
      consistentLsn: parseLsn(base.consistentLsn),
      rulesDigest: base.rulesDigest,
      keyFingerprint: base.keyFingerprint,
      status: 'loading',
      runId,
    });
    await control.query('UPDATE pgtwin.runs SET plan = $2 WHERE id = $1', [runId, JSON.stringify({ kind: 'apply', base: base.name })]);
    await control.query('COMMIT');
    return failures;
  } catch (error) {
    await control.query('ROLLBACK').catch(() => undefined);
    await finishRun(control, runId, 'failed', 0, { base: base.name }, messageOf(error)).catch(() => undefined);
    throw error;
  }
}

/** A plan per base table, in the base's order, from the twin's catalog once the schema is there. */
function planTables(base: BaseManifest, twin: TableCatalog): TablePlan[] {
  const missing = base.tables.filter((t) => !twin.tables.has(t.key)).map((t) => t.key);
  if (missing.length > 0) {
    throw new ArchiveError('BASE_TABLE_MISSING', `The twin lacks ${missing.join(', ')} after the base's schema was created.`, {
      nextStep: 'Run pgtwin apply --recreate to create the twin from the base again.',
    });
  }
  return base.tables.map((t) => {
    const info = twin.tables.get(t.key);
    if (info === undefined) throw new Error(`${t.key} vanished`);
    return {
      key: t.key,
      source: info,
      target: info,
      columns: t.columns.map((c) => c.name),
      maskedColumns: [],
      maskRules: new Map(),
      inheritedRules: [],
      where: undefined,
      limit: undefined,
      chunks: t.parts.map((_, index) => ({ index, bounds: { kind: 'whole' } as const })),
    };
  });
}

function baseSequenceValues(base: BaseManifest): SequenceValues {
  const values = new Map(base.sequences.map((s) => [`${s.schema}.${s.name}`, { lastValue: s.value, isCalled: s.isCalled }]));
  return async (sequence) => values.get(`${sequence.schema}.${sequence.name}`);
}

async function postDataAppliedOf(control: Client, runId: number): Promise<number> {
  const result = await control.query<{ n: number | null }>("SELECT (plan->>'postDataApplied')::int AS n FROM pgtwin.runs WHERE id = $1", [
    runId,
  ]);
  return result.rows[0]?.n ?? 0;
}

async function partsDone(control: Client, runId: number): Promise<ChunkResults> {
  const result = await control.query<{ table_name: string; chunk: number; rows: string; bytes: string; duration_ms: string }>(
    'SELECT table_name, chunk, rows, bytes, duration_ms FROM pgtwin.run_chunks WHERE run_id = $1',
    [runId],
  );
  const done = new Map<string, Map<number, { rows: number; bytes: number; durationMs: number }>>();
  for (const r of result.rows) {
    const chunks = done.get(r.table_name) ?? new Map();
    chunks.set(r.chunk, { rows: Number(r.rows), bytes: Number(r.bytes), durationMs: Number(r.duration_ms) });
    done.set(r.table_name, chunks);
  }
  return done;
}
