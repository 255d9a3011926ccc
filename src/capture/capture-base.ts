/**
 * A new base: a new slot (named after the archive and the base's number)
 * created with an exported snapshot, every selected table copied under that
 * snapshot into the archive, and the base manifest stored last.
 *
 * When the archive already streams from an older base's slot and the rules
 * and key are unchanged, that slot is first streamed up to the new slot's
 * consistent point (and no further): the change files then hold every
 * transaction before it, the new slot every one from it on, so twins built
 * from the older base keep applying without a gap. Only then is the old slot
 * dropped. Under changed rules or key no such catch-up is done: twins of the
 * older base cannot take changes masked otherwise, and are rebuilt from the new base.
 */
import { tmpdir } from 'node:os';
import { writeBase } from '../archive/base-writer.js';
import { baseName } from '../archive/layout.js';
import type { BaseManifest } from '../archive/manifest.js';
import { openClient, type Client } from '../pg/connect.js';
import type { Endpoint } from '../pg/endpoint.js';
import type { ResourceScope } from '../scope.js';
import { importSnapshot } from '../snapshot/snapshot-session.js';
import { jobsOf } from '../sync/load-policy.js';
import { InterruptedError } from '../errors.js';
import { formatLsn } from '../stream/lsn.js';
import { ReplicationSession } from '../stream/replication-session.js';
import { archiveSlotName } from './archive-state.js';
import type { CapturePlan } from './capture-plan.js';
import type { CaptureRequest } from './capture-request.js';
import { streamSlotToArchive, type StreamOutcome } from './capture-stream.js';

const DEFAULT_PART_BYTES = 256 * 1024 * 1024;

export interface BaseStep {
  readonly request: CaptureRequest;
  readonly scope: ResourceScope;
  readonly source: Endpoint;
  /** The capture's source session: the catch-up's change files record the sequences read in it. */
  readonly sourceSession: Client;
  readonly archiveId: string;
  readonly publication: string;
  readonly planned: CapturePlan;
  readonly seq: number;
  /** The base the archive streams from now, and its slot; undefined for the first base. */
  readonly current: { readonly base: BaseManifest; readonly slot: string; readonly sameRules: boolean } | undefined;
}

export interface NewBase {
  readonly manifest: BaseManifest;
  readonly slot: string;
  /** The session that created the slot: the stream continues on it. */
  readonly replication: ReplicationSession;
  /** What the catch-up of the older slot wrote. */
  readonly caughtUp: StreamOutcome | undefined;
}

export async function makeBase(step: BaseStep): Promise<NewBase> {
  const { request, scope, archiveId, planned } = step;
  const note = (message: string): void => request.observer?.note?.(message);
  const slot = archiveSlotName(archiveId, step.seq);
  const replication = scope.add(await ReplicationSession.open(step.source), (r) => r.end(), 'replication session');
  // A base that did not finish left its slot: its snapshot died with its connection.
  await replication.dropSlotIfExists(slot);
  const created = await replication.createSlot(slot);
  note(`slot ${slot} created at ${formatLsn(created.consistentPoint)}`);
  let caughtUp: StreamOutcome | undefined;
  const current = step.current;
  if (current?.sameRules === true) {
    note(`archiving the changes of slot ${current.slot} up to ${formatLsn(created.consistentPoint)} first`);
    caughtUp = await withOldSlot(step, (old) =>
      streamSlotToArchive({
        request,
        archiveId,
        replication: old,
        slot: current.slot,
        publication: step.publication,
        plan: planned.plan,
        masks: planned.masks,
        base: current.base,
        stopAt: created.consistentPoint,
        sequencesFrom: step.sourceSession,
      }),
    );
    if (!caughtUp.reachedStop)
      throw new InterruptedError('capture stopped before the new base was written.', {
        nextStep: `Run pgtwin capture --new-base again; the archive continues from slot ${current.slot} until a new base is complete.`,
      });
  }
  const name = baseName(step.seq, created.consistentPoint);
  note(`writing base ${name}`);
  const observer = request.observer;
  const manifest = await withSnapshotSession(step, created.snapshotName, (snapshotSession) =>
    writeBase({
      store: request.store,
      spoolDir: request.spoolDir ?? tmpdir(),
      archiveId,
      name,
      consistentLsn: created.consistentPoint,
      snapshotId: created.snapshotName,
      source: step.source,
      snapshotSession,
      plan: planned.plan,
      schema: planned.schema,
      masksFor: (table) => planned.masks.byTable.get(table.key) ?? new Map(),
      jobs: jobsOf(request.settings),
      rulesDigest: planned.rulesDigest,
      keyFingerprint: planned.keyFingerprint,
      maxPartBytes: request.maxPartBytes ?? DEFAULT_PART_BYTES,
      signal: request.signal,
      observer: {
        tableProgress: (table, rows, bytes) => observer?.baseProgress?.(table.key, rows, bytes),
        warning: (message) => observer?.warning?.(message),
      },
    }),
  );
  for (const table of manifest.tables) observer?.baseTable?.(table);
  if (step.current !== undefined) await dropOldSlot(step);
  return { manifest, slot, replication, caughtUp };
}

async function withOldSlot<T>(step: BaseStep, fn: (replication: ReplicationSession) => Promise<T>): Promise<T> {
  const old = await ReplicationSession.open(step.source);
  try {
    return await fn(old);
  } finally {
    await old.end();
  }
}

async function withSnapshotSession<T>(step: BaseStep, snapshot: string, fn: (source: Client) => Promise<T>): Promise<T> {
  const session = await openClient(step.source, { readOnly: true, applicationName: 'pgtwin capture base', signal: step.request.signal });
  try {
    await importSnapshot(session, snapshot);
    const result = await fn(session);
    await session.query('COMMIT');
    return result;
  } finally {
    await session.end();
  }
}

/** The older base's slot is no longer read: dropped, so it holds no WAL on the source. */
async function dropOldSlot(step: BaseStep): Promise<void> {
  if (step.current === undefined) return;
  const session = await ReplicationSession.open(step.source);
  try {
    await session.dropSlotIfExists(step.current.slot);
  } finally {
    await session.end();
  }
}
