/**
 * `pgtwin sync`: plan, confirm, create what the target lacks, set foreign keys
 * aside and truncate, copy every table (split ones chunk by chunk) under one
 * exported snapshot, restore foreign keys, build keys and indexes of created
 * tables, sequences, ANALYZE. Nothing is written before the plan has passed
 * every check; `--resume` finishes a run that stopped part way.
 *
 * runSync reads top to bottom as its steps; the run's state from the moment
 * it is recorded on the target is one object (src/sync/sync-run.ts).
 */
import { requireMaskingKey, type MaskingKey } from '../anonymize/index.js';
import { checkOwners } from '../plan/check-owners.js';
import { sampleFakeColumns } from '../plan/fake-samples.js';
import { readCatalog } from '../catalog/index.js';
import { UsageError } from '../errors.js';
import { withScope } from '../scope.js';
import { planChunks } from '../plan/chunks.js';
import { checkFilters } from '../plan/check-filters.js';
import { checkSequences } from '../plan/check-sequences.js';
import { connectPair, openEndpoints } from '../pg/connect-endpoints.js';
import { buildPlan, type SyncPlan, type TablePlan } from '../plan/plan.js';
import { restrictPlan } from '../plan/plan-subset.js';
import { compileRunMasks, strategyRegistry, type RunMasks } from '../mask/run-masks.js';
import type { SyncReport } from './sync-report.js';
import { planTargetSchema } from '../snapshot/target-schema.js';
import { syncWriteMode } from '../pg/replica-session.js';
import { planLargeObjects } from '../plan/large-objects-plan.js';
import { planUnownedSequences } from '../snapshot/unowned-sequences.js';
import { jobsOf, loadedWithTriggers } from './load-policy.js';
import type { PlanResult, SyncRequest } from './sync-request.js';
import { confirmRun } from './confirm-run.js';
import { openRun } from './open-run.js';
import { prepareTarget } from './prepare-target.js';
import { copyTables } from './copy-tables.js';
import { finishTarget } from './finish-target.js';
import { recordReport } from './record-report.js';

export type { PlanResult, SyncRequest } from './sync-request.js';

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
  const signal = request.signal ?? new AbortController().signal;
  const observer = request.observer ?? {};
  const planned = await planRun(request);
  const masks = await compileMasksBeforeWriting(request, planned);
  const promptMs = await confirmRun(request, planned, signal);
  return withScope(async (scope) => {
    const run = await openRun(scope, { request, planned, masks, signal, observer });
    if (!run.resumed) await prepareTarget(run);
    const copied = await copyTables(run);
    const finished = await finishTarget(run);
    // The report's duration is the sync's, not the time someone took to answer.
    return recordReport(run, copied, finished, performance.now() - started - promptMs);
  });
}

/** planSync with the checks a load needs, restricted to `onlyTables`; a resume must find every table in place. */
async function planRun(request: SyncRequest): Promise<PlanResult> {
  const whole = await planSync(request, true);
  const planned = request.onlyTables === undefined ? whole : { ...whole, plan: restrictPlan(whole.plan, request.onlyTables) };
  const { schema } = planned;
  if (request.resume === true && schema !== undefined && schema.created.length > 0) {
    throw new UsageError('RESUME_MISMATCH', `The target lacks ${schema.created.join(', ')}, so the last run cannot be resumed.`, {
      nextStep: 'Run pgtwin sync without --resume: it creates the tables and reloads everything.',
    });
  }
  return planned;
}

/**
 * Compiled before the prompt: a missing key or a rule that cannot be built
 * stops the run while the target is still untouched.
 */
async function compileMasksBeforeWriting(request: SyncRequest, planned: PlanResult): Promise<RunMasks> {
  const masks = await compileRunMasks(planned.plan, planned.registry, request.settings, request.env);
  for (const warning of planned.plan.warnings) request.observer?.warning?.(warning);
  return masks;
}
