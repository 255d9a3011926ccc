/**
 * What follows each table's copy as soon as its last chunk is committed, on a
 * session of its own, while the copy of the other tables goes on: its keys
 * and indexes set aside for the load are built again
 * (src/snapshot/set-aside-indexes.ts), then it is analyzed. A twin of many
 * tables no longer waits for every index build and one ANALYZE of everything
 * after the copy. The finishing step (src/snapshot/finish-steps.ts) waits for
 * these, builds what is still pending, reports the failures, and analyzes the
 * tables left out here, so every table of the run has its indexes and
 * statistics when the sync ends, as before.
 *
 * ANALYZE is left for the finishing step when the statistics depend on what
 * is not there yet when the table's own copy ends:
 * - tables this run creates: their keys and indexes are built after the copy
 *   (post-data), and ANALYZE gathers statistics on index expressions only for
 *   indexes that exist;
 * - tables with inheritance children or partitions: ANALYZE of a parent also
 *   samples its children, which may still be loading.
 * One table at a time, so the copy keeps the other backends and cores.
 */
import type { Client } from '../pg/connect.js';
import { quoteQualified } from '../pg/ident.js';
import type { TablePlan } from '../plan/plan.js';
import { SyncError, messageOf } from '../errors.js';
import { pendingIndexKey, pendingIndexes, restoreIndexes, type IndexRestoreFailure } from './set-aside-indexes.js';

export interface AfterTableCopyOptions {
  /** Opens the session on the target, when the first table needs it. */
  readonly open: () => Promise<Client>;
  /** Tables not analyzed here (created by this run), by key. */
  readonly deferred: ReadonlySet<string>;
  /** Nothing is analyzed early (post-data of an earlier attempt is still to be built). */
  readonly deferAll: boolean;
  /** Once set, no new step starts. */
  readonly signal: AbortSignal;
}

/** What the steps during the copy did, once they are all over. */
export interface DoneDuringCopy {
  readonly analyzed: ReadonlySet<string>;
  /** Pending indexes tried here (`schema.index`), built or failed: not tried again in the same run. */
  readonly indexesTried: ReadonlySet<string>;
  readonly indexFailures: readonly IndexRestoreFailure[];
  /** The first ANALYZE that failed (the tables after it are left to the finishing step). */
  readonly analyzeFailure: SyncError | undefined;
}

/** ANALYZE failed: on a table analyzed during the copy, or in the finishing step. */
export function analyzeFailed(tables: readonly string[], error: unknown): SyncError {
  return new SyncError('ANALYZE_FAILED', `All rows were copied, but ANALYZE of ${tables.join(', ')} failed: ${messageOf(error)}`, {
    cause: error,
    nextStep:
      'Fix the cause on the target (for example a function used by an index or by extended statistics that raises an error), then run the same command with --resume: it does only the steps left.',
  });
}

export class AfterTableCopy {
  /** Undefined until the first table needs it; resolves to undefined when it could not be opened. */
  private session: Promise<Client | undefined> | undefined;
  /** The steps started, one table after another. */
  private chain: Promise<void> = Promise.resolve();
  private readonly analyzed = new Set<string>();
  private readonly indexesTried = new Set<string>();
  private readonly indexFailures: IndexRestoreFailure[] = [];
  private analyzeFailure: SyncError | undefined;

  constructor(private readonly options: AfterTableCopyOptions) {}

  /** The table's last chunk is committed. */
  copied(table: TablePlan): void {
    const analyze = !this.options.deferAll && !this.options.deferred.has(table.key);
    this.chain = this.chain.then(() => this.afterCopy(table, analyze));
  }

  /** Waits for the steps started (never cut off: the session would leave its backend running). */
  async settle(): Promise<DoneDuringCopy> {
    await this.chain;
    return {
      analyzed: this.analyzed,
      indexesTried: this.indexesTried,
      indexFailures: this.indexFailures,
      analyzeFailure: this.analyzeFailure,
    };
  }

  /** Waits for a step in progress, then closes the session. */
  async close(): Promise<void> {
    await this.chain;
    const session = this.session;
    this.session = undefined;
    await (await session)?.end().catch(() => undefined);
  }

  private async afterCopy(table: TablePlan, analyze: boolean): Promise<void> {
    if (this.options.signal.aborted) return;
    const client = await this.openSession();
    // Without a spare session (the target's connection limit, say), the finishing step does it all as before.
    if (client === undefined) return;
    await this.restore(client, table);
    if (analyze) await this.analyze(client, table);
  }

  private async restore(client: Client, table: TablePlan): Promise<void> {
    try {
      // Set aside by this run or by the attempt it resumes: the record says which.
      const pending = await pendingIndexes(client, table.target);
      if (pending.length === 0) return;
      const failures = await restoreIndexes(client, pending);
      for (const index of pending) this.indexesTried.add(pendingIndexKey(index));
      this.indexFailures.push(...failures);
    } catch {
      // The session itself failed: the finishing step builds what is still pending.
    }
  }

  private async analyze(client: Client, table: TablePlan): Promise<void> {
    if (this.analyzeFailure !== undefined || this.options.signal.aborted) return;
    try {
      const target = quoteQualified(table.target);
      const parent = await client.query<{ children: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhparent = $1::regclass) AS children',
        [target],
      );
      if (parent.rows[0]?.children === true || this.options.signal.aborted) return;
      await client.query(`ANALYZE ${target}`);
      this.analyzed.add(table.key);
    } catch (error) {
      this.analyzeFailure = analyzeFailed([table.key], error);
    }
  }

  private openSession(): Promise<Client | undefined> {
    this.session ??= this.options.open().catch(() => undefined);
    return this.session;
  }
}
