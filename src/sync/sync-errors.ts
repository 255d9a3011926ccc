/** How a sync that stopped part way explains itself: what is loaded, what is not, and how to finish. */
import { IncompleteError, InterruptedError, PgtwinError, SyncError, messageOf } from '../errors.js';
import type { ChunkResults } from '../snapshot/copy-workers.js';
import type { RestoreFailure } from '../snapshot/foreign-keys.js';
import type { IndexRestoreFailure } from '../snapshot/set-aside-indexes.js';
import type { FinishInterrupted } from '../snapshot/finish-steps.js';
import type { SyncPlan } from '../plan/plan.js';
import { displayName } from '../pg/ident.js';

export function stoppedError(
  status: 'failed' | 'interrupted',
  error: unknown,
  plan: SyncPlan,
  chunks: ChunkResults,
  resumable: boolean,
  pendingIndexes = 0,
): PgtwinError {
  const complete = plan.tables.filter((t) => (chunks.get(t.key)?.size ?? 0) === t.chunks.length).map((t) => t.key);
  const partial = plan.tables
    .filter((t) => t.chunks.length > 1 && (chunks.get(t.key)?.size ?? 0) > 0 && (chunks.get(t.key)?.size ?? 0) < t.chunks.length)
    .map((t) => `${t.key} (${chunks.get(t.key)?.size ?? 0} of ${t.chunks.length} chunks)`);
  const missing = plan.tables.filter((t) => (chunks.get(t.key)?.size ?? 0) === 0).map((t) => t.key);
  const details = [
    `loaded completely: ${complete.length === 0 ? 'none' : complete.join(', ')}`,
    ...(partial.length > 0 ? [`loaded in part: ${partial.join(', ')}`] : []),
    `empty or rolled back: ${missing.length === 0 ? 'none' : missing.join(', ')}`,
    ...(plan.foreignKeys.length > 0
      ? [
          `${plan.foreignKeys.length === 1 ? '1 foreign key is' : `${plan.foreignKeys.length} foreign keys are`} set aside until the run completes (kept in pgtwin.pending_foreign_keys)`,
        ]
      : []),
    ...(pendingIndexes > 0
      ? [
          `${pendingIndexes === 1 ? '1 key or index is' : `${pendingIndexes} keys and indexes are`} set aside until the next run builds ${pendingIndexes === 1 ? 'it' : 'them'} (kept in pgtwin.pending_indexes)`,
        ]
      : []),
  ];
  const nextStep = resumable
    ? 'Run the same command with --resume to copy only what is missing (it reads a newer snapshot of the source), or run it again without --resume to reload everything.'
    : 'Run the same pgtwin sync command again: it reloads the selected tables and restores the foreign keys.';
  if (status === 'interrupted')
    return new InterruptedError('The sync was interrupted; the target is incomplete.', { details, nextStep, cause: error });
  const known = pgtwinErrorIn(error);
  if (known !== undefined) {
    return new PgtwinError(known.code, known.category, known.message, {
      cause: known.cause ?? known,
      details: [...known.details, ...details],
      nextStep: known.nextStep ?? nextStep,
    });
  }
  return new SyncError('COPY_FAILED', `The sync failed: ${messageOf(error)}`, { cause: error, details, nextStep });
}

/** The pgtwin error behind a failure, when streams wrapped it (a mask that threw inside the COPY pipeline). */
export function pgtwinErrorIn(error: unknown): PgtwinError | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof PgtwinError) return e;
  }
  return undefined;
}

/** A stop during the finishing steps: every row is on the target, some steps after the copy are not done. */
export function finishInterruptedError(stopped: FinishInterrupted): InterruptedError {
  return new InterruptedError('The sync was interrupted after every row was copied; the twin is not finished yet.', {
    details: [`done: rows copied${stopped.done.length > 0 ? `, ${stopped.done.join(', ')}` : ''}`, `left: ${stopped.left.join(', ')}`],
    nextStep: 'Run the same command with --resume: it copies nothing again and does only the steps left.',
    cause: stopped,
  });
}

export function foreignKeyError(failures: readonly RestoreFailure[]): SyncError {
  return new SyncError(
    'FOREIGN_KEYS_NOT_RESTORED',
    `All rows were copied, but ${failures.length === 1 ? '1 foreign key does' : `${failures.length} foreign keys do`} not hold on the copied rows and could not be restored.`,
    {
      details: failures.map((f) => `${f.foreignKey.table.schema}.${f.foreignKey.table.name} ${f.foreignKey.name}: ${f.reason}`),
      nextStep:
        'A where/limit filter probably kept child rows whose parents were filtered out: filter the child table the same way, then run sync again (the keys stay in pgtwin.pending_foreign_keys until then).',
    },
  );
}

export function indexError(failures: readonly IndexRestoreFailure[]): SyncError {
  return new SyncError(
    'INDEXES_NOT_RESTORED',
    `All rows were copied, but ${failures.length === 1 ? '1 key or index set aside for the load does' : `${failures.length} keys or indexes set aside for the load do`} not hold on the copied rows and could not be built again.`,
    {
      details: failures.map((f) => `${displayName(f.index.table)} ${f.index.name}: ${f.reason}`),
      nextStep:
        'A masking rule probably made values of a unique column collide: mask it with a strategy that keeps distinct values distinct (docs/strategies.md says which do), or `keep` it, then run sync again (the indexes stay in pgtwin.pending_indexes until then).',
    },
  );
}

/** Exit 6: the copy is complete, the twin lacks the listed schema objects. */
export function schemaIncompleteError(notCreated: readonly NotCreated[], rowsCopied: boolean): IncompleteError {
  const n = notCreated.length;
  const head = rowsCopied ? 'All rows were copied, but' : 'The schema was created, but';
  return new IncompleteError(
    'SCHEMA_INCOMPLETE',
    `${head} ${n} schema object${n === 1 ? ' was' : 's were'} not created on the target: the twin is incomplete.`,
    {
      details: notCreated.map((f) => `${f.object}: ${f.reason}`),
      nextStep:
        'Fix the cause on the target (install what is named, create the missing roles), then run `pgtwin schema` with the same selection: it creates only what is still missing.',
    },
  );
}

export interface NotCreated {
  readonly object: string;
  readonly reason: string;
}
