/**
 * `pgtwin sync`: plan, confirm, create what the target lacks, set foreign keys
 * aside and truncate, copy every table (split ones chunk by chunk) under one
 * exported snapshot, restore foreign keys, build keys and indexes of created
 * tables, sequences, ANALYZE. Nothing is written before the plan has passed
 * every check; `--resume` finishes a run that stopped part way.
 */
import { availableParallelism } from 'node:os';
import type { Settings } from '../config/settings.js';
import { requireMaskingKey, type MaskingKey, type StrategyRegistry } from '../anonymize/index.js';
import { checkOwners } from '../plan/check-owners.js';
import { sampleFakeColumns } from '../plan/fake-samples.js';
import { readCatalog } from '../catalog/read-catalog.js';
import { openClient, type Client } from '../pg/connect.js';
import { quoteQualified } from '../pg/ident.js';
import { ensureStateSchema, finishRun, lockTargetForRun, startRun } from '../pg/state-schema.js';
import { InterruptedError, SafetyError, UsageError, messageOf } from '../errors.js';
import { withScope } from '../scope.js';
import { executePreData, firstPerObject, notCreated, type DdlStatement } from '../schema/index.js';
import { finishSteps, FinishInterrupted, type FinishResult } from '../snapshot/finish-steps.js';
import { planChunks } from '../plan/chunks.js';
import { checkFilters } from '../plan/check-filters.js';
import { checkSequences } from '../plan/check-sequences.js';
import { connectPair, openEndpoints, type Endpoints } from '../pg/connect-endpoints.js';
import { isLocalEndpoint } from '../pg/endpoint.js';
import { runCopyWorkers, type ChunkResults } from '../snapshot/copy-workers.js';
import { setAsideForeignKeys } from '../snapshot/foreign-keys.js';
import type { SyncObserver } from '../snapshot/observer.js';
import { buildPlan, type SyncPlan, type TablePlan } from '../plan/plan.js';
import { restrictPlan } from '../plan/plan-subset.js';
import { findResumableRun, resumePlan, storedPlanOf, storePlan } from '../snapshot/resume.js';
import { compileRunMasks, strategyRegistry, type RunMasks } from '../mask/run-masks.js';
import { MaskPool } from '../mask/mask-pool.js';
import { exportSnapshot, importSnapshot } from '../snapshot/snapshot-session.js';
import { finishInterruptedError, foreignKeyError, stoppedError } from './sync-errors.js';
import { describeTables, type SyncReport, type TableReport } from './sync-report.js';
import { planTargetSchema, type TargetSchemaPlan } from '../snapshot/target-schema.js';
import { syncWriteMode, triggerSwitchSql } from '../pg/replica-session.js';
import { planLargeObjects } from '../plan/large-objects-plan.js';
import { planUnownedSequences } from '../snapshot/unowned-sequences.js';

export interface SyncRequest {
  readonly settings: Settings;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Asked before the target is truncated; resolve false to refuse. */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly signal?: AbortSignal;
  readonly observer?: SyncObserver;
  /** Drop the selected tables that exist on the target and create them from the source's catalog. */
  readonly recreate?: boolean;
  /** Finish the last run that stopped part way: copy only the chunks it did not commit. */
  readonly resume?: boolean;
  /**
   * A snapshot exported elsewhere (a replication slot's, for follow) to copy
   * under instead of a new one; it must stay valid until the sync returns.
   */
  readonly snapshotId?: string;
  /** Kind recorded in pgtwin.runs (`sync` by default). */
  readonly runKind?: string;
  /**
   * Copy only these selected tables (`schema.table`), leaving the others as
   * they are: follow's copy of tables added to a followed twin.
   */
  readonly onlyTables?: ReadonlySet<string>;
  /** Plan for `verify` (writes nothing): checks that guard writes are skipped. */
  readonly verifyOnly?: boolean;
}

export interface PlanResult {
  readonly endpoints: Endpoints;
  readonly plan: SyncPlan;
  /** Built-in strategies plus the config's custom ones. */
  readonly registry: StrategyRegistry;
  /** What the target lacks and sync creates (undefined: nothing). */
  readonly schema: TargetSchemaPlan | undefined;
}

