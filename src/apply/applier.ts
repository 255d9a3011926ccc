/**
 * Applies decoded source transactions to the twin, in source commit order,
 * several source transactions per target transaction. The last applied
 * commit LSN is written to pgtwin.follow_state in the same target transaction
 * as the changes, so after any crash the twin knows exactly which source
 * transactions it holds: those at or below that LSN are skipped when
 * streamed again. Nothing is acknowledged to the source before it commits here.
 *
 * Changes become runs of rows (src/apply/change-runs.ts); the runs go to the
 * twin in flushes, one simple-query round trip each. One flush (or a batch's
 * COMMIT) is in flight while the next is decoded, masked and built, so this
 * process and the twin's backend work at the same time. Nothing is sent
 * before what was sent earlier has succeeded, so a failure stops everything
 * after it, and a batch counts as committed only when its COMMIT returns.
 */
import type { Client } from '../pg/connect.js';
import { quoteQualified } from '../pg/ident.js';
import type { ColumnMask } from '../mask/mask-transform.js';
import type { TablePlan } from '../plan/plan.js';
import { appliedFileSql, batchRecordSql, type AppliedFile, type TableCounters } from './batch-record.js';
import { changeColumns, factsAfter, type ColumnDefinition } from './column-changes.js';
import { ChangeRuns, type Statement } from './change-runs.js';
import type { Lsn } from '../stream/lsn.js';
import type { ChangeSink, CommittedBatch, PendingCommit } from '../stream/change-sink.js';
import type { PgoutputMessage, RelationMessage } from '../stream/pgoutput.js';
import { TableChanges, type RowChange } from './table-changes.js';
import { TableSql } from './table-sql.js';
import { readTwinFacts, type TwinFacts } from './twin-facts.js';
import { countersOf, TwinPipe } from './twin-pipe.js';
import { FilterGate } from './filter-gate.js';
import type { TableFilter } from './row-filter.js';

export type { AppliedFile, TableCounters } from './batch-record.js';
export type { ColumnDefinition } from './column-changes.js';
export type { CommittedBatch, PendingCommit } from '../stream/change-sink.js';

/** Changes per flush: bounded, so a huge source transaction never piles up in memory. */
const MAX_FLUSH_CHANGES = 1000;
const MAX_FLUSH_BYTES = 1024 * 1024;
/** Rows per statement. */
const MAX_RUN_ROWS = 1000;

export interface ApplierOptions {
  readonly slot: string;
  /** table key -> plan */
  readonly tables: ReadonlyMap<string, TablePlan>;
  /** Source table key -> the selected table holding its rows (partitions -> root). */
  readonly ownerOf: (schema: string, name: string) => string | undefined;
  readonly masks: ReadonlyMap<string, ReadonlyMap<number, ColumnMask>>;
  readonly strict: boolean;
  readonly warn: (message: string) => void;
  /** Tables with `where:` or `limit:` (src/apply/row-filter.ts), by table key. */
  readonly filters?: ReadonlyMap<string, TableFilter>;
}

interface Batch {
  transactions: number;
  changes: number;
  first: Lsn | undefined;
  last: Lsn;
  flush: Lsn;
  commitTime: bigint;
  started: number;
}

const newBatch = (): Batch => ({ transactions: 0, changes: 0, first: undefined, last: 0n, flush: 0n, commitTime: 0n, started: 0 });

/** The stream loop's sink in follow: batches become twin transactions, durable when their COMMIT returns. */
export class Applier implements ChangeSink {
  private readonly relations = new Map<number, TableChanges | null>();
  /** The options' plans, and a table's new plan once its columns changed (changeColumns). */
  private readonly tables: Map<string, TablePlan>;
  private facts: TwinFacts | undefined;
  private readonly sql = new Map<string, TableSql>();
  private readonly runs = new ChangeRuns((table) => this.facts?.orderGroup.get(table) ?? table, MAX_RUN_ROWS);
  /** Changes waiting for the source to evaluate their table's filter, and those behind them. */
  private readonly gate = new FilterGate((table) => this.options.filters?.get(table.plan.key));
  /** A twin transaction holds (or will hold) this batch. */
  private open = false;
  /** Its BEGIN has been sent (it goes with the batch's first flush). */
  private begun = false;
  private readonly pipe: TwinPipe;
  private commitsInFlight = 0;
  private inSourceTransaction = false;
  private skipping = false;
  private batch = newBatch();
  private counters = new Map<string, TableCounters>();
  /** Totals since start, for status lines. */
  readonly totals = { transactions: 0, changes: 0, skipped: 0 };

