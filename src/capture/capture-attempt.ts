/**
 * One attempt of a capture, from opening its sessions to a stop, a lost
 * connection (runCapture reconnects) or a base that falls due while
 * streaming. Its steps: read the archive's newest base (and check the key,
 * rules and tables still fit it) → drop this archive's slots no base uses →
 * a new base when due (src/capture/base-schedule.ts; the older slot caught up
 * to it first) → stream the base's slot into change files. Each attempt
 * reads the archive again, so the chain continues from the last stored file
 * and a transaction the slot sends again is skipped.
 */
import { openClient, type Client } from '../pg/connect.js';
import type { Endpoint } from '../pg/endpoint.js';
import { withScope } from '../scope.js';
import { formatLsn, parseLsn, type Lsn } from '../stream/lsn.js';
import { streamEndedError } from '../stream/lost-connection.js';
import { ReplicationSession } from '../stream/replication-session.js';
import { archiveSlotName, readArchiveState, staleArchiveSlots, type ArchiveState } from './archive-state.js';
import { baseDue, msUntilBaseDue, type BaseSchedule } from './base-schedule.js';
import { makeBase, type BaseStep, type NewBase } from './capture-base.js';
import { checkContinues, sameRules } from './capture-checks.js';
import type { CapturePlan } from './capture-plan.js';
import type { CaptureRequest } from './capture-request.js';
import type { CaptureRun } from './capture-run.js';
import { streamSlotToArchive } from './capture-stream.js';

/** What every attempt of one capture shares: decided once, before the first. */
export interface CaptureSetup {
  readonly request: CaptureRequest;
  readonly endpoint: Endpoint;
  readonly planned: CapturePlan;
  readonly publication: string;
  readonly archiveId: string;
  /** A new base once the newest is this old (--new-base-after, `archive.new_base_after`). */
  readonly newBaseAfterMs: number | undefined;
}

/**
 * Resolves true when the capture is done (--once reached its stop, or the
 * stop was asked for), false when a base fell due while streaming: the next
 * attempt writes it and streams on from its slot.
 */
export async function captureOnce(setup: CaptureSetup, run: CaptureRun, progressed: () => void): Promise<boolean> {
  const { request, endpoint, planned, archiveId, publication } = setup;
  const { signal } = request;
  const note = (message: string): void => request.observer?.note?.(message);
  const now = request.now ?? Date.now;
  return withScope(async (scope) => {
    const source = scope.add(
      await openClient(endpoint, { readOnly: true, applicationName: 'pgtwin capture', signal }),
      (c) => c.end(),
      'source session',
    );
    const state = run.takeState() ?? (await readArchiveState(request.store));
    const current = currentBase(state, archiveId, planned);
    const schedule: BaseSchedule = { requested: request.newBase && !run.requestedBaseMade, afterMs: setup.newBaseAfterMs, now: now() };
    if (current !== undefined && !schedule.requested) checkContinues(current.base, planned);
    await dropSlots(endpoint, await staleArchiveSlots(source, archiveId, current?.slot), note);

    let made: NewBase | undefined;
    const due = baseDue(current?.base, schedule);
    if (due !== undefined) {
      if (current !== undefined) note(`a new base: ${due}`);
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
      if (schedule.requested) run.requestedBaseMade = true;
      run.baseMade(made);
    }
    const base = made?.manifest ?? current?.base;
    const slot = made?.slot ?? current?.slot;
    if (base === undefined || slot === undefined) throw new Error('no base to stream from');
    run.slot = slot;
    const replication = made?.replication ?? scope.add(await ReplicationSession.open(endpoint), (r) => r.end(), 'replication session');
    if (request.once) run.upTo ??= await currentWalLsn(source);
    note(`archiving the changes of slot ${slot}${run.upTo === undefined ? '' : ` up to ${formatLsn(run.upTo)}`}`);
    if (signal.aborted) return true;

    // --follow: the stream stops at a file boundary when the base it continues falls due.
    const wait = request.once ? undefined : msUntilBaseDue(base, { ...schedule, now: now() });
    const timer = wait === undefined ? undefined : scope.add(new BaseTimer(signal, wait), (t) => t.clear(), 'base schedule');
    const streamed = await streamSlotToArchive({
      request,
      archiveId,
      replication,
      slot,
      publication,
      plan: planned.plan,
      masks: planned.masks,
      base,
      stopAt: run.upTo,
      signal: timer?.signal ?? signal,
      onFile: progressed,
      onFailed: (stored) => run.addStream(stored),
      sequencesFrom: source,
    });
    run.addStream(streamed);
    if (signal.aborted || streamed.reachedStop) return true;
    if (timer?.fired === true) return false;
    throw streamEndedError();
  });
}

/** The newest complete base, the slot it streams from, and whether the key and rules are still its own. */
function currentBase(state: ArchiveState, archiveId: string, planned: CapturePlan): BaseStep['current'] {
  if (state.base === undefined || state.baseSeq === undefined) return undefined;
  return { base: state.base, slot: archiveSlotName(archiveId, state.baseSeq), sameRules: sameRules(state.base, planned) };
}

/** The capture's stop, or the time the base falls due, whichever comes first. */
class BaseTimer {
  private readonly due = new AbortController();
  private readonly handle: NodeJS.Timeout;
  readonly signal: AbortSignal;

  constructor(stop: AbortSignal, waitMs: number) {
    this.signal = AbortSignal.any([stop, this.due.signal]);
    // setTimeout takes at most 2^31-1 ms (24.8 days): a later base is looked at again then.
    this.handle = setTimeout(() => this.due.abort(), Math.max(0, Math.min(waitMs, 2 ** 31 - 1)));
  }

  get fired(): boolean {
    return this.due.signal.aborted;
  }

  clear(): void {
    clearTimeout(this.handle);
  }
}

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

/**
 * Where the source's WAL ends now: the insert position, not the written one.
 * Under synchronous_commit = off a COMMIT returns before its record is
 * written, and --once must still take that transaction.
 */
async function currentWalLsn(source: Client): Promise<Lsn> {
  const row = (await source.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0];
  return parseLsn(row?.lsn ?? '0/0');
}