/**
 * Everything `sync` checks before writing, and nothing else: `pgtwin plan` and `--dry-run`.
 * `forLoad`: also that the target role can keep the twin's triggers quiet
 * (src/pg/replica-session.ts), which only a load needs (not verify).
 */
export async function planSync(request: Omit<SyncRequest, 'confirm'>, forLoad = false): Promise<PlanResult> {
  const registry = await strategyRegistry(request.settings);
  const endpoints = await openEndpoints(request.settings, request.env, {
    signal: request.signal,
    onProgress: (message) => request.observer?.note?.(message),
  });
  return withScope(async (scope) => {
    request.observer?.phase?.('connect');
    const pair = await connectPair(endpoints, scope, request.signal);
    request.observer?.phase?.('plan');
    const [sourceCatalog, currentTarget] = await Promise.all([readCatalog(pair.source, 'all'), readCatalog(pair.target, 'all')]);
    const { schema, target } = await planTargetSchema(request.settings, pair, sourceCatalog, currentTarget, request.recreate === true);
    const verifyOnly = request.verifyOnly === true;
    const samples = await sampleFakeColumns(pair.source, request.settings, sourceCatalog);
    const whole = buildPlan(request.settings, sourceCatalog, target, registry, samples, { verifyOnly });
    // A target role that could not keep the twin's triggers quiet is refused with the plan, before any prompt.
    if (forLoad) await syncWriteMode(pair.target, loadedWithTriggers(whole, schema));
    await checkFilters(pair.source, whole);
    if (!verifyOnly) {
      const key = (): Promise<MaskingKey> => requireMaskingKey({ env: request.env, secretFile: request.settings.secretFile });
      await checkOwners({ source: pair.source, target: pair.target, plan: whole, registry, key });
    }
    const warnings = [...whole.warnings];
    const largeObjects = verifyOnly ? undefined : await planLargeObjects(pair.source, request.settings, warnings);
    const unownedSequences = verifyOnly ? [] : planUnownedSequences(sourceCatalog, whole.tables);
    const policy = { largerThan: request.settings.options.splitTablesLargerThan, jobs: jobsOf(request.settings) };
    const tables: TablePlan[] = [];
    for (const table of whole.tables) tables.push({ ...table, chunks: await planChunks(pair.source, table, policy) });
    const plan: SyncPlan = { ...whole, tables, largeObjects, unownedSequences, warnings };
    if (!verifyOnly) await checkSequences(pair.source, plan);
    return { endpoints, plan, registry, schema };
  });
}