  constructor(
    private readonly target: Client,
    private readonly options: ApplierOptions,
    /** Source transactions at or below this commit LSN are already in the twin. */
    private appliedLsn: Lsn,
  ) {
    this.pipe = new TwinPipe(target, options.warn);
    this.tables = new Map(options.tables);
  }

  /** Reads what the twin's catalog says about its tables (src/apply/twin-facts.ts); before the first change. */
  async prepare(): Promise<void> {
    this.facts ??= await readTwinFacts(this.target, [...this.tables.values()]);
  }

  get pendingTransactions(): number {
    return this.batch.transactions;
  }

  get pendingChanges(): number {
    return this.batch.changes;
  }

  get batchAgeMs(): number {
    return this.open ? performance.now() - this.batch.started : 0;
  }

  /** Its limit is the loop's (maxBatchChanges): never full by itself. */
  get batchFull(): boolean {
    return false;
  }

  /** True between a source BEGIN and its COMMIT: nothing may be acknowledged or committed here. */
  get midTransaction(): boolean {
    return this.inSourceTransaction;
  }

  /** A batch was sent for commit and the twin has not confirmed it yet. */
  get committing(): boolean {
    return this.commitsInFlight > 0;
  }

  get lastAppliedLsn(): Lsn {
    return this.appliedLsn;
  }

  /** Applies one message; a promise only when it had to wait for the twin (most messages need not). */
  handle(message: PgoutputMessage): Promise<void> | undefined {
    switch (message.tag) {
      case 'begin':
        this.inSourceTransaction = true;
        this.skipping = message.finalLsn <= this.appliedLsn;
        if (this.skipping) this.totals.skipped++;
        return undefined;
      case 'commit':
        this.inSourceTransaction = false;
        if (this.skipping) {
          this.skipping = false;
          return undefined;
        }
        this.ensureOpen();
        this.batch.transactions++;
        this.batch.first ??= message.commitLsn;
        this.batch.last = message.commitLsn;
        this.batch.flush = message.endLsn;
        this.batch.commitTime = message.commitTime;
        return undefined;
      case 'relation':
        this.relations.set(message.relationOid, this.tableFor(message));
        return undefined;
      case 'insert':
      case 'update':
      case 'delete':
        return this.skipping ? undefined : this.applyRow(message);
      case 'truncate':
        if (!this.skipping) this.truncate(message.relationOids);
        return undefined;
      default:
        // origin, type, message: nothing to apply.
        return undefined;
    }
  }

  /**
   * Sends the batch's last changes, its record (position, audit row,
   * counters) and COMMIT, once the twin has run everything before them, and
   * returns without waiting for the COMMIT: the next batch is built
   * meanwhile. The last changes, the record and the COMMIT go in one round
   * trip, unless those changes must first report rows the twin lacks (the
   * counters committed with the batch include them).
   */
  async commit(file?: AppliedFile): Promise<PendingCommit | undefined> {
    if (this.inSourceTransaction) return undefined;
    // A file whose transactions were all in the twin already still moves the position past it.
    if (file !== undefined) this.ensureOpen();
    if (!this.open) return undefined;
    await this.releaseGate();
    const statements = this.runs.take();
    const { batch, counters, begun } = this;
    this.open = false;
    this.begun = false;
    this.batch = newBatch();
    this.counters = new Map();
    if (!begun && statements.length === 0 && batch.transactions === 0 && file === undefined) return undefined;
    // Counted from here: from now on no keepalive may move the position past this batch.
    this.commitsInFlight++;
    try {
      await this.pipe.settle();
    } catch (error) {
      this.commitsInFlight--;
      throw error;
    }
    const counted = this.finish(batch, counters, statements, begun, file).finally(() => this.commitsInFlight--);
    this.pipe.hold(counted);
    return { committed: counted };
  }

