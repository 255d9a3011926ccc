/**
 * Applies decoded source transactions to the twin, in source commit order,
 * several source transactions per target transaction. The last applied
 * commit LSN is written to pgtwin.follow_state in the same target transaction
 * as the changes, so after any crash the twin knows exactly which source
 * transactions it holds: those at or below that LSN are skipped when
 * streamed again. Nothing is acknowledged to the source before it commits here.
 */
import type { Client } from '../pg/connect.js';
import { quoteQualified } from '../pg/ident.js';
import type { ColumnMask } from '../snapshot/mask-transform.js';
import type { TablePlan } from '../snapshot/plan.js';
import { formatLsn, type Lsn } from './lsn.js';
import type { PgoutputMessage, RelationMessage } from './pgoutput.js';
import { TableChanges, type Statement } from './table-changes.js';

/** A batch of statements per round trip: bounded, so a huge source transaction never piles up in memory. */
const MAX_QUEUED_STATEMENTS = 500;
const MAX_QUEUED_BYTES = 1024 * 1024;

export interface TableCounters {
  inserts: number;
  updates: number;
  deletes: number;
  truncates: number;
  /** UPDATE or DELETE of a row the twin does not have. */
  missing: number;
}

export interface ApplierOptions {
  readonly slot: string;
  /** table key -> plan */
  readonly tables: ReadonlyMap<string, TablePlan>;
  /** Source table key -> the selected table holding its rows (partitions -> root). */
  readonly ownerOf: (schema: string, name: string) => string | undefined;
  readonly masks: ReadonlyMap<string, ReadonlyMap<number, ColumnMask>>;
  readonly strict: boolean;
  readonly warn: (message: string) => void;
}

export interface CommittedBatch {
  readonly transactions: number;
  readonly changes: number;
  /** End of the last source commit applied: what the slot may be told is flushed. */
  readonly flushLsn: Lsn;
  readonly lastCommitLsn: Lsn;
}

export class Applier {
  private readonly relations = new Map<number, TableChanges | null>();
  private open = false;
  private inSourceTransaction = false;
  private skipping = false;
  private batch = { transactions: 0, changes: 0, first: undefined as Lsn | undefined, last: 0n, flush: 0n, commitTime: 0n, started: 0 };
  private counters = new Map<string, TableCounters>();
  /** Statements not sent yet: they go to the twin many at a time, one round trip for all. */
  private queued: { readonly sql: string; readonly expectsRow: boolean; readonly table: string; readonly op: string }[] = [];
  private queuedBytes = 0;
  /** Totals since start, for status lines. */
  readonly totals = { transactions: 0, changes: 0, skipped: 0 };

  constructor(
    private readonly target: Client,
    private readonly options: ApplierOptions,
    /** Source transactions at or below this commit LSN are already in the twin. */
    private appliedLsn: Lsn,
  ) {}

  get pendingTransactions(): number {
    return this.batch.transactions;
  }

  get pendingChanges(): number {
    return this.batch.changes;
  }

  get batchAgeMs(): number {
    return this.open ? performance.now() - this.batch.started : 0;
  }

  /** True between a source BEGIN and its COMMIT: nothing may be acknowledged or committed here. */
  get midTransaction(): boolean {
    return this.inSourceTransaction;
  }

  get lastAppliedLsn(): Lsn {
    return this.appliedLsn;
  }

  async handle(message: PgoutputMessage): Promise<void> {
    switch (message.tag) {
      case 'begin':
        this.inSourceTransaction = true;
        this.skipping = message.finalLsn <= this.appliedLsn;
        if (this.skipping) this.totals.skipped++;
        return;
      case 'commit':
        this.inSourceTransaction = false;
        if (this.skipping) {
          this.skipping = false;
          return;
        }
        await this.ensureOpen();
        this.batch.transactions++;
        this.batch.first ??= message.commitLsn;
        this.batch.last = message.commitLsn;
        this.batch.flush = message.endLsn;
        this.batch.commitTime = message.commitTime;
        return;
      case 'relation':
        this.relations.set(message.relationOid, this.tableFor(message));
        return;
      case 'insert':
      case 'update':
      case 'delete':
        if (this.skipping) return;
        await this.applyRow(message);
        return;
      case 'truncate':
        if (this.skipping) return;
        await this.truncate(message.relationOids);
        return;
      default:
        // origin, type, message: nothing to apply.
        return;
    }
  }