export async function runSync(request: SyncRequest): Promise<SyncReport> {
  const started = performance.now();
  const observer = request.observer ?? {};
  const signal = request.signal ?? new AbortController().signal;
  const resume = request.resume === true;
  const whole = await planSync(request, true);
  const planned = request.onlyTables === undefined ? whole : { ...whole, plan: restrictPlan(whole.plan, request.onlyTables) };
  const { endpoints, schema } = planned;
  if (resume && schema !== undefined && schema.created.length > 0) {
    throw new UsageError('RESUME_MISMATCH', `The target lacks ${schema.created.join(', ')}, so the last run cannot be resumed.`, {
      nextStep: 'Run pgtwin sync without --resume: it creates the tables and reloads everything.',
    });
  }
  // Compiled before the prompt: a missing key or a rule that cannot be built
  // stops the run while the target is still untouched.
  const masks = await compileRunMasks(planned.plan, planned.registry, request.settings, request.env);
  for (const warning of planned.plan.warnings) observer.warning?.(warning);

  const notStarted = (): InterruptedError =>
    new InterruptedError('The sync was interrupted before anything was written.', { nextStep: 'Run the same pgtwin sync command again.' });
  if (signal.aborted) throw notStarted();
  // A resume writes only rows that the confirmed run truncated for; it does not ask again.
  // The report's duration is the sync's, not the time someone took to answer.
  const asked = performance.now();
  const confirmed = resume || (await request.confirm(confirmationQuestion(planned.plan, schema, endpoints)));
  const promptMs = performance.now() - asked;
  if (!confirmed) {
    throw new SafetyError('NOT_CONFIRMED', 'The changes to the target tables were not confirmed; nothing was written.', {
      nextStep: 'Run again and answer yes, or pass --yes (needed when there is no terminal to ask on).',
    });
  }

  if (signal.aborted) throw notStarted();
  return withScope(async (scope) => {
    // Workers start while the target is prepared; a failure to start surfaces where the copy awaits them.
    const poolStarting = startMaskPool(masks, request.settings, endpoints);
    poolStarting.catch(() => undefined);
    scope.defer(async () => (await poolStarting.catch(() => undefined))?.close(), 'masking workers');
    const control = scope.add(await openClient(endpoints.target, { readOnly: false, signal }), (c) => c.end(), 'target control session');
    // Before anything is written: how the twin's own triggers stay quiet, or a refusal saying what to grant.
    const writeMode = await syncWriteMode(control, loadedWithTriggers(planned.plan, schema));
    if (writeMode.triggersOff.size > 0) {
      observer.note?.(
        `the target role may not set session_replication_role: the triggers of ${[...writeMode.triggersOff.keys()].join(', ')} are turned off inside each load transaction (and the chunks of such a table load one at a time)`,
      );
    }
    await lockTargetForRun(control);
    await ensureStateSchema(control);
    const run = resume
      ? await reopenRun(control, planned.plan, masks.keyFingerprint)
      : await newRun(control, planned.plan, endpoints, schema, request.runKind ?? 'sync');
    const { runId, plan, postData } = run;
    observer.planned?.(plan);
    if (resume)
      observer.note?.(
        `resuming run ${runId}: ${countChunks(plan) - countDone(run.done)} of ${countChunks(plan)} chunk${countChunks(plan) === 1 ? '' : 's'} left to copy`,
      );
    const holder = scope.add(
      await openClient(endpoints.source, { readOnly: true, applicationName: 'pgtwin snapshot', signal }),
      (c) => c.end(),
      'snapshot holder',
    );
    let snapshotId: string;
    if (request.snapshotId === undefined) {
      snapshotId = await exportSnapshot(holder);
    } else {
      snapshotId = request.snapshotId;
      await importSnapshot(holder, snapshotId);
    }

    let storedPlan = resume;
    const notCreated: Array<{ object: string; reason: string }> = resume ? [] : notCreatedOf(schema);
    const fail = async (status: 'failed' | 'interrupted', error: unknown, chunks: ChunkResults): Promise<never> => {
      const tables = describeTables(
        plan,
        new Set(
          [...chunks].filter(([key, done]) => done.size === plan.tables.find((t) => t.key === key)?.chunks.length).map(([key]) => key),
        ),
      );
      await finishRun(control, runId, status, 0, { tables }, messageOf(error)).catch(() => undefined);
      throw stoppedError(signal.aborted ? 'interrupted' : status, error, plan, chunks, storedPlan);
    };

    if (!resume) {
      observer.phase?.('prepare');
      if (schema !== undefined && schema.ddl.preData.length > 0) {
        const n = schema.created.length;
        observer.note?.(
          `creating ${n > 0 ? `${n} table${n === 1 ? '' : 's'} and ` : ''}what the twin lacks on the target (${schema.ddl.preData.length} statements before the load, ${schema.ddl.postData.length} after)`,
        );
      }
      try {
        // One transaction: the tables exist, are empty and the plan is stored, or none of it.
        await control.query('BEGIN');
        notCreated.push(...(await executePreData(control, schema?.ddl.preData ?? [], { signal })));
        await setAsideForeignKeys(control, plan.foreignKeys, runId);
        // Without the replica role, ON TRUNCATE triggers are turned off for this transaction only.
        const triggers = [...writeMode.triggersOff.values()].flat();
        for (const sql of triggerSwitchSql(triggers, false)) await control.query(sql);
        if (plan.tables.length > 0)
          await control.query(
            `TRUNCATE ${plan.tables.map((t) => (t.target.kind === 'table' ? 'ONLY ' : '') + quoteQualified(t.target)).join(', ')}`,
          );
        for (const sql of triggerSwitchSql(triggers, true)) await control.query(sql);
        await storePlan(control, runId, storedPlanOf(plan, postData, masks.keyFingerprint));
        await control.query('COMMIT');
        storedPlan = true;
      } catch (error) {
        await control.query('ROLLBACK').catch(() => undefined);
        return fail(signal.aborted ? 'interrupted' : 'failed', error, new Map());
      }
    }

    observer.phase?.('copy');
    let maskPool: MaskPool | undefined;
    try {
      maskPool = await poolStarting;
    } catch (error) {
      return fail('failed', error, run.done);
    }
    const outcome = await runCopyWorkers({
      endpoints,
      snapshotId,
      runId,
      tables: plan.tables,
      jobs: jobsOf(request.settings),
      signal,
      observer,
      masksFor: (table) => masks.byTable.get(table.key) ?? new Map(),
      maskPool,
      done: run.done,
      writeMode,
    });
    if (outcome.error !== undefined || signal.aborted) {
      return fail(signal.aborted ? 'interrupted' : 'failed', outcome.error ?? signal.reason, outcome.chunks);
    }

    let finished: FinishResult;
    try {
      finished = await finishSteps({ control, holder, runId, plan, postData, postDataApplied: run.postDataApplied, signal, observer });
    } catch (error) {
      // Every row is in: the run is left resumable (`--resume` does the steps left).
      const loaded = { tables: describeTables(plan, new Set(plan.tables.map((t) => t.key))) };
      await finishRun(control, runId, error instanceof FinishInterrupted ? 'interrupted' : 'failed', 0, loaded, messageOf(error)).catch(
        () => undefined,
      );
      throw error instanceof FinishInterrupted ? finishInterruptedError(error) : error;
    }
    const { foreignKeyFailures: fkFailures, ddlFailures, sequences, largeObjects, missingSequences } = finished;
    // A stop asked for during the last step (ANALYZE) came too late to leave anything undone.
    if (signal.aborted) observer.note?.('the stop request came during the last step (ANALYZE), which finished: the sync is complete');
    await holder.query('COMMIT');
    notCreated.push(...ddlFailures);

    const tables: TableReport[] = plan.tables.map((t) => {
      const result = outcome.completed.get(t.key);
      return {
        table: t.key,
        rows: result?.rows ?? 0,
        bytes: result?.bytes ?? 0,
        durationMs: result?.durationMs ?? 0,
        maskedColumns: [...t.maskedColumns],
      };
    });
    const report: SyncReport = {
      runId,
      tables,
      totalRows: tables.reduce((sum, t) => sum + t.rows, 0),
      durationMs: Math.round(performance.now() - started - promptMs),
      sequences: sequences.length,
      ...(largeObjects === undefined
        ? {}
        : { largeObjects: { decision: largeObjects.decision, count: largeObjects.count, bytes: largeObjects.bytes } }),
      warnings: [
        ...plan.warnings,
        ...leftOutOf(schema),
        ...(largeObjects?.warnings ?? []),
        ...missingSequences.map((s) => `the sequence ${s} (no column owns it) does not exist on the target; not set`),
      ],
      notCreated: firstPerObject(notCreated).map((f) => ({ object: f.object, reason: f.reason })),
    };
    if (fkFailures.length > 0) {
      await finishRun(control, runId, 'failed', report.totalRows, report, 'foreign keys could not be restored');
      throw foreignKeyError(fkFailures);
    }
    // The rows are all there: the run succeeded, and the report says what the twin lacks.
    const incomplete =
      report.notCreated.length > 0 ? `the twin is incomplete: ${report.notCreated.length} schema object(s) not created` : undefined;
    await finishRun(control, runId, 'succeeded', report.totalRows, report, incomplete);
    observer.phase?.('done');
    return report;
  });
}

