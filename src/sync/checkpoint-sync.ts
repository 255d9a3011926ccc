/**
 * A sync with Confiture's `checkpoint_file`: while the file marks an
 * unfinished sync into the same target, the sync resumes it (and starts afresh,
 * saying so, when there turns out to be nothing to resume); the file is written
 * when the run starts changing the target and removed when it succeeds.
 */
import { PgtwinError } from '../errors.js';
import { resolveEndpoints } from '../pg/connect-endpoints.js';
import type { SyncObserver } from '../snapshot/observer.js';
import { readCheckpoint, removeCheckpoint, writeCheckpointSync } from './checkpoint-file.js';
import type { SyncReport } from './sync-report.js';
import { runSync, type SyncRequest } from './sync.js';

export interface CheckpointSyncRequest extends SyncRequest {
  /** The file (settings.options.checkpointFile); without one this is runSync. */
  readonly checkpointFile: string | undefined;
  /** A line for the user: which mark was found, a restart (`warning: ...` for a mark of another target). */
  readonly notice: (line: string) => void;
}

export async function runSyncWithCheckpoint(request: CheckpointSyncRequest): Promise<SyncReport> {
  const { checkpointFile: file, notice, ...sync } = request;
  // Resolved first, with or without a file: a refused endpoint fails before the run says anything.
  const target = resolveEndpoints(sync.settings, sync.env).target.display;
  if (file === undefined) return runSync(sync);
  const mark = await readCheckpoint(file);
  const resumeFromMark = mark !== undefined && mark.target === target;
  if (mark !== undefined && !resumeFromMark)
    notice(`warning: the checkpoint file ${file} marks a sync into another target (${mark.target}); starting a new sync`);
  if (resumeFromMark) notice(`the checkpoint file ${file} marks an unfinished sync into ${target}: resuming it`);
  const observer = withCheckpoint(sync.observer ?? {}, file, target);
  let report: SyncReport;
  try {
    report = await runSync({ ...sync, observer, resume: sync.resume === true || resumeFromMark });
  } catch (error) {
    // The mark outlived a run that changed nothing (or finished): there is nothing to resume, so start afresh.
    if (
      !resumeFromMark ||
      sync.resume === true ||
      !(error instanceof PgtwinError) ||
      !['NOTHING_TO_RESUME', 'RESUME_MISMATCH'].includes(error.code)
    )
      throw error;
    notice(`${error.message} Starting a new sync.`);
    report = await runSync({ ...sync, observer, resume: false });
  }
  await removeCheckpoint(file);
  return report;
}

/** The observer, plus the mark written once the run is about to change the target. */
function withCheckpoint(observer: SyncObserver, file: string, target: string): SyncObserver {
  return {
    phase: (phase) => {
      if (phase === 'prepare') writeCheckpointSync(file, target);
      observer.phase?.(phase);
    },
    planned: (plan) => observer.planned?.(plan),
    tableStarted: (table) => observer.tableStarted?.(table),
    tableProgress: (table, rows, bytes) => observer.tableProgress?.(table, rows, bytes),
    tableFinished: (table, result) => observer.tableFinished?.(table, result),
    warning: (message) => observer.warning?.(message),
    note: (message) => observer.note?.(message),
  };
}
