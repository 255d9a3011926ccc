/**
 * ANALYZE each table as soon as its last chunk is committed, on a session of
 * its own, while the copy of the other tables goes on: a twin of many tables
 * no longer waits for one ANALYZE of everything after the copy. The finishing
 * step (src/snapshot/finish-steps.ts) waits for these, reports the first
 * failure, and analyzes the tables left out here, so every table of the run
 * has its statistics when the sync ends, as before.
 *
 * Left for the finishing step, because their statistics depend on what is not
 * there yet when their own copy ends:
 * - tables this run creates: their keys and indexes are built after the copy
 *   (post-data), and ANALYZE gathers statistics on index expressions only for
 *   indexes that exist;
 * - tables with inheritance children or partitions: ANALYZE of a parent also
 *   samples its children, which may still be loading.
 * ANALYZEs run one at a time, so the copy keeps the other backends and cores.
 */
import type { Client } from '../pg/connect.js';
import { quoteQualified } from '../pg/ident.js';
import type { TablePlan } from '../plan/plan.js';
import { SyncError, messageOf } from '../errors.js';

export interface TableAnalyzerOptions {
  /** Opens the analyzing session on the target, when the first table needs it. */
  readonly open: () => Promise<Client>;
  /** Tables left for the finishing step (created by this run), by key. */
  readonly deferred: ReadonlySet<string>;
  /** Nothing is analyzed early (post-data of an earlier attempt is still to be built). */
  readonly deferAll: boolean;
  /** Once set, no new ANALYZE starts. */
  readonly signal: AbortSignal;
}

/** ANALYZE failed: on a table analyzed during the copy, or in the finishing step. */
export function analyzeFailed(tables: readonly string[], error: unknown): SyncError {
  return new SyncError('ANALYZE_FAILED', `All rows were copied, but ANALYZE of ${tables.join(', ')} failed: ${messageOf(error)}`, {
    cause: error,
    nextStep:
      'Fix the cause on the target (for example a function used by an index or by extended statistics that raises an error), then run the same command with --resume: it does only the steps left.',
  });
}

export class TableAnalyzer {
  /** Undefined until the first table needs it; resolves to undefined when it could not be opened. */
  private session: Promise<Client | undefined> | undefined;
  /** The ANALYZEs started, one after another. */
  private chain: Promise<void> = Promise.resolve();
  private readonly analyzed = new Set<string>();
  private failure: SyncError | undefined;

  constructor(private readonly options: TableAnalyzerOptions) {}

  /** The table's last chunk is committed: ANALYZE it now unless it is left for the finishing step. */
  copied(table: TablePlan): void {
    if (this.options.deferAll || this.options.deferred.has(table.key)) return;
    this.chain = this.chain.then(() => this.analyze(table));
  }

  /**
   * Waits for the ANALYZEs started; resolves with the tables analyzed, or
   * throws the first failure (the tables after it are left to the caller).
   */
  async settle(): Promise<ReadonlySet<string>> {
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
    return this.analyzed;
  }

  /** Waits for an ANALYZE in progress (never cut off: the session would leave its backend running), then closes the session. */
  async close(): Promise<void> {
    await this.chain;
    const session = this.session;
    this.session = undefined;
    await (await session)?.end().catch(() => undefined);
  }

  private async analyze(table: TablePlan): Promise<void> {
    if (this.failure !== undefined || this.options.signal.aborted) return;
    const client = await this.openSession();
    // Without a spare session (the target's connection limit, say), the finishing step analyzes the table as before.
    if (client === undefined) return;
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
      this.failure = analyzeFailed([table.key], error);
    }
  }

  private openSession(): Promise<Client | undefined> {
    this.session ??= this.options.open().catch(() => undefined);
    return this.session;
  }
}
