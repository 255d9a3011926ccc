/**
 * Confiture's `checkpoint_file` (`--checkpoint FILE`) on top of pgtwin's own
 * resume state. The progress of a sync lives in the target (`pgtwin.runs`,
 * committed with each chunk); the file only marks that a sync into a given
 * target started changing it and has not finished. While it exists, the next
 * `sync` resumes that run, as Confiture's `resume=True` does; a successful run
 * removes it. Nothing secret goes into it: the target is named without its
 * password.
 */
import { readFile, rm } from 'node:fs/promises';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../errors.js';

export interface CheckpointMark {
  readonly pgtwin: 'sync checkpoint';
  /** The target as displayed (no password). */
  readonly target: string;
  readonly startedAt: string;
  readonly note: string;
}

const NOTE =
  "pgtwin keeps the sync's progress in the target's pgtwin schema; while this file exists, `pgtwin sync` resumes the run. Delete it to start over.";

/** The mark in `file`, or undefined when there is none. */
export async function readCheckpoint(file: string): Promise<CheckpointMark | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT') return undefined;
    throw new UsageError('CHECKPOINT_UNREADABLE', `The checkpoint file ${file} cannot be read.`, {
      cause: error,
      nextStep: 'Check its permissions, or point checkpoint_file (--checkpoint) elsewhere.',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!isMark(parsed)) {
    // Most likely Confiture's own checkpoint, whose table offsets mean nothing to pgtwin.
    throw new UsageError('CHECKPOINT_FOREIGN', `The checkpoint file ${file} was not written by pgtwin.`, {
      nextStep:
        'Delete it (or point checkpoint_file / --checkpoint at another path): pgtwin keeps its progress in the target and writes its own mark there.',
    });
  }
  return parsed;
}

function isMark(value: unknown): value is CheckpointMark {
  return (
    typeof value === 'object' &&
    value !== null &&
    'pgtwin' in value &&
    value.pgtwin === 'sync checkpoint' &&
    'target' in value &&
    typeof value.target === 'string'
  );
}

/**
 * Written when the run is about to change the target (called from a
 * synchronous observer, hence the synchronous write), through a temporary
 * file so a crash never leaves half a mark.
 */
export function writeCheckpointSync(file: string, target: string): void {
  const mark: CheckpointMark = { pgtwin: 'sync checkpoint', target, startedAt: new Date().toISOString(), note: NOTE };
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temporary, JSON.stringify(mark, null, 2) + '\n', { mode: 0o600 });
    renameSync(temporary, file);
  } catch (error) {
    throw new UsageError('CHECKPOINT_UNWRITABLE', `The checkpoint file ${file} cannot be written; no table of the target was changed.`, {
      cause: error,
      nextStep: 'Point checkpoint_file (--checkpoint) at a file in a directory you may write to.',
    });
  }
}

export async function removeCheckpoint(file: string): Promise<void> {
  await rm(file, { force: true });
}
