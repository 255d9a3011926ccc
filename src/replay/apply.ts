/**
 * `pgtwin apply`: a twin built and kept fresh from an archive, with neither
 * source credentials nor the masking key. Steps: read the archive's manifest
 * → open the twin (run lock: a second apply is refused) → decide the base
 * (none needed, continue one that stopped, or load the newest complete one)
 * → apply the change files after the twin's position → with `follow`, look
 * for new files every interval until stopped.
 *
 * A twin built from one archive (its id, rules digest and key fingerprint)
 * refuses any other: rows masked under another key or rule set would not
 * match its own. `recreate` drops the base's tables and starts again.
 */
import type { Settings } from '../config/index.js';
import { readCatalog, type TableCatalog } from '../catalog/index.js';
import { SafetyError, UsageError } from '../errors.js';
import { openTargetEndpoint } from '../pg/connect-endpoints.js';
import { openClient, type Client } from '../pg/connect.js';
import { displayName } from '../pg/ident.js';
import { followWriteMode, syncWriteMode } from '../pg/replica-session.js';
import { ensureStateSchema, lockTargetForRun } from '../pg/state-schema.js';
import type { TablePlan } from '../plan/plan.js';
import type { SyncObserver } from '../snapshot/observer.js';
import type { ArchiveStore } from '../store/store.js';
import { withScope } from '../scope.js';
import { listBases, readArchiveManifest, readBaseManifest } from '../archive/archive-files.js';
import { ArchiveError } from '../archive/errors.js';
import { baseManifestPath } from '../archive/layout.js';
import type { ArchiveManifest, BaseManifest } from '../archive/manifest.js';
import { formatLsn } from '../stream/lsn.js';
import { applyChanges, type ChangeTotals } from './apply-changes.js';
import { raiseSequencesToRows } from './sequences-from-rows.js';
import { readArchivePosition, readArchiveTwin, type ArchiveTwin } from './archive-twin.js';
import { loadBase, type BaseLoadResult } from './base-load.js';
import { refuseMixedBase, refuseOther, refuseRebasedWithOtherRules } from './mixing-guard.js';
import { jobsOf } from '../sync/load-policy.js';

export interface ApplyRequest {
  readonly settings: Settings;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly store: ArchiveStore;
  readonly signal?: AbortSignal;
  /** Asked before tables are dropped (recreate); false stops. */
  readonly confirm?: (question: string) => Promise<boolean>;
  readonly recreate?: boolean;
  /** Keep looking for new change files until stopped. */
  readonly follow?: boolean;
  readonly pollIntervalMs?: number;
  readonly observer?: ApplyObserver;
}

export interface ApplyObserver extends SyncObserver {
  /** A change file committed on the twin. */
  fileApplied?(name: string, totals: ChangeTotals): void;
}

export interface ApplyReport {
  readonly archiveId: string;
  readonly target: string;
  /** The base loaded by this run (or continued), if any. */
  readonly base: { readonly name: string; readonly loaded: BaseLoadResult | undefined };
  readonly files: number;
  readonly transactions: number;
  readonly changes: number;
  /** Last change file applied whole, and the last source commit in the twin. */
  readonly lastFile: string | undefined;
  readonly lastCommitLsn: string;
}

const DEFAULT_POLL_MS = 5000;

export async function runApply(request: ApplyRequest): Promise<ApplyReport> {
  const signal = request.signal ?? new AbortController().signal;
  const observer = request.observer ?? {};
  const { store } = request;
  const archive = await readArchiveManifest(store);
  return withScope(async (scope) => {
    const endpoint = await openTargetEndpoint(request.settings, request.env, { signal, onProgress: (m) => observer.note?.(m) });
    const control = scope.add(
      await openClient(endpoint, { readOnly: false, applicationName: 'pgtwin apply', signal }),
      (c) => c.end(),
      'twin session',
    );
    await lockTargetForRun(control);
    await ensureStateSchema(control);
    const twin = await readArchiveTwin(control);
    let loaded: BaseLoadResult | undefined;
    let baseName = twin?.base;
    if (twin === undefined || twin.status === 'loading' || request.recreate === true) {
      const continuing = twin?.status === 'loading' && twin.archiveId === archive.archiveId && request.recreate !== true ? twin : undefined;
      if (twin !== undefined && continuing === undefined && request.recreate !== true) refuseOther(twin, archive, store.display);
      const base = continuing === undefined ? await newestBase(store) : await readBaseManifest(store, continuing.base);
      refuseMixedBase(base, archive);
      const drop = continuing === undefined ? await tablesToDrop(control, base, request) : [];
      // As for sync: only tables that keep their triggers through the load matter (a created table gets its triggers after it).
      const existing = ((await readCatalog(control, 'tables')) as TableCatalog).tables;
      const writeMode = await syncWriteMode(
        control,
        base.tables
          .filter((t) => continuing !== undefined && existing.has(t.key))
          .map((t) => ({ key: t.key, target: { schema: t.schema, name: t.name } })),
      );
      loaded = await loadBase({
        control,
        endpoint,
        jobs: jobsOf(request.settings),
        writeMode,
        store,
        archive,
        base,
        resume: continuing,
        drop,
        signal,
        observer,
      });
      baseName = base.name;
    } else {
      refuseOther(twin, archive, store.display);
    }
    // The twin's own triggers and rules must not rewrite what the archive holds, as for follow.
    const twinTables = ((await readCatalog(control, 'tables')) as TableCatalog).tables;
    const archived = await tablesOfTwin(store, archive, await readArchiveTwin(control));
    await followWriteMode(
      control,
      archived.flatMap((key) => {
        const table = twinTables.get(key);
        return table === undefined ? [] : [{ key, target: { schema: table.schema, name: table.name } }];
      }),
      [],
    );
    const totals = await applyUntilStopped(control, store, archive, request, signal, observer);
    const position = await readArchivePosition(control, archive.archiveId);
    return {
      archiveId: archive.archiveId,
      target: endpoint.display,
      base: { name: baseName ?? '', loaded },
      files: totals.files,
      transactions: totals.transactions,
      changes: totals.changes,
      lastFile: position?.file?.name,
      lastCommitLsn: formatLsn(position?.state.lastCommitLsn ?? 0n),
    };
  });
}