  /** Commits the batch with its position, audit row and counters; returns what was committed. */
  async commit(): Promise<CommittedBatch | undefined> {
    if (!this.open || this.inSourceTransaction) return undefined;
    await this.flush();
    const { transactions, changes, first, last, flush, commitTime } = this.batch;
    if (transactions > 0) {
      const tables = [...this.counters.keys()];
      await this.target.query(
        `UPDATE pgtwin.follow_state SET last_commit_lsn = $2::pg_lsn, last_commit_time = timestamptz '2000-01-01 00:00:00+00' + $3::bigint * interval '1 microsecond', applied_at = now(), status = 'streaming', error = NULL WHERE slot = $1`,
        [this.options.slot, formatLsn(last), commitTime.toString()],
      );
      await this.target.query(
        `INSERT INTO pgtwin.follow_audit (slot, first_commit_lsn, last_commit_lsn, transactions, changes, tables, status) VALUES ($1, $2::pg_lsn, $3::pg_lsn, $4, $5, $6, 'applied')`,
        [this.options.slot, formatLsn(first ?? last), formatLsn(last), transactions, changes, tables],
      );
      for (const [table, c] of this.counters) {
        await this.target.query(
          `INSERT INTO pgtwin.follow_metrics AS m (slot, period, table_name, inserts, updates, deletes, truncates, missing)
           VALUES ($1, date_trunc('minute', now()), $2, $3, $4, $5, $6, $7)
           ON CONFLICT (slot, period, table_name) DO UPDATE SET inserts = m.inserts + EXCLUDED.inserts, updates = m.updates + EXCLUDED.updates,
             deletes = m.deletes + EXCLUDED.deletes, truncates = m.truncates + EXCLUDED.truncates, missing = m.missing + EXCLUDED.missing`,
          [this.options.slot, table, c.inserts, c.updates, c.deletes, c.truncates, c.missing],
        );
      }
    }
    await this.target.query('COMMIT');
    this.open = false;
    if (transactions === 0) return undefined;
    this.appliedLsn = last;
    this.totals.transactions += transactions;
    this.totals.changes += changes;
    this.reset();
    return { transactions, changes, flushLsn: flush, lastCommitLsn: last };
  }

  /** Drops the uncommitted batch: the source sends those transactions again after a restart. */
  async rollback(): Promise<void> {
    if (this.open) await this.target.query('ROLLBACK').catch(() => undefined);
    this.open = false;
    this.inSourceTransaction = false;
    this.skipping = false;
    this.reset();
  }

  /** Sends the queued statements in one simple-query message; they run in order, in the open transaction. */
  private async flush(): Promise<void> {
    if (this.queued.length === 0) return;
    const queued = this.queued;
    this.queued = [];
    this.queuedBytes = 0;
    const result: unknown = await this.target.query(queued.map((q) => q.sql).join(';\n'));
    const results = (Array.isArray(result) ? result : [result]) as { rowCount: number | null }[];
    queued.forEach((q, i) => {
      if (!q.expectsRow || (results[i]?.rowCount ?? 1) > 0) return;
      this.count(q.table).missing++;
      this.options.warn(`${q.table}: ${q.op} of a row the twin does not have (counted in pgtwin.follow_metrics.missing)`);
    });
  }

  private async enqueue(statement: Statement, table: string, op: string): Promise<void> {
    this.queued.push({ ...statement, table, op });
    this.queuedBytes += statement.sql.length;
    if (this.queued.length >= MAX_QUEUED_STATEMENTS || this.queuedBytes >= MAX_QUEUED_BYTES) await this.flush();
  }

  private reset(): void {
    this.queued = [];
    this.queuedBytes = 0;
    this.batch = { transactions: 0, changes: 0, first: undefined, last: 0n, flush: 0n, commitTime: 0n, started: 0 };
    this.counters = new Map();
  }

  private async ensureOpen(): Promise<void> {
    if (this.open) return;
    await this.target.query('BEGIN');
    this.open = true;
    this.batch.started = performance.now();
  }

  private tableFor(relation: RelationMessage): TableChanges | null {
    const key = this.options.ownerOf(relation.schema, relation.name);
    const plan = key === undefined ? undefined : this.options.tables.get(key);
    // A table of the publication that this twin does not select.
    if (plan === undefined) return null;
    return new TableChanges(plan, relation, this.options.masks.get(plan.key) ?? new Map(), this.options.strict);
  }

  private count(table: string): TableCounters {
    let c = this.counters.get(table);
    if (c === undefined) {
      c = { inserts: 0, updates: 0, deletes: 0, truncates: 0, missing: 0 };
      this.counters.set(table, c);
    }
    return c;
  }

  private async applyRow(message: Extract<PgoutputMessage, { tag: 'insert' | 'update' | 'delete' }>): Promise<void> {
    const table = this.relations.get(message.relationOid);
    if (table === undefined) throw new Error(`change for relation ${message.relationOid} before its relation message`);
    if (table === null) return;
    await this.ensureOpen();
    const c = this.count(table.plan.key);
    this.batch.changes++;
    let statement: Statement | undefined;
    if (message.tag === 'insert') {
      c.inserts++;
      await this.enqueue(table.insert(message.newTuple), table.plan.key, 'insert');
      return;
    }
    const old = message.keyTuple ?? message.oldTuple;
    if (!table.hasKey && old === undefined) {
      // No key on the twin and no old row from the source (REPLICA IDENTITY DEFAULT or NOTHING): the row cannot be found.
      c.missing++;
      this.options.warn(`${table.plan.key}: ${message.tag} without a key or the old row (set REPLICA IDENTITY FULL on the source); not applied`);
      return;
    }
    if (message.tag === 'update') {
      c.updates++;
      statement = table.update(message.newTuple, old);
    } else {
      c.deletes++;
      statement = old === undefined ? undefined : table.delete(old);
    }
    if (statement === undefined) return;
    await this.enqueue(statement, table.plan.key, message.tag);
  }

  private async truncate(relationOids: readonly number[]): Promise<void> {
    const targets = relationOids
      .map((oid) => this.relations.get(oid))
      .filter((t): t is TableChanges => t !== undefined && t !== null)
      .map((t) => t.plan);
    if (targets.length === 0) return;
    await this.ensureOpen();
    this.batch.changes++;
    for (const t of targets) this.count(t.key).truncates++;
    await this.flush();
    await this.target.query(`TRUNCATE ${targets.map((t) => (t.target.kind === 'table' ? 'ONLY ' : '') + quoteQualified(t.target)).join(', ')}`);
  }
}
