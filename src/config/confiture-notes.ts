/**
 * What the Confiture keys that have no exact pgtwin counterpart do here, said
 * once in `pgtwin plan` so that none of them is a silent no-op.
 */

import type { Draft } from './draft.js';
import type { Overridden } from './overrides.js';

export function confitureNotes(draft: Draft, overridden: Overridden): string[] {
  const notes: string[] = [];
  if (draft.batchSize !== undefined) {
    notes.push(
      `batch_size ${draft.batchSize}: \`follow\` applies at most ${draft.batchSize} changes in one target transaction; ` +
        '`sync` copies each table (or chunk of a split table) with one COPY stream, which has no row batches',
    );
  }
  if (overridden.checkpointFile !== undefined) {
    notes.push(
      `checkpoint_file ${overridden.checkpointFile}: \`sync\` writes it once the target is being changed and removes it when the run succeeds; ` +
        "while it exists, `sync` resumes that run (as --resume does); the progress itself is kept in the target's `pgtwin` schema",
    );
  }
  if (overridden.verbose === true) notes.push('verbose: `sync` writes one line per table and phase, even on a terminal (no progress bars)');
  return notes;
}