async function applyUntilStopped(
  control: Client,
  store: ArchiveStore,
  archive: ArchiveManifest,
  request: ApplyRequest,
  signal: AbortSignal,
  observer: ApplyObserver,
): Promise<ChangeTotals> {
  const sum: ChangeTotals = { files: 0, transactions: 0, changes: 0, skipped: 0 };
  let firstRound = true;
  for (;;) {
    // Checked on every round: capture may start a new base (under other rules) while this apply follows.
    const twin = await readArchiveTwin(control);
    await refuseRebasedWithOtherRules(store, archive, twin);
    const position = await readArchivePosition(control, archive.archiveId);
    if (position === undefined) throw new Error('the twin has no position in the archive after its base');
    const catalog = (await readCatalog(control, 'tables')) as TableCatalog;
    const { plans, ownerOf } = twinPlans(catalog, await tablesOfTwin(store, archive, twin));
    const outcome = await applyChanges({
      client: control,
      store,
      archiveId: archive.archiveId,
      plans,
      ownerOf,
      appliedLsn: position.state.lastCommitLsn,
      lastFile: position.file,
      signal,
      warn: (m) => observer.warning?.(m),
      applied: (file, totals) => observer.fileApplied?.(file.name, totals),
    });
    // Also on a run's first round: the run before may have stopped between its last file and this.
    const tables = [...plans.values()].map((plan) => plan.target);
    if (outcome.files > 0 || firstRound) await raiseSequencesToRows(control, tables);
    firstRound = false;
    sum.files += outcome.files;
    sum.transactions += outcome.transactions;
    sum.changes += outcome.changes;
    sum.skipped += outcome.skipped;
    if (request.follow !== true || signal.aborted) return sum;
    await sleep(request.pollIntervalMs ?? DEFAULT_POLL_MS, signal);
    if (signal.aborted) return sum;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * The tables the twin's base holds (a base of capture --new-base may select
 * other tables than the archive's first); the archive manifest's when the
 * base was pruned since.
 */
async function tablesOfTwin(store: ArchiveStore, archive: ArchiveManifest, twin: ArchiveTwin | undefined): Promise<readonly string[]> {
  if (twin === undefined || !(await store.exists(baseManifestPath(twin.base)))) return archive.tables;
  return (await readBaseManifest(store, twin.base)).tables.map((t) => t.key);
}

/** The twin's tables of the archive as applier plans (no masks: the values are masked already). */
function twinPlans(
  catalog: TableCatalog,
  tables: readonly string[],
): { plans: Map<string, TablePlan>; ownerOf: (schema: string, name: string) => string | undefined } {
  const plans = new Map<string, TablePlan>();
  for (const key of tables) {
    const info = catalog.tables.get(key);
    if (info === undefined) continue;
    const columns = info.columns.filter((c) => !c.generated).map((c) => c.name);
    plans.set(key, {
      key,
      source: info,
      target: info,
      columns,
      maskedColumns: [],
      maskRules: new Map(),
      inheritedRules: [],
      where: undefined,
      limit: undefined,
      chunks: [],
    });
  }
  const ownerOf = (schema: string, name: string): string | undefined => {
    const key = displayName({ schema, name });
    if (plans.has(key)) return key;
    const root = catalog.tables.get(key)?.partitionRoot;
    return root === undefined ? undefined : plans.has(displayName(root)) ? displayName(root) : undefined;
  };
  return { plans, ownerOf };
}

async function newestBase(store: ArchiveStore): Promise<BaseManifest> {
  const complete = (await listBases(store)).filter((b) => b.complete);
  const newest = complete[complete.length - 1];
  if (newest === undefined) {
    throw new ArchiveError('ARCHIVE_NO_BASE', `${store.display} holds no complete base to build a twin from.`, {
      category: 'usage',
      nextStep: 'Let pgtwin capture finish its first base (or run pgtwin capture --new-base), then apply again.',
    });
  }
  return readBaseManifest(store, newest.name);
}

/** An empty twin loads the base; tables already there are refused unless `recreate` (asked first). */
async function tablesToDrop(control: Client, base: BaseManifest, request: ApplyRequest): Promise<Array<{ schema: string; name: string }>> {
  const catalog = (await readCatalog(control, 'tables')) as TableCatalog;
  const present = base.tables.filter((t) => catalog.tables.has(t.key));
  if (present.length === 0) return [];
  const names = present.map((t) => t.key);
  if (request.recreate !== true) {
    throw new UsageError('TWIN_NOT_EMPTY', `The twin already has ${names.join(', ')}, and was not built from this archive.`, {
      nextStep: 'Run pgtwin apply --recreate to drop those tables and build the twin from the archive, or point --to at an empty database.',
    });
  }
  const ok = (await request.confirm?.(`Drop ${names.join(', ')} on the twin and rebuild them from the archive?`)) ?? false;
  if (!ok) {
    throw new SafetyError('NOT_CONFIRMED', 'The twin tables were not dropped: nothing was changed.', {
      nextStep: 'Run again and answer yes, or pass --yes.',
    });
  }
  return present.map((t) => ({ schema: t.schema, name: t.name }));
}
