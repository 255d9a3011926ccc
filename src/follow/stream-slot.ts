/**
 * The steady state of a follow: the slot's changes applied to the twin,
 * masked, in source order, until asked to stop; the sequences (not in the
 * change stream) brought up to date now and then by the same loop, and at stop.
 */
import { lockTargetForRun } from '../pg/state-schema.js';
import { messageOf } from '../errors.js';
import { sourceSequenceValues, syncSequences } from '../snapshot/sequences.js';
import { setFollowStatus } from './follow-state.js';
import { applierFor, recordOf, type AttemptOutcome, type FollowAttempt, streamOptionsOf } from './follow-attempt.js';
import { recordFailure } from './follow-failure.js';
import { streamEndedError } from '../stream/lost-connection.js';
import { streamChanges } from '../stream/stream-loop.js';

export async function streamFromSlot(attempt: FollowAttempt): Promise<AttemptOutcome> {
  const { setup, control, source } = attempt;
  const { request, slot, plan } = setup;
  const { signal, observer } = request;
  // Held while streaming, so no sync reloads these tables under the stream.
  await lockTargetForRun(control);
  await setFollowStatus(control, slot, 'streaming', undefined);
  const from = recordOf(attempt).lastCommitLsn;
  const applier = applierFor(attempt, plan.tables, from);
  observer?.following?.(slot, from);
  const sequences = {
    intervalMs: request.sequencesIntervalMs ?? 30_000,
    run: () =>
      syncSequences(sourceSequenceValues(source), control, plan.sequences).then(
        () => undefined,
        (error: unknown) => observer?.warning?.(`sequences not updated: ${messageOf(error)}`),
      ),
  };
  try {
    await streamChanges({
      ...streamOptionsOf(setup),
      stream: attempt.replication.start(slot, setup.publication),
      sink: applier,
      signal,
      sideWork: sequences,
    });
  } catch (error) {
    await recordFailure(control, slot, error);
    throw error;
  }
  if (!signal.aborted) throw streamEndedError();
  await syncSequences(sourceSequenceValues(source), control, plan.sequences).catch(() => undefined);
  await setFollowStatus(control, slot, 'stopped', undefined);
  const { caughtUp } = attempt;
  return {
    initialSync: attempt.initialSync,
    added: attempt.change.added,
    removed: attempt.change.removed,
    transactions: applier.totals.transactions + caughtUp.transactions,
    changes: applier.totals.changes + caughtUp.changes,
    last: applier.lastAppliedLsn,
    stopped: true,
  };
}
