/**
 * One table, or one chunk of it, from a reader to a writer (src/snapshot/copy-ends.ts):
 * the rows pass through the masking transform when the table has masks, and
 * are only counted when it has none.
 */
import type { Transform } from 'node:stream';
import type { TablePlan } from '../plan/plan.js';
import { createCountingPassThrough, createMaskingTransform, type ColumnMask } from '../mask/mask-transform.js';
import { createParallelMaskingTransform } from '../mask/parallel-mask-transform.js';
import type { MaskPool } from '../mask/mask-pool.js';
import type { ChunkPlan } from '../plan/chunk-bounds.js';
import type { ChunkReader, ChunkWriter, CopyResult } from './copy-ends.js';

export type { CopyResult } from './copy-ends.js';

export interface CopyTableOptions {
  readonly signal: AbortSignal;
  /** Column index (in plan.columns) -> mask; empty: the bytes pass untouched. */
  readonly masks: ReadonlyMap<number, ColumnMask>;
  /** When given, the masks run on these worker threads (compiled there from the same rules). */
  readonly maskPool?: MaskPool | undefined;
  readonly onProgress: (rows: number, bytes: number) => void;
}

/** One chunk (or the whole table), written whole or not at all by the writer. */
export async function copyTable(
  plan: TablePlan,
  chunk: ChunkPlan,
  reader: ChunkReader,
  writer: ChunkWriter,
  options: CopyTableOptions,
): Promise<CopyResult> {
  const started = performance.now();
  let rows = 0;
  let bytes = 0;
  const onRows = (r: number, b: number): void => {
    rows += r;
    bytes += b;
    options.onProgress(rows, bytes);
  };
  const transform: Transform =
    options.masks.size === 0 || plan.columns.length === 0
      ? createCountingPassThrough(onRows)
      : options.maskPool !== undefined
        ? createParallelMaskingTransform({ pool: options.maskPool, table: plan.key, onRows })
        : createMaskingTransform({ columnCount: plan.columns.length, masks: options.masks, onRows });
  return writer.write({
    table: plan,
    chunk,
    rows: reader.read(plan, chunk),
    transform,
    signal: options.signal,
    started,
    counted: () => ({ rows, bytes }),
  });
}
