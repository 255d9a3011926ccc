/**
 * `pgtwin follow`: a new twin is loaded from the exported snapshot of a slot
 * created for it (so the stream starts exactly where the snapshot ends: no
 * change lost, none applied twice), then the slot's changes are applied,
 * masked, in source order, until stopped. Connections lost on either side
 * are reopened with backoff; the twin's recorded position makes the restart
 * exact.
 *
 * runFollow plans once, then runs attempts until stopped; each attempt reads
 * top to bottom as its steps, over one state object (src/follow/follow-attempt.ts).
 */
import { RECONNECT, runAttempts } from '../backoff.js';
import { UsageError, messageOf } from '../errors.js';
import { withScope } from '../scope.js';
import { compileRunMasks } from '../mask/run-masks.js';
import type { SyncReport } from '../sync/sync-report.js';
import { planSync } from '../sync/sync.js';
import { FollowError } from '../stream/follow-errors.js';
import { formatLsn, type Lsn } from '../stream/lsn.js';
import { DEFAULT_PUBLICATION, defaultSlotName, isValidSlotName } from '../source/names.js';
import { loadFromSlotSnapshot, openAttempt, recordOf, stoppedAt, type AttemptOutcome, type FollowSetup } from './follow-attempt.js';
import { worthRetrying } from './follow-failure.js';
import type { FollowRequest } from './follow-request.js';
import { applySelectionChange } from './selection-change.js';
import { streamFromSlot } from './stream-slot.js';

export type { FollowObserver, FollowRequest } from './follow-request.js';

export interface FollowSummary {
  readonly slot: string;
  readonly initialSync: SyncReport | undefined;
  /** Tables added to the selection of a twin that already followed: copied from a snapshot, then followed. */
  readonly tablesAdded: readonly string[];
  /** Tables no longer selected: no longer applied (their rows stay in the twin). */
  readonly tablesRemoved: readonly string[];
  readonly transactions: number;
  readonly changes: number;
  readonly lastCommitLsn: string;
}

export async function runFollow(request: FollowRequest): Promise<FollowSummary> {
  const setup = await setUpFollow(request);
  const totals = new FollowTotals();
  await runAttempts(
    async () => {
      const outcome = await followOnce(setup, totals.initialSync);
      totals.add(outcome);
      return outcome.stopped;
    },
    {
      signal: request.signal,
      isTransient: worthRetrying,
      // A follow's own failure (the twin refused a change ...) is reported even while stopping.
      failsAfterStop: (error) => error instanceof FollowError,
      policy: RECONNECT,
      onRetry: (error, delayMs) => request.observer?.reconnecting?.(messageOf(error), delayMs),
    },
  );
  return totals.summary(setup.slot);
}

/** Planned and checked once, masks compiled: what every attempt shares. */
async function setUpFollow(request: FollowRequest): Promise<FollowSetup> {
  const planned = await planSync({ settings: request.settings, env: request.env, signal: request.signal, observer: request.observer });
  const { endpoints } = planned;
  const slot = request.slot ?? defaultSlotName(endpoints.target.display);
  if (!isValidSlotName(slot)) {
    throw new UsageError('BAD_SLOT_NAME', `"${slot}" cannot be a replication slot name.`, {
      nextStep: 'Use lowercase letters, digits and _ only, at most 63 characters.',
    });
  }
  return {
    request,
    plan: planned.plan,
    endpoints,
    slot,
    publication: request.publication ?? DEFAULT_PUBLICATION,
    masks: await compileRunMasks(planned.plan, planned.registry, request.settings, request.env),
    // Triggers the first load creates on the twin: they would fire in apply too.
    plannedTriggers: (planned.schema?.ddl.postData ?? []).filter((s) => s.kind === 'trigger').map((s) => s.object),
  };
}

async function followOnce(setup: FollowSetup, initialSync: SyncReport | undefined): Promise<AttemptOutcome> {
  return withScope(async (scope) => {
    const attempt = await openAttempt(scope, setup, initialSync);
    if (attempt.fresh) await loadFromSlotSnapshot(attempt);
    const position = recordOf(attempt).lastCommitLsn;
    if (setup.request.signal.aborted) return stoppedAt(attempt, position, []);
    const stopped = await applySelectionChange(attempt);
    if (stopped !== undefined) return stopped;
    return streamFromSlot(attempt);
  });
}

/** What the attempts of one follow did, added up for its summary. */
class FollowTotals {
  initialSync: SyncReport | undefined;
  private readonly added = new Set<string>();
  private readonly removed = new Set<string>();
  private transactions = 0;
  private changes = 0;
  private last: Lsn = 0n;

  add(outcome: AttemptOutcome): void {
    this.initialSync ??= outcome.initialSync;
    for (const t of outcome.added) this.added.add(t);
    for (const t of outcome.removed) this.removed.add(t);
    this.transactions += outcome.transactions;
    this.changes += outcome.changes;
    this.last = outcome.last;
  }

  summary(slot: string): FollowSummary {
    return {
      slot,
      initialSync: this.initialSync,
      tablesAdded: [...this.added],
      tablesRemoved: [...this.removed],
      transactions: this.transactions,
      changes: this.changes,
      lastCommitLsn: formatLsn(this.last),
    };
  }
}
