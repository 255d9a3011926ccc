/**
 * `pgtwin sync`: plan, confirm, set foreign keys aside and truncate, copy every
 * table under one exported snapshot, restore foreign keys, sequences, ANALYZE.
 * Nothing is written before the plan has passed every check.
 */
import { availableParallelism } from 'node:os';
import type { Settings } from '../config/settings.js';
import { readCatalog } from '../pg/catalog.js';
import { openClient } from '../pg/connect.js';
import { quoteQualified } from '../pg/ident.js';
import { ensureStateSchema, finishRun, lockTargetForRun, startRun } from '../pg/state-schema.js';
import { InterruptedError, PgtwinError, SafetyError, SyncError, messageOf } from '../errors.js';
import { withScope } from '../scope.js';
import { applyPostData, applyPreData } from '../schema/index.js';
import { planTargetSchema, type TargetSchemaPlan } from './target-schema.js';
import { builtinRegistry, compileMasks, loadCustomStrategies, requireMaskingKey, StrategyRegistry, type ColumnMask } from '../anonymize/index.js';
import { connectPair, openEndpoints, type Endpoints } from './connect-endpoints.js';
import { runCopyWorkers } from './copy-workers.js';
import { restoreForeignKeys, setAsideForeignKeys, type RestoreFailure } from './foreign-keys.js';
import type { SyncObserver } from './observer.js';
import { buildPlan, type SyncPlan } from './plan.js';
import { syncSequences } from './sequences.js';
import { exportSnapshot } from './snapshot-session.js';
import { checkFilters } from './check-filters.js';
import { describeTables, type SyncReport, type TableReport } from './sync-report.js';

export interface SyncRequest {
  readonly settings: Settings;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Asked before the target is truncated; resolve false to refuse. */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly signal?: AbortSignal;
  readonly observer?: SyncObserver;
  /** Drop the selected tables that exist on the target and create them from the source's catalog. */
  readonly recreate?: boolean;
}

export interface PlanResult {
  readonly endpoints: Endpoints;
  readonly plan: SyncPlan;
  /** Built-in strategies plus the config's custom ones. */
  readonly registry: StrategyRegistry;
  /** What the target lacks and sync creates (undefined: nothing). */
  readonly schema: TargetSchemaPlan | undefined;
}

/** Everything `sync` checks before writing, and nothing else: `pgtwin plan` and `--dry-run`. */
export async function planSync(request: Omit<SyncRequest, 'confirm'>): Promise<PlanResult> {
  const registry = await strategyRegistry(request.settings);
  const endpoints = await openEndpoints(request.settings, request.env, { signal: request.signal, onProgress: (message) => request.observer?.note?.(message) });
  return withScope(async (scope) => {
    request.observer?.phase?.('connect');
    const pair = await connectPair(endpoints, scope, request.signal);
    request.observer?.phase?.('plan');
    const [sourceCatalog, currentTarget] = await Promise.all([readCatalog(pair.source), readCatalog(pair.target)]);
    const { schema, target } = await planTargetSchema(request.settings, pair, sourceCatalog, currentTarget, request.recreate === true);
    const plan = buildPlan(request.settings, sourceCatalog, target, registry);
    await checkFilters(pair.source, plan);
    return { endpoints, plan, registry, schema };
  });
}