  /** Waits until the twin has run everything sent; a failure surfaces here. */
  async drain(): Promise<void> {
    await this.pipe.settle();
  }

  /** Drops the uncommitted batch: the source sends those transactions again after a restart. */
  async rollback(): Promise<void> {
    await this.pipe.abandon();
    this.runs.take();
    this.gate.clear();
    this.open = false;
    this.begun = false;
    this.inSourceTransaction = false;
    this.skipping = false;
    this.batch = newBatch();
    this.counters = new Map();
  }

  private async finish(
    batch: Batch,
    counters: Map<string, TableCounters>,
    statements: readonly Statement[],
    begun: boolean,
    file: AppliedFile | undefined,
  ): Promise<CommittedBatch | undefined> {
    let rest = statements;
    if (statements.some((s) => s.expected > 0)) {
      await this.pipe.send(statements, [], counters, !begun);
      begun = true;
      rest = [];
    }
    const { transactions, changes, first, last, flush, commitTime } = batch;
    const record =
      transactions === 0
        ? file === undefined
          ? []
          : [appliedFileSql(this.options.slot, file)]
        : [batchRecordSql({ slot: this.options.slot, first: first ?? last, last, commitTime, transactions, changes, counters, file })];
    await this.pipe.send(rest, [...record, 'COMMIT'], counters, !begun);
    if (transactions === 0) return undefined;
    this.appliedLsn = last;
    this.totals.transactions += transactions;
    this.totals.changes += changes;
    return { transactions, changes, flushLsn: flush, lastCommitLsn: last };
  }

  /**
   * A table's columns changed on the source (an archive's schema record,
   * inside a source transaction): the twin's table is altered to match,
   * after every change before it and before any after it, and the table's
   * rows are applied with its new columns from then on. The relation
   * messages that follow must describe the new columns.
   */
  changeColumns(schema: string, name: string, columns: readonly ColumnDefinition[]): void {
    const key = this.options.ownerOf(schema, name);
    const plan = key === undefined ? undefined : this.tables.get(key);
    if (plan === undefined) return;
    if (this.facts === undefined) throw new Error('Applier.prepare() was not called');
    const change = changeColumns(plan, columns);
    // In a transaction the twin holds already, the twin has the new columns too: only the plan changes.
    if (!this.skipping && change.statements.length > 0) {
      this.ensureOpen();
      for (const sql of change.statements) {
        const statement: Statement = { sql, expected: 0, table: plan.key, op: 'alter' };
        if (this.gate.size > 0) this.gate.hold({ kind: 'barrier', statement });
        else this.runs.barrier(statement);
      }
    }
    this.tables.set(plan.key, change.plan);
    this.facts = factsAfter(this.facts, change.plan);
    this.sql.delete(plan.key);
  }

  /** Sends what is queued without waiting for the twin: the next flush (or the commit) waits for it. */
  private flush(): Promise<void> | undefined {
    if (this.gate.size > 0) return this.releaseGate().then(() => this.flush());
    const statements = this.runs.take();
    if (statements.length === 0) return undefined;
    const sendNow = (): void => {
      this.pipe.start(statements, [], this.counters, !this.begun);
      this.begun = true;
    };
    if (this.pipe.idle) {
      sendNow();
      return undefined;
    }
    return this.pipe.settle().then(sendNow);
  }

  /** The held changes, decided by their filters, into runs. */
  private async releaseGate(): Promise<void> {
    if (this.gate.size === 0) return;
    for (const released of await this.gate.release()) {
      if (released.kind === 'barrier') this.runs.barrier(released.statement);
      else this.runs.add(this.sqlFor(released.table.plan), released.change);
    }
  }

