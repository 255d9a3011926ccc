/**
 * A pool of masking worker threads shared by every copy of a run, so masking
 * runs beside the copying thread (which only moves bytes) instead of on it.
 * Jobs go to the worker with the fewest outstanding; each stream restores its
 * own order (parallel-mask-transform.ts). A worker that dies fails its jobs and
 * every later one: a run never continues with fewer masks than it planned.
 */
import { Worker } from 'node:worker_threads';

import { secretForWorker } from '../anonymize/index.js';
import type { MaskingKey } from '../anonymize/index.js';
import type { MaskTableSpec } from './run-masks.js';
import type { MaskJob, MaskWorkerData, MaskWorkerReply } from './mask-worker.js';
import { deserializeError } from './worker-errors.js';

export interface MaskPoolOptions {
  readonly workers: number;
  readonly key: MaskingKey;
  readonly strategiesModule: string | undefined;
  readonly tables: readonly MaskTableSpec[];
}

export interface MaskedBlock {
  readonly output: Buffer;
  readonly rows: number;
}

interface Pending {
  readonly resolve: (block: MaskedBlock) => void;
  readonly reject: (error: Error) => void;
}

interface PoolWorker {
  readonly thread: Worker;
  readonly pending: Map<number, Pending>;
}

// Built, the worker is mask-worker.js next to this file. Under tsx (tests,
// `node --import tsx`) it is the .ts source, and Node 20 does not carry the
// parent's loader into a worker: a bootstrap registers tsx there first.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './mask-worker.ts' : './mask-worker.js', import.meta.url);

function spawnWorker(workerData: MaskWorkerData): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_URL, { workerData });
  // Both of tsx's hooks, as `--import tsx` installs them: a custom strategy module in .ts may be loaded as CommonJS.
  const bootstrap = `Promise.all([import('tsx/cjs/api'), import('tsx/esm/api')]).then(([cjs, esm]) => { cjs.register(); esm.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

export class MaskPool {
  private nextId = 0;
  private broken: Error | undefined;

  private constructor(private readonly workers: readonly PoolWorker[]) {}

  /** Starts the workers and waits until each has compiled the masks. */
  static async start(options: MaskPoolOptions): Promise<MaskPool> {
    const data: MaskWorkerData = {
      secret: secretForWorker(options.key),
      keySource: options.key.source,
      strategiesModule: options.strategiesModule,
      tables: options.tables,
    };
    const count = Math.max(1, Math.floor(options.workers));
    const threads = Array.from({ length: count }, () => spawnWorker(data));
    const pool = new MaskPool(threads.map((thread) => ({ thread, pending: new Map() })));
    try {
      await Promise.all(pool.workers.map((w) => pool.ready(w)));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Masks the whole rows of `table` in block[0, length). The block's memory
   * moves to the worker: it must be a Buffer owning its ArrayBuffer (from
   * Buffer.allocUnsafeSlow), and is unusable here afterwards.
   */
  mask(table: string, block: Buffer, length: number, rowsBefore: number): Promise<MaskedBlock> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    const memory = block.buffer as ArrayBuffer;
    if (block.byteOffset !== 0 || block.length !== memory.byteLength || length > block.length) {
      return Promise.reject(new Error('a block to mask must own its memory'));
    }
    const worker = this.leastBusy();
    const id = this.nextId++;
    return new Promise<MaskedBlock>((resolve, reject) => {
      worker.pending.set(id, { resolve, reject });
      const job: MaskJob = { id, table, block: memory, length, rowsBefore };
      worker.thread.postMessage(job, [memory]);
    });
  }

  /** Stops every worker; outstanding jobs fail. */
  async close(): Promise<void> {
    this.broken ??= new Error('the masking workers were stopped');
    for (const w of this.workers) this.failAll(w, this.broken);
    await Promise.all(this.workers.map((w) => w.thread.terminate().catch(() => undefined)));
  }

  private leastBusy(): PoolWorker {
    let best = this.workers[0] as PoolWorker;
    for (const w of this.workers) if (w.pending.size < best.pending.size) best = w;
    return best;
  }

  private ready(worker: PoolWorker): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onStartFailure = (error: Error): void => reject(error);
      worker.thread.once('error', onStartFailure);
      worker.thread.once('message', (reply: MaskWorkerReply) => {
        worker.thread.off('error', onStartFailure);
        if (reply.kind !== 'ready') {
          reject(
            reply.kind === 'init-failed'
              ? deserializeError(reply.error)
              : new Error(`masking worker sent ${reply.kind} before it was ready`),
          );
          return;
        }
        this.listen(worker);
        resolve();
      });
    });
  }

  private listen(worker: PoolWorker): void {
    worker.thread.on('message', (reply: MaskWorkerReply) => {
      if (reply.kind !== 'masked' && reply.kind !== 'failed') return;
      const pending = worker.pending.get(reply.id);
      if (pending === undefined) return;
      worker.pending.delete(reply.id);
      if (reply.kind === 'masked') pending.resolve({ output: Buffer.from(reply.block, reply.offset, reply.length), rows: reply.rows });
      else pending.reject(deserializeError(reply.error));
    });
    const died = (error: Error): void => {
      this.broken ??= new Error(`a masking worker stopped: ${error.message}`, { cause: error });
      for (const w of this.workers) this.failAll(w, this.broken);
    };
    worker.thread.on('error', died);
    worker.thread.on('exit', (code) => {
      if (this.broken === undefined) died(new Error(`it exited with code ${code}`));
    });
  }

  private failAll(worker: PoolWorker, error: Error): void {
    const pending = [...worker.pending.values()];
    worker.pending.clear();
    for (const p of pending) p.reject(error);
  }
}
