/**
 * The table selection changed since the twin last followed: removed tables
 * are no longer applied (their rows stay in the twin), added ones are copied
 * from a snapshot that meets the stream (src/follow/table-handoff.ts).
 */
import { SafetyError } from '../errors.js';
import { runSync } from '../sync/sync.js';
import { readFollowState, setFollowStatus } from './follow-state.js';
import { forgetFollowedTables, type SelectionChange } from './follow-tables.js';
import { applierFor, recordOf, stoppedAt, streamOptionsOf, type AttemptOutcome, type FollowAttempt } from './follow-attempt.js';
import { recordFailure } from './follow-failure.js';
import { handOffAddedTables } from './table-handoff.js';

/** Resolves with the attempt's outcome when asked to stop before the added tables were copied (they stay `copying`). */
export async function applySelectionChange(attempt: FollowAttempt): Promise<AttemptOutcome | undefined> {
  const { setup, control, change } = attempt;
  const { request, slot, endpoints } = setup;
  const { signal, observer } = request;
  if (change.removed.length > 0 || change.added.length > 0) observer?.note?.(describeChange(change));
  // Their changes are skipped from here on (they are not in the plan); the twin keeps their rows.
  await forgetFollowedTables(control, slot, change.removed);
  if (change.added.length === 0) return undefined;
  // Asked here, before the snapshot is taken and held: the copy itself does not ask again.
  const question = `On the twin ${endpoints.target.display}, load ${change.added.join(', ')} from a new snapshot of ${endpoints.source.display} (a table the twin lacks is created; one it has is truncated first), then follow ${change.added.length === 1 ? 'it' : 'them'}.\nGo ahead?`;
  if (!(await request.confirm(question))) {
    throw new SafetyError('NOT_CONFIRMED', `Loading the tables added to the selection was not confirmed; nothing was changed.`, {
      nextStep: 'Run again and answer yes, or pass --yes; or take the tables out of the selection again.',
    });
  }
  const added = new Set(change.added);
  const applier = applierFor(
    attempt,
    setup.plan.tables.filter((t) => !added.has(t.key)),
    recordOf(attempt).lastCommitLsn,
  );
  await setFollowStatus(control, slot, 'streaming', undefined);
  const handOff = await handOffAddedTables({
    source: endpoints.source,
    control,
    slot,
    publication: setup.publication,
    added: change.added,
    signal,
    applier,
    stream: streamOptionsOf(setup),
    copy: (snapshotId) =>
      runSync({
        settings: request.settings,
        env: request.env,
        signal,
        observer,
        confirm: async () => true,
        snapshotId,
        runKind: 'follow-add',
        onlyTables: added,
      }),
    note: (message) => observer?.note?.(message),
    onStreamFailure: (error) => recordFailure(control, slot, error),
  });
  attempt.caughtUp = applier.totals;
  if (handOff.copied === undefined) {
    await setFollowStatus(control, slot, 'stopped', undefined);
    return stoppedAt(attempt, applier.lastAppliedLsn, []);
  }
  attempt.record = (await readFollowState(control, slot)) ?? attempt.record;
  return undefined;
}

function describeChange(change: SelectionChange): string {
  const parts: string[] = [];
  if (change.added.length > 0)
    parts.push(`added ${change.added.join(', ')} (created on the twin if missing, copied from a new snapshot, then followed)`);
  if (change.removed.length > 0) parts.push(`removed ${change.removed.join(', ')} (no longer applied; their rows stay in the twin)`);
  return `the table selection changed since this twin last followed: ${parts.join('; ')}`;
}