  private ensureOpen(): void {
    if (this.open) return;
    this.open = true;
    this.batch.started = performance.now();
  }

  private tableFor(relation: RelationMessage): TableChanges | null {
    const key = this.options.ownerOf(relation.schema, relation.name);
    const plan = key === undefined ? undefined : this.tables.get(key);
    // A table of the publication that this twin does not select.
    if (plan === undefined) return null;
    return new TableChanges(plan, relation, this.options.masks.get(plan.key) ?? new Map(), this.options.strict);
  }

  private sqlFor(plan: TablePlan): TableSql {
    let sql = this.sql.get(plan.key);
    if (sql === undefined) {
      if (this.facts === undefined) throw new Error('Applier.prepare() was not called');
      sql = new TableSql(plan, this.facts);
      this.sql.set(plan.key, sql);
    }
    return sql;
  }

  private applyRow(message: Extract<PgoutputMessage, { tag: 'insert' | 'update' | 'delete' }>): Promise<void> | undefined {
    const table = this.relations.get(message.relationOid);
    if (table === undefined) throw new Error(`change for relation ${message.relationOid} before its relation message`);
    if (table === null) return undefined;
    this.ensureOpen();
    const c = countersOf(this.counters, table.plan.key);
    this.batch.changes++;
    const old = message.tag === 'insert' ? undefined : (message.keyTuple ?? message.oldTuple);
    if (message.tag !== 'insert' && !table.hasKey && old === undefined) {
      // No key on the twin and no old row from the source (REPLICA IDENTITY DEFAULT or NOTHING): the row cannot be found.
      c.missing++;
      this.options.warn(
        `${table.plan.key}: ${message.tag} without a key or the old row (set REPLICA IDENTITY FULL on the source); not applied`,
      );
      return undefined;
    }
    if (message.tag === 'insert') c.inserts++;
    else if (message.tag === 'update') c.updates++;
    else c.deletes++;
    if (message.tag === 'delete' && old === undefined) return undefined;
    if (this.gate.holds(table)) {
      if (message.tag === 'insert') this.gate.hold({ kind: 'insert', table, raw: table.planOrdered(message.newTuple) });
      else if (message.tag === 'update')
        this.gate.hold({
          kind: 'update',
          table,
          raw: table.planOrdered(message.newTuple),
          rawOld: old === undefined ? undefined : table.planOrdered(old),
        });
      else if (old !== undefined) this.gate.hold({ kind: 'delete', table, rawOld: table.planOrdered(old) });
      return this.gate.size >= MAX_FLUSH_CHANGES || this.gate.pendingBytes >= MAX_FLUSH_BYTES ? this.flush() : undefined;
    }
    let change: RowChange;
    if (message.tag === 'insert') change = table.insert(message.newTuple);
    else if (message.tag === 'update') change = table.update(message.newTuple, old);
    else if (old !== undefined) change = table.delete(old);
    else return undefined;
    this.runs.add(this.sqlFor(table.plan), change);
    if (this.runs.pendingChanges >= MAX_FLUSH_CHANGES || this.runs.pendingBytes >= MAX_FLUSH_BYTES) return this.flush();
    return undefined;
  }

  private truncate(relationOids: readonly number[]): void {
    const targets = relationOids
      .map((oid) => this.relations.get(oid))
      .filter((t): t is TableChanges => t !== undefined && t !== null)
      .map((t) => t.plan);
    if (targets.length === 0) return;
    this.ensureOpen();
    this.batch.changes++;
    for (const t of targets) countersOf(this.counters, t.key).truncates++;
    const statement: Statement = {
      sql: `TRUNCATE ${targets.map((t) => (t.target.kind === 'table' ? 'ONLY ' : '') + quoteQualified(t.target)).join(', ')}`,
      expected: 0,
      table: targets[0]?.key ?? '',
      op: 'truncate',
    };
    // Behind changes that wait for their filter, it waits too.
    if (this.gate.size > 0) this.gate.hold({ kind: 'barrier', statement });
    else this.runs.barrier(statement);
  }
}
