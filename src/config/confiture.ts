/**
 * Compatibility with the dict shape of Confiture's sync config, so users of the
 * Python tool can bring theirs: `source_url`/`target_url`, top-level
 * `batch_size`/`show_progress`/`parallel`, `checkpoint_file`, and `anonymization`
 * (the SyncConfig field name). The top-level `tables` list is handled in
 * validate.ts, and the `[{column, strategy}]` rule list in anonymize-rules.ts.
 * Each key here maps onto the same draft field as its pgtwin spelling; writing
 * both is a problem (see `claim`).
 */

import { readAnonymize } from './anonymize-rules.js';
import { claim, type Ctx } from './draft.js';
import type { Path } from './problems.js';
import { typeName, type KeyHandler } from './read.js';
import { readBatchSize, readEndpoint, readShowProgress } from './sections.js';

export function confitureKeys(ctx: Ctx): Record<string, KeyHandler> {
  return {
    source_url: (value, at) => readEndpoint(ctx, 'source', value, at),
    target_url: (value, at) => readEndpoint(ctx, 'target', value, at),
    batch_size: (value, at) => readBatchSize(ctx, value, at),
    show_progress: (value, at) => readShowProgress(ctx, value, at),
    parallel: (value, at) => readParallel(ctx, value, at),
    anonymization: (value, at) => readAnonymize(ctx, value, at),
    checkpoint_file: (_value, at) =>
      ctx.read.report.warning(
        at,
        'ignored: pgtwin keeps its progress in the target database (schema `pgtwin`), so no checkpoint file is needed',
        'key',
      ),
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