/** The tables that keep their triggers through the load: those this run creates (or drops and creates) get theirs after it. */
function loadedWithTriggers(plan: SyncPlan, schema: TargetSchemaPlan | undefined): TablePlan[] {
  const created = new Set(schema?.created ?? []);
  return plan.tables.filter((t) => !created.has(t.key));
}

/** What the schema plan could not create (the selection's own choices are not among them). */
function notCreatedOf(schema: TargetSchemaPlan | undefined): Array<{ object: string; reason: string }> {
  return notCreated(schema?.ddl.skipped ?? []).map((s) => ({ object: s.object, reason: s.reason }));
}

function leftOutOf(schema: TargetSchemaPlan | undefined): string[] {
  return (schema?.ddl.skipped ?? []).filter((s) => s.selection === true).map((s) => `left out: ${s.object} (${s.reason})`);
}

interface RunState {
  readonly runId: number;
  readonly plan: SyncPlan;
  readonly postData: readonly DdlStatement[];
  readonly postDataApplied: number;
  readonly done: ChunkResults;
}

async function newRun(
  control: Client,
  plan: SyncPlan,
  endpoints: Endpoints,
  schema: TargetSchemaPlan | undefined,
  kind: string,
): Promise<RunState> {
  const runId = await startRun(
    control,
    kind,
    endpoints.source.display,
    plan.tables.map((t) => t.key),
  );
  return { runId, plan, postData: schema?.ddl.postData ?? [], postDataApplied: 0, done: new Map() };
}

