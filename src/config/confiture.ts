/**
 * Compatibility with the dict shape of Confiture's sync config, so users of the
 * Python tool can bring theirs: `source_url`/`target_url`, top-level
 * `batch_size`/`show_progress`/`parallel`/`parallelism`/`verbose`,
 * `checkpoint_file`, `anonymization` (the SyncConfig field name) and
 * confiture.yaml's `version`. The top-level `tables` list is handled in
 * validate.ts, the `[{column, strategy}]` rule list in anonymize-rules.ts and
 * environments' `database:` in confiture-database.ts. Each key here maps onto
 * the same draft field as its pgtwin spelling; writing both is a problem (see
 * `claim`).
 */

import { readAnonymize } from './anonymize-rules.js';
import { claim, type Ctx } from './draft.js';
import type { Path } from './problems.js';
import { typeName, type KeyHandler } from './read.js';
import { readBatchSize, readCheckpointFile, readEndpoint, readShowProgress, readVerbose } from './sections.js';

export function confitureKeys(ctx: Ctx): Record<string, KeyHandler> {
  return {
    source_url: (value, at) => readEndpoint(ctx, 'source', value, at),
    target_url: (value, at) => readEndpoint(ctx, 'target', value, at),
    batch_size: (value, at) => readBatchSize(ctx, value, at),
    show_progress: (value, at) => readShowProgress(ctx, value, at),
    parallel: (value, at) => readParallel(ctx, value, at),
    // SyncConfig's spelling in Confiture's advanced guide.
    parallelism: (value, at) => readParallel(ctx, value, at),
    verbose: (value, at) => readVerbose(ctx, value, at),
    anonymization: (value, at) => readAnonymize(ctx, value, at),
    checkpoint_file: (value, at) => readCheckpointFile(ctx, value, at),
    version: (value, at) => {
      // confiture.yaml's format version; 1 is the only one there is.
      if (ctx.read.positiveInteger(value, at) !== undefined && value !== 1)
        ctx.read.report.problem(at, 'expected 1 (the only version of the confiture.yaml format)');
    },
  };
}

/** `parallel: true` -> one job per CPU, `false` -> 1, a number -> that many jobs. */
function readParallel(ctx: Ctx, value: unknown, at: Path): void {
  if (!claim(ctx, 'jobs', at)) return;
  const booleanLike = typeof value === 'boolean' || (typeof value === 'string' && /^\s*(?:true|false)\s*$/i.test(value));
  if (booleanLike) {
    const parallel = ctx.read.boolean(value, at);
    if (parallel !== undefined) ctx.draft.jobs = parallel ? null : 1;
  } else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') {
    ctx.draft.jobs = ctx.read.positiveInteger(value, at);
  } else {
    ctx.read.report.problem(at, `expected true, false or a positive integer, got ${typeName(value)}`);
  }
}
