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
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import copyStreams from 'pg-copy-streams';
import type { TableCatalog } from '../catalog/index.js';
import { readCatalog } from '../catalog/index.js';
import type { Client } from '../pg/connect.js';
import { quoteQualified, type QualifiedName } from '../pg/ident.js';
import { finishRun, startRun } from '../pg/state-schema.js';
import type { TwinWriteMode } from '../pg/replica-session.js';
import { copyInSql } from '../plan/copy-sql.js';
import type { SyncPlan, TablePlan } from '../plan/plan.js';
import { executePreData, type DdlFailure } from '../schema/index.js';
import { createCountingPassThrough } from '../mask/mask-transform.js';
import { finishSteps, type FinishResult } from '../snapshot/finish-steps.js';
import type { SyncObserver } from '../snapshot/observer.js';
import type { SequenceValues } from '../snapshot/sequences.js';
import { writeChunk } from '../snapshot/write-chunk.js';
import type { ArchiveStore } from '../store/store.js';
import { ArchiveError } from '../archive/errors.js';
import { messageOf } from '../errors.js';
import type { ArchiveManifest, BaseManifest, BasePart } from '../archive/manifest.js';
import { parseLsn } from '../stream/lsn.js';
import { forgetArchiveTwin, recordBaseLoaded, recordBaseStart, type ArchiveTwin } from './archive-twin.js';

export interface BaseLoadInput {
  /** The twin's session: run lock held, write mode set. */
  readonly control: Client;
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
    let rows = 0;
    for (const [index, table] of base.tables.entries()) {
      const plan = plans[index];
      if (plan === undefined) continue;
      observer.tableStarted?.(plan);
      for (const [part, file] of table.parts.entries()) {
        if (done.get(plan.key)?.has(part) === true) continue;
        if (signal.aborted) throw signal.reason;
        const result = await loadPart(input, plan, runId, part, file);
        rows += result.rows;
        observer.tableProgress?.(plan, rows, result.bytes);
      }
      observer.tableFinished?.(plan, { rows: table.rows, bytes: 0, durationMs: 0 });
    }
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

/** One part: its stored bytes checked against the manifest before its rows commit. */
async function loadPart(input: BaseLoadInput, plan: TablePlan, runId: number, index: number, part: BasePart) {
  const { control, store, signal } = input;
  return writeChunk(plan, index, control, { runId, triggersOff: input.writeMode.triggersOff.get(plan.key) }, async () => {
    let rows = 0;
    let bytes = 0;
    const check = new StoredBytes();
    const count = createCountingPassThrough((r, b) => {
      rows += r;
      bytes += b;
    });
    const source = await store.read(part.name);
    if (plan.columns.length === 0) {
      // COPY cannot name no column: the part holds one empty line per row.
      await pipeline(source, check, createGunzip(), count, { signal });
      if (rows > 0) await control.query(`INSERT INTO ${quoteQualified(plan.target)} SELECT FROM generate_series(1, $1::bigint)`, [rows]);
    } else {
      await pipeline(source, check, createGunzip(), count, control.query(copyStreams.from(copyInSql(plan))), { signal });
    }
    if (check.size !== part.size || check.sha256() !== part.sha256) {
      throw new ArchiveError('ARCHIVE_CORRUPT', `${part.name} is not the file the base manifest lists (size or SHA-256 differs).`, {
        nextStep: 'Run pgtwin archive verify; restore the part from a backup, or apply from another base.',
      });
    }
    return { rows, bytes };
  });
}

/** Counts and hashes the bytes as stored (compressed), passing them on. */
class StoredBytes extends Transform {
  size = 0;
  private readonly hash = createHash('sha256');

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    this.hash.update(chunk);
    callback(null, chunk);
  }

  sha256(): string {
    return this.hash.digest('hex');
  }
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

async function partsDone(control: Client, runId: number): Promise<Map<string, Set<number>>> {
  const result = await control.query<{ table_name: string; chunk: number }>(
    'SELECT table_name, chunk FROM pgtwin.run_chunks WHERE run_id = $1',
    [runId],
  );
  const done = new Map<string, Set<number>>();
  for (const row of result.rows) done.set(row.table_name, (done.get(row.table_name) ?? new Set()).add(row.chunk));
  return done;
}
