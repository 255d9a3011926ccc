/**
 * `pgtwin capture`: the source's selected tables masked into an archive, a
 * base first (the first time, or with --new-base) and then the slot's
 * changes as change files, until stopped or, with --once, up to the
 * source's WAL end at start. Everything is masked before it is written: the
 * archive never holds a value of a masked column as the source has it.
 *
 * runCapture reads top to bottom as its steps: plan from the source → open
 * the archive (manifest written by the first capture, key and rules checked
 * against the newest base) → a base when needed → stream.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { ArchiveError } from '../archive/errors.js';
import { ARCHIVE_MANIFEST } from '../archive/layout.js';
import { ARCHIVE_FORMAT, encodeManifest, FORMAT_VERSION, type ArchiveManifest, type BaseManifest } from '../archive/manifest.js';
import { putText } from '../archive/spool-file.js';
import { rulesDigest } from '../archive/rules-digest.js';
import { withScope } from '../scope.js';
import { openClient } from '../pg/connect.js';
import type { Endpoint } from '../pg/endpoint.js';
import { openSourceEndpoint } from '../pg/connect-endpoints.js';
import { checkPublication } from '../source/publication-check.js';
import { DEFAULT_PUBLICATION } from '../source/names.js';
import { formatLsn, parseLsn, type Lsn } from '../stream/lsn.js';
import { ReplicationSession } from '../stream/replication-session.js';
import { archiveSlotName, checkSameSource, readArchiveSource, readArchiveState, staleArchiveSlots } from './archive-state.js';
import { makeBase, type NewBase } from './capture-base.js';
import { planCapture, type CapturePlan } from './capture-plan.js';
import type { CaptureRequest, CaptureSummary } from './capture-request.js';
import { streamSlotToArchive } from './capture-stream.js';

export type { CaptureObserver, CaptureRequest, CaptureSummary } from './capture-request.js';

export async function runCapture(request: CaptureRequest): Promise<CaptureSummary> {
  const { settings, env, signal, store } = request;
  const note = (message: string): void => request.observer?.note?.(message);
  const endpoint = await openSourceEndpoint(settings, env, { signal, onProgress: note });
  return withScope(async (scope) => {
    const source = scope.add(
      await openClient(endpoint, { readOnly: true, applicationName: 'pgtwin capture', signal }),
      (c) => c.end(),
      'source session',
    );
    const planned = await planCapture(settings, env, source);
    for (const warning of planned.plan.warnings) request.observer?.warning?.(warning);
    const publication = request.publication ?? DEFAULT_PUBLICATION;
    await checkPublication(source, publication, planned.plan);

    const state = await readArchiveState(store);
    const identity = await readArchiveSource(source);
    if (state.manifest !== undefined) checkSameSource(state.manifest, identity, endpoint.display);
    const manifest = state.manifest ?? (await writeArchiveManifest(request, planned, identity, state.nextBaseSeq));
    const archiveId = manifest.archiveId;
    const current =
      state.base === undefined || state.baseSeq === undefined
        ? undefined
        : { base: state.base, slot: archiveSlotName(archiveId, state.baseSeq), sameRules: sameRules(state.base, planned) };
    if (current !== undefined && !request.newBase) {
      if (!current.sameRules) throw rulesChangedError(current.base, planned);
      checkSameTables(current.base, planned);
    }

    await dropSlots(endpoint, await staleArchiveSlots(source, archiveId, current?.slot), note);

    let made: NewBase | undefined;
    if (current === undefined || request.newBase) {
      made = await makeBase({
        request,
        scope,
        source: endpoint,
        sourceSession: source,
        archiveId,
        publication,
        planned,
        seq: state.nextBaseSeq,
        current,
      });
    }
    const base = made?.manifest ?? current?.base;
    const slot = made?.slot ?? current?.slot;
    if (base === undefined || slot === undefined) throw new Error('no base to stream from');
    const replication = made?.replication ?? scope.add(await ReplicationSession.open(endpoint), (r) => r.end(), 'replication session');
    const upTo = request.once ? await currentWalLsn(source) : undefined;
    note(`archiving the changes of slot ${slot}${upTo === undefined ? '' : ` up to ${formatLsn(upTo)}`}`);
    const streamed = signal.aborted
      ? undefined
      : await streamSlotToArchive({
          request,
          archiveId,
          replication,
          slot,
          publication,
          plan: planned.plan,
          masks: planned.masks,
          base,
          stopAt: upTo,
          sequencesFrom: source,
        });
    const caught = made?.caughtUp;
    const add = (key: 'transactions' | 'changes' | 'skipped' | 'files' | 'bytes' | 'storedBytes'): number =>
      (streamed?.[key] ?? 0) + (caught?.[key] ?? 0);
    const last = streamed?.lastCommitLsn ?? caught?.lastCommitLsn;
    return {
      archiveId,
      slot,
      base: made === undefined ? undefined : baseSummary(made.manifest),
      files: add('files'),
      transactions: add('transactions'),
      changes: add('changes'),
      skipped: add('skipped'),
      bytes: add('bytes'),
      storedBytes: add('storedBytes'),
      lastCommitLsn: last === undefined ? undefined : formatLsn(last),
      upTo: upTo === undefined ? undefined : formatLsn(upTo),
    };
  });
}

/**
 * Written before the first base, not after: its id names the slot, so a
 * capture cut off during the base finds the slot again (and drops it)
 * instead of leaving it to hold WAL on the source forever.
 */