async function reopenRun(control: Client, plan: SyncPlan, keyFingerprint: string | undefined): Promise<RunState> {
  const run = await findResumableRun(control);
  const resumed = resumePlan(plan, run, keyFingerprint);
  await control.query("UPDATE pgtwin.runs SET status = 'running', finished_at = NULL, error = NULL WHERE id = $1", [run.runId]);
  return {
    runId: run.runId,
    plan: resumed,
    postData: run.stored.postData,
    postDataApplied: run.stored.postDataApplied ?? 0,
    done: run.done,
  };
}

function countChunks(plan: SyncPlan): number {
  return plan.tables.reduce((sum, t) => sum + t.chunks.length, 0);
}

function countDone(done: ChunkResults): number {
  return [...done.values()].reduce((sum, chunks) => sum + chunks.size, 0);
}

function jobsOf(settings: Settings): number {
  return settings.options.jobs ?? availableParallelism();
}

/** Masking threads beside the copying one, when some table is masked and `mask_workers` is not 0. */
async function startMaskPool(masks: RunMasks, settings: Settings, endpoints: Endpoints): Promise<MaskPool | undefined> {
  const workers = settings.options.maskWorkers ?? defaultMaskWorkers(endpoints);
  if (masks.specs.length === 0 || masks.key === undefined || workers === 0) return undefined;
  return MaskPool.start({ workers, key: masks.key, strategiesModule: settings.strategiesModule, tables: masks.specs });
}

/**
 * The CPUs left once the copying thread and each server on this machine have
 * one. Where that leaves none, masking stays on the copying thread: with every
 * core already busy, a separate thread only adds its overhead (measured in
 * docs/performance.md).
 */
function defaultMaskWorkers(endpoints: Endpoints): number {
  const localServers = [endpoints.source, endpoints.target].filter(isLocalEndpoint).length;
  return Math.max(0, availableParallelism() - 1 - localServers);
}

function confirmationQuestion(plan: SyncPlan, schema: TargetSchemaPlan | undefined, endpoints: Endpoints): string {
  const created = new Set(schema?.created ?? []);
  const plural = (n: number): string => `${n} table${n === 1 ? '' : 's'}`;
  const truncated = plan.tables.map((t) => t.key).filter((k) => !created.has(k));
  const lines: string[] = [];
  if (schema !== undefined && schema.dropped.length > 0)
    lines.push(`Drop and recreate ${plural(schema.dropped.length)} (all rows in them are lost): ${schema.dropped.join(', ')}`);
  const fresh = [...created].filter((k) => !(schema?.dropped ?? []).includes(k));
  if (fresh.length > 0) lines.push(`Create ${plural(fresh.length)}: ${fresh.join(', ')}`);
  if (truncated.length > 0) lines.push(`Truncate ${plural(truncated.length)}: ${truncated.join(', ')}`);
  const lo = plan.largeObjects;
  if (lo !== undefined && lo.decision !== 'skip')
    lines.push(`Replace the target's large objects with the source's ${lo.count}${lo.decision === 'empty' ? ' (empty)' : ''}`);
  return `On the target ${endpoints.target.display}, load from ${endpoints.source.display}:\n  ${lines.join('\n  ')}\nGo ahead?`;
}
