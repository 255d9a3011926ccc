/**
 * `pgtwin capture`: the source's selected tables masked into an archive, a
 * base first (the first time, with --new-base, or when the newest base is
 * older than --new-base-after) and then the slot's changes as change files,
 * until stopped or, with --once, up to the source's WAL end at start.
 * Everything is masked before it is written: the archive never holds a value
 * of a masked column as the source has it.
 *
 * runCapture plans once (plan from the source, the archive opened: manifest
 * written by the first capture), then runs attempts (src/capture/capture-attempt.ts)
 * until done: a lost connection starts a new one after a backoff, as in
 * follow (src/backoff.ts runAttempts), and so does a base falling due while
 * streaming. The archive's chain makes every restart exact.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { ARCHIVE_MANIFEST } from '../archive/layout.js';
import { ARCHIVE_FORMAT, encodeManifest, FORMAT_VERSION, type ArchiveManifest } from '../archive/manifest.js';
import { putText, removeAbandonedSpools } from '../archive/spool-file.js';
import { RECONNECT, runAttempts } from '../backoff.js';
import { messageOf } from '../errors.js';
import { withScope } from '../scope.js';
import { openClient } from '../pg/connect.js';
import { openSourceEndpoint } from '../pg/connect-endpoints.js';
import { checkPublication } from '../source/publication-check.js';
import { DEFAULT_PUBLICATION } from '../source/names.js';
import { isLostConnection } from '../stream/lost-connection.js';
import { archiveSlotName, checkSameSource, readArchiveSource, readArchiveState, type ArchiveState } from './archive-state.js';
import { captureOnce, type CaptureSetup } from './capture-attempt.js';
import { planCapture, type CapturePlan } from './capture-plan.js';
import type { CaptureRequest, CaptureSummary } from './capture-request.js';
import { CaptureRun } from './capture-run.js';

export type { CaptureObserver, CaptureRequest, CaptureSummary } from './capture-request.js';

export async function runCapture(request: CaptureRequest): Promise<CaptureSummary> {
  const removed = await removeAbandonedSpools(request.spoolDir ?? tmpdir());
  if (removed.length > 0) request.observer?.note?.(`removed ${removed.length} spool file(s) left by a capture that was killed`);
  const { setup, state } = await setUpCapture(request);
  const run = new CaptureRun(setup.archiveId, state);
  await runAttempts((progressed) => captureOnce(setup, run, progressed), {
    signal: request.signal,
    isTransient: isLostConnection,
    // Stopping closes the connections: a lost one then is the stop's; anything else (a schema drift, a store gone) is reported.
    failsAfterStop: (error) => !isLostConnection(error),
    policy: RECONNECT,
    onRetry: (error, delayMs) => request.observer?.reconnecting?.(messageOf(error), delayMs),
  });
  return run.summary();
}

/** Planned and checked once, the archive's manifest written when it has none: what every attempt shares. */
async function setUpCapture(request: CaptureRequest): Promise<{ setup: CaptureSetup; state: ArchiveState }> {
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
    const newBaseAfterMs = request.newBaseAfterMs ?? settings.newBaseAfterMs;
    return { setup: { request, endpoint, planned, publication, archiveId: manifest.archiveId, newBaseAfterMs }, state };
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
