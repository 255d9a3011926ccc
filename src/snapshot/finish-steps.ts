/**
 * The steps after the copy: build the keys and indexes set aside that the
 * steps during the copy have not, restore the foreign keys set aside, build
 * the keys and indexes of created tables (post-data), copy the large
 * objects, set sequences, ANALYZE.
 * A stop request (SIGINT/SIGTERM) is honoured between steps, and between
 * post-data objects, never inside one, so the run always stops at a point
 * `--resume` can continue from: indexes and foreign keys set aside, large
 * objects, sequences and ANALYZE are idempotent, and post-data progress is recorded in the run's stored plan
 * after each object, so a resume applies only what is left.
 */
import type { Client } from '../pg/connect.js';
import { quoteQualified } from '../pg/ident.js';
import { applyPostData, groupByObject, type DdlFailure, type DdlStatement } from '../schema/index.js';
import { restoreForeignKeys, type RestoreFailure } from './foreign-keys.js';
import type { SyncObserver } from './observer.js';
import type { SyncPlan } from '../plan/plan.js';
import { recordPostDataApplied } from './resume.js';
import { syncSequences, type SequenceResult, type SequenceValues } from './sequences.js';
import { copyLargeObjects, type LargeObjectsResult } from './large-objects-copy.js';
import { SyncError, messageOf } from '../errors.js';
import { analyzeFailed, type DoneDuringCopy } from './after-table-copy.js';
import { pendingIndexes, pendingIndexKey, restoreIndexes, type IndexRestoreFailure } from './set-aside-indexes.js';

export interface FinishInput {
  readonly control: Client;
  /** The source session holding the run's snapshot (sync): large objects are read there. None for apply, whose base has none. */
  readonly holder: Client | undefined;
  /** Where the sequences' values come from (the source after the copy, or a base's manifest). */
  readonly sequenceValues: SequenceValues;
  readonly runId: number;
  readonly plan: SyncPlan;
  readonly postData: readonly DdlStatement[];
  /** Post-data statements an earlier attempt of this run already applied. */
  readonly postDataApplied: number;
  readonly signal: AbortSignal;
  readonly observer: SyncObserver;
  /** The index builds and ANALYZEs run while the copy went on (src/snapshot/after-table-copy.ts), once over. */
  readonly duringCopy?: () => Promise<DoneDuringCopy>;
}

export interface FinishResult {
  /** Keys and indexes set aside for the load that could not be built on the copied rows. */
  readonly indexFailures: readonly IndexRestoreFailure[];
  readonly foreignKeyFailures: readonly RestoreFailure[];
  /** Undefined when the source has none, or they are skipped. */
  readonly largeObjects: LargeObjectsResult | undefined;
  readonly ddlFailures: readonly DdlFailure[];
  readonly sequences: readonly SequenceResult[];
  /** Sequences no column owns that the target lacks (not set). */
  readonly missingSequences: readonly string[];
}

/** A stop request arrived during the finishing steps; the run stopped between two of them. */
export class FinishInterrupted extends Error {
  constructor(
    readonly done: readonly string[],
    readonly left: readonly string[],
  ) {
    super(`stopped before ${left.join(', ')}`);
  }
}

export async function finishSteps(input: FinishInput): Promise<FinishResult> {
  const { control, plan, signal, observer } = input;
  const groups = groupByObject(input.postData.slice(input.postDataApplied));
  const lo = plan.largeObjects;
  const objectsFrom = lo !== undefined && lo.decision !== 'skip' ? input.holder : undefined;
  const copiesObjects = objectsFrom !== undefined;
  // Waiting for the steps during the copy first: a table's indexes are never built by two sessions at once.
  const duringCopy = await input.duringCopy?.();
  const tried = duringCopy?.indexesTried ?? new Set<string>();
  const pending = (await pendingIndexes(control)).filter((index) => !tried.has(pendingIndexKey(index)));
  const steps = [
    ...(pending.length > 0 ? ['keys and indexes rebuilt'] : []),
    'foreign keys restored',
    ...(groups.length > 0 ? ['keys, indexes and other objects of created tables'] : []),
    ...(copiesObjects ? ['large objects copied'] : []),
    'sequences set',
    'tables analyzed',
  ];
  const done: string[] = [];
  const checkpoint = (leftInStep?: string): void => {
    if (!signal.aborted) return;
    const left = steps.slice(done.length);
    if (leftInStep !== undefined && left.length > 0) left[0] = `${left[0]} (${leftInStep})`;
    throw new FinishInterrupted(done, left);
  };
  const step = (name: string): void => void done.push(name);

  const indexFailures = [...(duringCopy?.indexFailures ?? [])];
  if (pending.length > 0) {
    checkpoint();
    observer.phase?.('indexes');
    indexFailures.push(...(await restoreIndexes(control, pending)));
    step('keys and indexes rebuilt');
  }

  checkpoint();
  observer.phase?.('foreign-keys');
  const foreignKeyFailures = await restoreForeignKeys(control);
  step('foreign keys restored');

  const ddlFailures: DdlFailure[] = [];
  if (groups.length > 0) {
    observer.phase?.('post-data');
    let applied = input.postDataApplied;
    for (const [index, group] of groups.entries()) {
      checkpoint(`${groups.length - index} of ${groups.length} ${groups.length === 1 ? 'object' : 'objects'} left`);
      // Keys, indexes and foreign keys of created tables: built on the loaded rows, faster than maintained during the load.
      ddlFailures.push(...(await applyPostData(control, group)));
      applied += group.length;
      await recordPostDataApplied(control, input.runId, applied);
    }
    step('keys, indexes and other objects of created tables');
  }

  let largeObjects: LargeObjectsResult | undefined;
  if (objectsFrom !== undefined && lo !== undefined) {
    checkpoint();
    observer.phase?.('large-objects');
    const copied = await copyLargeObjects(objectsFrom, control, lo.decision === 'copy' ? 'copy' : 'empty', () => signal.aborted).catch(
      (error: unknown) => {
        throw new SyncError('LARGE_OBJECTS_NOT_COPIED', `All rows were copied, but the large objects could not be: ${messageOf(error)}`, {
          cause: error,
          nextStep:
            'Fix the cause (the target user must own the large objects already on the target, or be allowed to remove them), then run the same command with --resume.',
        });
      },
    );
    if (copied === 'stopped') checkpoint();
    else {
      largeObjects = copied;
      for (const warning of copied.warnings) observer.warning?.(warning);
      step('large objects copied');
    }
  }

  checkpoint();
  observer.phase?.('sequences');
  const sequences = await syncSequences(input.sequenceValues, control, plan.sequences, plan.unownedSequences);
  step('sequences set');

  checkpoint();
  observer.phase?.('analyze');
  if (duringCopy?.analyzeFailure !== undefined) throw duringCopy.analyzeFailure;
  const analyzed = duringCopy?.analyzed ?? new Set<string>();
  const left = plan.tables.filter((t) => !analyzed.has(t.key));
  if (left.length > 0)
    await control.query(`ANALYZE ${left.map((t) => quoteQualified(t.target)).join(', ')}`).catch((error: unknown) => {
      throw analyzeFailed(
        left.map((t) => t.key),
        error,
      );
    });
  return { indexFailures, foreignKeyFailures, largeObjects, ddlFailures, sequences: sequences.set, missingSequences: sequences.missing };
}
