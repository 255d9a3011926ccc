/**
 * Entry point of a masking worker thread: compiles every masked table's masks
 * once, from the same rules and key as the copying thread (so outputs are
 * identical), then masks the row-aligned blocks it is sent, one at a time,
 * handing each result back without copying it (transferred memory).
 */
import { parentPort, workerData } from 'node:worker_threads';

import { MaskingKey, type KeySource } from '../anonymize/index.js';
import { compileTableMasks, strategyRegistry, type MaskTableSpec } from './run-masks.js';
import type { ColumnMask } from '../anonymize/index.js';
import { RowMasker } from './row-masker.js';
import { serializeError, type SerializedError } from './worker-errors.js';

export interface MaskWorkerData {
  readonly secret: Uint8Array;
  readonly keySource: KeySource;
  readonly strategiesModule: string | undefined;
  readonly tables: readonly MaskTableSpec[];
}

export interface MaskJob {
  readonly id: number;
  readonly table: string;
  readonly block: ArrayBuffer;
  readonly length: number;
  /** Rows of this table's stream before the block, so messages number rows like the in-thread path. */
  readonly rowsBefore: number;
}

export type MaskWorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'init-failed'; readonly error: SerializedError }
  | {
      readonly kind: 'masked';
      readonly id: number;
      readonly block: ArrayBuffer;
      readonly offset: number;
      readonly length: number;
      readonly rows: number;
    }
  | { readonly kind: 'failed'; readonly id: number; readonly error: SerializedError };

interface CompiledTable {
  readonly columnCount: number;
  readonly masks: ReadonlyMap<number, ColumnMask>;
}

async function start(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('mask-worker.ts runs only as a worker thread');
  const data = workerData as MaskWorkerData;
  const tables = new Map<string, CompiledTable>();
  try {
    const registry = await strategyRegistry({ strategiesModule: data.strategiesModule });
    const key = new MaskingKey(data.secret, data.keySource);
    for (const spec of data.tables)
      tables.set(spec.table, { columnCount: spec.columns.length, masks: compileTableMasks(spec, registry, key) });
  } catch (error) {
    port.postMessage({ kind: 'init-failed', error: serializeError(error) } satisfies MaskWorkerReply);
    return;
  }
  port.on('message', (job: MaskJob) => {
    try {
      const table = tables.get(job.table);
      if (table === undefined) throw new Error(`no masks for ${job.table} in this worker`);
      const input = Buffer.from(job.block, 0, job.length);
      const masker = new RowMasker(table.columnCount, table.masks, job.rowsBefore);
      masker.begin(job.length + (job.length >>> 3) + 64);
      masker.maskRows(input, 0, job.length);
      // Never empty (a block holds whole rows, each with its LF), so its memory is the masker's own allocation, safe to transfer.
      const output = masker.take();
      if (output.length === 0) throw new Error('masking produced no output for a non-empty block');
      const reply: MaskWorkerReply = {
        kind: 'masked',
        id: job.id,
        block: output.buffer as ArrayBuffer,
        offset: output.byteOffset,
        length: output.length,
        rows: masker.rowNumber - job.rowsBefore,
      };
      port.postMessage(reply, [output.buffer as ArrayBuffer]);
    } catch (error) {
      port.postMessage({ kind: 'failed', id: job.id, error: serializeError(error) } satisfies MaskWorkerReply);
    }
  });
  port.postMessage({ kind: 'ready' } satisfies MaskWorkerReply);
}

await start();