async function writeArchiveManifest(
  request: CaptureRequest,
  planned: CapturePlan,
  source: ArchiveManifest['source'],
  baseSeq: number,
): Promise<ArchiveManifest> {
  const archiveId = randomUUID();
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    version: FORMAT_VERSION,
    archiveId,
    createdAt: new Date().toISOString(),
    source,
    slot: archiveSlotName(archiveId, baseSeq),
    publication: request.publication ?? DEFAULT_PUBLICATION,
    tables: planned.plan.tables.map((t) => t.key),
    rulesDigest: planned.rulesDigest,
    keyFingerprint: planned.keyFingerprint,
  };
  await putText(request.store, request.spoolDir ?? tmpdir(), ARCHIVE_MANIFEST, encodeManifest(manifest));
  return manifest;
}

/**
 * The key, and the rules of every column the base holds, are those the base
 * was masked with. Rules for columns added since (a column the source gained,
 * given its rule after capture stopped at it) do not change how anything
 * already archived was masked.
 */
async function dropSlots(endpoint: Endpoint, slots: readonly string[], note: (message: string) => void): Promise<void> {
  if (slots.length === 0) return;
  const replication = await ReplicationSession.open(endpoint);
  try {
    for (const slot of slots) {
      await replication.dropSlotIfExists(slot);
      note(`dropped slot ${slot}, left by a base that did not finish or an older base`);
    }
  } finally {
    await replication.end();
  }
}

function sameRules(base: BaseManifest, planned: CapturePlan): boolean {
  if (base.keyFingerprint !== planned.keyFingerprint) return false;
  const columns = new Map(base.tables.map((t) => [t.key, new Set(t.columns.map((c) => c.name))]));
  const specs = planned.masks.specs
    .map((spec) => ({ ...spec, rules: spec.rules.filter(([column]) => columns.get(spec.table)?.has(column) === true) }))
    .filter((spec) => spec.rules.length > 0);
  return rulesDigest(specs) === base.rulesDigest;
}

/** The base holds the selected tables' first rows: a table selected since has none in it. */
function checkSameTables(base: BaseManifest, planned: CapturePlan): void {
  const inBase = new Set(base.tables.map((t) => t.key));
  const now = new Set(planned.plan.tables.map((t) => t.key));
  const added = [...now].filter((t) => !inBase.has(t));
  const removed = [...inBase].filter((t) => !now.has(t));
  if (added.length === 0 && removed.length === 0) return;
  throw new ArchiveError('ARCHIVE_TABLES_CHANGED', `The selected tables differ from those of base ${base.name}.`, {
    category: 'usage',
    details: [...added.map((t) => `${t}: selected now, not in the base`), ...removed.map((t) => `${t}: in the base, no longer selected`)],
    nextStep: 'Select the tables the archive was started with, or start a new base with --new-base (it holds the tables selected now).',
  });
}

function rulesChangedError(base: BaseManifest, planned: CapturePlan): ArchiveError {
  const what = base.keyFingerprint !== planned.keyFingerprint ? 'masking key' : 'masking rules';
  return new ArchiveError('ARCHIVE_RULES_CHANGED', `The ${what} differ from those base ${base.name} of this archive was masked with.`, {
    category: 'usage',
    details: [
      `base: rules ${base.rulesDigest.slice(0, 12)}, key ${base.keyFingerprint ?? 'none'}`,
      `now:  rules ${planned.rulesDigest.slice(0, 12)}, key ${planned.keyFingerprint ?? 'none'}`,
    ],
    nextStep:
      'Capture with the key and pgtwin.yaml the archive was started with, or start a new base with --new-base (twins built from older bases are then rebuilt from it: apply refuses to mix rules).',
  });
}

function baseSummary(manifest: BaseManifest): NonNullable<CaptureSummary['base']> {
  return {
    name: manifest.name,
    tables: manifest.tables.length,
    rows: manifest.tables.reduce((n, t) => n + t.rows, 0),
    parts: manifest.tables.reduce((n, t) => n + t.parts.length, 0),
  };
}

/**
 * Where the source's WAL ends now: the insert position, not the written one.
 * Under synchronous_commit = off a COMMIT returns before its record is
 * written, and --once must still take that transaction.
 */
async function currentWalLsn(source: Awaited<ReturnType<typeof openClient>>): Promise<Lsn> {
  const row = (await source.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0];
  return parseLsn(row?.lsn ?? '0/0');
}