export async function runSync(request: SyncRequest): Promise<SyncReport> {
  const started = performance.now();
  const observer = request.observer ?? {};
  const signal = request.signal ?? new AbortController().signal;
  const { endpoints, plan, registry, schema } = await planSync(request);
  // Compiled before the prompt: a missing key or a rule that cannot be built
  // stops the run while the target is still untouched.
  const masks = await compileTableMasks(plan, registry, request);
  for (const warning of plan.warnings) observer.warning?.(warning);
  observer.planned?.(plan);

  const notStarted = (): InterruptedError =>
    new InterruptedError('The sync was interrupted before anything was written.', { nextStep: 'Run the same pgtwin sync command again.' });
  if (signal.aborted) throw notStarted();
  const names = plan.tables.map((t) => t.key);
  if (!(await request.confirm(confirmationQuestion(plan, schema, endpoints)))) {
    throw new SafetyError('NOT_CONFIRMED', 'The changes to the target tables were not confirmed; nothing was written.', {
      nextStep: 'Run again and answer yes, or pass --yes (needed when there is no terminal to ask on).',
    });
  }

  if (signal.aborted) throw notStarted();
  return withScope(async (scope) => {
    const control = scope.add(await openClient(endpoints.target, { readOnly: false, signal }), (c) => c.end(), 'target control session');
    await lockTargetForRun(control);
    await ensureStateSchema(control);
    const runId = await startRun(control, 'sync', endpoints.source.display, names);
    const holder = scope.add(await openClient(endpoints.source, { readOnly: true, applicationName: 'pgtwin snapshot', signal }), (c) => c.end(), 'snapshot holder');
    const snapshotId = await exportSnapshot(holder);

    const fail = async (status: 'failed' | 'interrupted', error: unknown, done: ReadonlySet<string>): Promise<never> => {
      const tables = describeTables(plan, done);
      await finishRun(control, runId, status, 0, { tables }, messageOf(error)).catch(() => undefined);
      throw stoppedError(status, error, plan, done, request);
    };

    if (schema !== undefined) {
      observer.phase?.('schema');
      observer.note?.(`creating ${schema.created.length} table${schema.created.length === 1 ? '' : 's'} on the target (${schema.ddl.preData.length} statements)`);
      await applyPreData(control, schema.ddl.preData, { signal }).catch((error: unknown) => fail(signal.aborted ? 'interrupted' : 'failed', error, new Set()));
    }
    observer.phase?.('prepare');
    try {
      await control.query('BEGIN');
      await setAsideForeignKeys(control, plan.foreignKeys, runId);
      await control.query(`TRUNCATE ${plan.tables.map((t) => (t.target.kind === 'table' ? 'ONLY ' : '') + quoteQualified(t.target)).join(', ')}`);
      await control.query('COMMIT');
    } catch (error) {
      await control.query('ROLLBACK').catch(() => undefined);
      return fail(signal.aborted ? 'interrupted' : 'failed', error, new Set());
    }

    observer.phase?.('copy');
    const outcome = await runCopyWorkers({
      endpoints,
      snapshotId,
      runId,
      tables: plan.tables,
      jobs: request.settings.options.jobs ?? availableParallelism(),
      signal,
      observer,
      masksFor: (table) => masks.get(table.key) ?? new Map(),
    });
    if (outcome.error !== undefined || signal.aborted) {
      return fail(signal.aborted ? 'interrupted' : 'failed', outcome.error ?? signal.reason, new Set(outcome.completed.keys()));
    }

    observer.phase?.('foreign-keys');
    const fkFailures = await restoreForeignKeys(control);
    // Keys, indexes and foreign keys of created tables: built on the loaded rows, faster than maintained during the load.
    observer.phase?.('post-data');
    const ddlFailures = schema === undefined ? [] : await applyPostData(control, schema.ddl.postData, { signal });
    observer.phase?.('sequences');
    const sequences = await syncSequences(holder, control, plan.sequences);
    await holder.query('COMMIT');
    observer.phase?.('analyze');
    await control.query(`ANALYZE ${plan.tables.map((t) => quoteQualified(t.target)).join(', ')}`);

    const tables: TableReport[] = plan.tables.map((t) => {
      const result = outcome.completed.get(t.key);
      return { table: t.key, rows: result?.rows ?? 0, bytes: result?.bytes ?? 0, durationMs: result?.durationMs ?? 0, maskedColumns: [...t.maskedColumns] };
    });
    const report: SyncReport = {
      runId,
      tables,
      totalRows: tables.reduce((sum, t) => sum + t.rows, 0),
      durationMs: Math.round(performance.now() - started),
      sequences: sequences.length,
      warnings: [...plan.warnings],
    };
    if (ddlFailures.length > 0) {
      await finishRun(control, runId, 'failed', report.totalRows, report, 'schema objects could not be created');
      throw new SyncError('SCHEMA_INCOMPLETE', `All rows were copied, but ${ddlFailures.length} key, index or other object${ddlFailures.length === 1 ? '' : 's'} could not be created on the target.`, {
        details: ddlFailures.map((f) => `${f.object}: ${f.reason}`),
        nextStep: 'Fix the cause on the target, then run `pgtwin schema` with the same selection: it creates only what is still missing.',
      });
    }
    if (fkFailures.length > 0) {
      await finishRun(control, runId, 'failed', report.totalRows, report, 'foreign keys could not be restored');
      throw foreignKeyError(fkFailures);
    }
    await finishRun(control, runId, 'succeeded', report.totalRows, report, undefined);
    observer.phase?.('done');
    return report;
  });
}

function confirmationQuestion(plan: SyncPlan, schema: TargetSchemaPlan | undefined, endpoints: Endpoints): string {
  const created = new Set(schema?.created ?? []);
  const plural = (n: number): string => `${n} table${n === 1 ? '' : 's'}`;
  const truncated = plan.tables.map((t) => t.key).filter((k) => !created.has(k));
  const lines: string[] = [];
  if (schema !== undefined && schema.dropped.length > 0) lines.push(`Drop and recreate ${plural(schema.dropped.length)} (all rows in them are lost): ${schema.dropped.join(', ')}`);
  const fresh = [...created].filter((k) => !(schema?.dropped ?? []).includes(k));
  if (fresh.length > 0) lines.push(`Create ${plural(fresh.length)}: ${fresh.join(', ')}`);
  if (truncated.length > 0) lines.push(`Truncate ${plural(truncated.length)}: ${truncated.join(', ')}`);
  return `On the target ${endpoints.target.display}, load from ${endpoints.source.display}:\n  ${lines.join('\n  ')}\nGo ahead?`;
}

async function strategyRegistry(settings: Settings): Promise<StrategyRegistry> {
  if (settings.strategiesModule === undefined) return builtinRegistry();
  return new StrategyRegistry(await loadCustomStrategies(settings.strategiesModule));
}

/** Per table key, the masks by COPY column index; the key is only required when some table is masked. */
async function compileTableMasks(plan: SyncPlan, registry: StrategyRegistry, request: Omit<SyncRequest, 'confirm'>): Promise<Map<string, Map<number, ColumnMask>>> {
  const result = new Map<string, Map<number, ColumnMask>>();
  const masked = plan.tables.filter((t) => t.maskedColumns.length > 0);
  if (masked.length === 0) return result;
  const key = await requireMaskingKey({ env: request.env, secretFile: request.settings.secretFile });
  for (const table of masked) {
    // `keep` rules copy the value as it is; leaving them out keeps those bytes untouched.
    const rules = new Map([...table.maskRules].filter(([, spec]) => spec.strategy !== 'keep'));
    const columns = table.columns.map((name) => {
      const info = table.source.columns.find((c) => c.name === name);
      return { name, type: info?.type ?? 'text', notNull: info?.notNull ?? false };
    });
    result.set(table.key, compileMasks(rules, columns, { table: table.key, primaryKey: table.source.primaryKey, uniqueKeys: table.source.uniqueKeys, strategies: registry, key }));
  }
  return result;
}

function stoppedError(status: 'failed' | 'interrupted', error: unknown, plan: SyncPlan, done: ReadonlySet<string>, request: SyncRequest): PgtwinError {
  const missing = plan.tables.filter((t) => !done.has(t.key)).map((t) => t.key);
  const details = [
    `loaded completely: ${done.size === 0 ? 'none' : [...done].join(', ')}`,
    `empty or rolled back: ${missing.length === 0 ? 'none' : missing.join(', ')}`,
    ...(plan.foreignKeys.length > 0 ? [`${plan.foreignKeys.length} foreign key(s) are set aside until the next complete run (kept in pgtwin.pending_foreign_keys)`] : []),
  ];
  const nextStep = `Run the same pgtwin sync command again: it reloads the selected tables and restores the foreign keys.`;
  if (status === 'interrupted' || request.signal?.aborted === true) {
    return new InterruptedError('The sync was interrupted; the target is incomplete.', { details, nextStep, cause: error });
  }
  const known = pgtwinErrorIn(error);
  if (known !== undefined) {
    return new PgtwinError(known.code, known.category, known.message, { cause: known.cause ?? known, details: [...known.details, ...details], nextStep: known.nextStep ?? nextStep });
  }
  return new SyncError('COPY_FAILED', `The sync failed: ${messageOf(error)}`, { cause: error, details, nextStep });
}

/** The pgtwin error behind a failure, when streams wrapped it (a mask that threw inside the COPY pipeline). */
function pgtwinErrorIn(error: unknown): PgtwinError | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof PgtwinError) return e;
  }
  return undefined;
}

function foreignKeyError(failures: readonly RestoreFailure[]): SyncError {
  return new SyncError('FOREIGN_KEYS_NOT_RESTORED', `All rows were copied, but ${failures.length} foreign key(s) do not hold on the copied rows and could not be restored.`, {
    details: failures.map((f) => `${f.foreignKey.table.schema}.${f.foreignKey.table.name} ${f.foreignKey.name}: ${f.reason}`),
    nextStep:
      'A where/limit filter probably kept child rows whose parents were filtered out: filter the child table the same way, then run sync again (the keys stay in pgtwin.pending_foreign_keys until then).',
  });
}
