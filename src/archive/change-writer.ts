/**
 * Capture's sink for the stream loop (src/stream/change-sink.ts): decoded
 * source transactions become masked change records (src/archive/table-records.ts)
 * in a gzip spool file, and a file is closed with its trailer and put into
 * the store when the loop commits: when it is old enough, big enough, or the
 * capture stops. Only once the store has the file (durable and verified) does
 * its pending commit resolve with the end of its last commit, so the slot is
 * never acknowledged past a file that could still be lost.
 *
 * A file holds whole transactions; a transaction far larger than a file goes
 * through the spool file's gzip stream, never whole in memory. Transactions
 * at or below the last one archived (the slot resends them after a restart)
 * are skipped, and so are transactions with no change to a selected table.
 * A relation that brings a column the plan does not know stops the capture
 * before any of its values is written: strict mode holds at the source.
 *
 * Sequences are not in the change stream: when a file closes, their values
 * are read from the source and written as `sequence` records at the end of
 * its last transaction, before that transaction's commit record (which is
 * held back until the file either closes or takes another transaction).
 * Inside a transaction is where every reader of format 1 accepts them.
 */
import { rm } from 'node:fs/promises';
import type { ColumnMask } from '../mask/mask-transform.js';
import type { TablePlan } from '../plan/plan.js';
import type { ArchiveStore } from '../store/store.js';
import type { ChangeSink, CommittedBatch, PendingCommit } from '../stream/change-sink.js';
import { FollowError } from '../stream/follow-errors.js';
import { formatLsn, type Lsn } from '../stream/lsn.js';
import type { PgoutputMessage, RelationMessage } from '../stream/pgoutput.js';
import { messageOf } from '../errors.js';
import { CHANGES_FORMAT, CHANGES_VERSION, encodeRecord, type ChangeRecord, type ColumnDef } from './change-records.js';
import type { ChainEnd } from './chain-end.js';
import { commitTimeText } from './commit-time.js';
import { ArchiveError } from './errors.js';
import { changeFileName } from './layout.js';
import type { BaseSequence } from './manifest.js';
import { SpoolWriter } from './spool-file.js';
import { sameColumns, TableRecords } from './table-records.js';

/** Files closed but not yet in the store: a slow store makes the stream wait rather than fill the disk. */
const MAX_FILES_IN_FLIGHT = 2;

export interface ChangeWriterOptions {
  readonly store: ArchiveStore;
  readonly archiveId: string;
  /** Where spool files are written before they are put. */
  readonly spoolDir: string;
  /** table key -> plan */
  readonly tables: ReadonlyMap<string, TablePlan>;
  /** Source table -> the selected table holding its rows. */
  readonly ownerOf: (schema: string, name: string) => string | undefined;
  readonly masks: ReadonlyMap<string, ReadonlyMap<number, ColumnMask>>;
  readonly strict: boolean;
  readonly warn: (message: string) => void;
  /** Each table's columns as the archive last declared them (its base's): a relation that differs gets a schema record first. */
  readonly declared: ReadonlyMap<string, readonly ColumnDef[]>;
  readonly chain: ChainEnd;
  /** Source transactions committing at or below this are in the archive already (a change file, or the base). */
  readonly archivedLsn: Lsn;
  /** A file is closed at the first source commit once it holds this many bytes (before compression). */
  readonly maxFileBytes: number;
  /** Called once each file is in the store. */
  readonly onFile?: (file: ArchivedFile) => void;
  /** The source's sequence values now, read as each file closes (none written when absent or empty). */
  readonly sequences?: () => Promise<readonly BaseSequence[]>;
}

export interface ArchivedFile extends CommittedBatch {
  readonly name: string;
  /** Bytes of JSON lines before compression, and as stored. */
  readonly bytes: number;
  readonly size: number;
}

/** The file being written. */
interface OpenFile {
  readonly spool: SpoolWriter;
  readonly seq: number;
  readonly firstLsn: Lsn;
  readonly opened: number;
  transactions: number;
  changes: number;
  lastLsn: Lsn;
  endLsn: Lsn;
  /** The commit record of its last transaction, written when the file closes (after the sequences) or takes another transaction. */
  heldCommit: ChangeRecord | undefined;
}

/** The source transaction being read. */
interface OpenTransaction {
  readonly finalLsn: Lsn;
  readonly time: bigint;
  readonly xid: number;
  readonly skipped: boolean;
  /** Its begin record is written (with its first change: a transaction with none is left out). */
  written: boolean;
  changes: number;
}

export class ChangeWriter implements ChangeSink {
  private readonly relations = new Map<number, TableRecords | null>();
  private readonly declared: Map<string, readonly ColumnDef[]>;
  private file: OpenFile | undefined;
  private transaction: OpenTransaction | undefined;
  private nextSeq: number;
  private prev: ChainEnd['prev'];
  /** Puts in order: each file after the one before it. */
  private puts: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private failure: unknown;
  private archived: Lsn;
  readonly totals = { transactions: 0, changes: 0, skipped: 0, files: 0, bytes: 0, size: 0 };

  constructor(private readonly options: ChangeWriterOptions) {
    this.declared = new Map(options.declared);
    this.nextSeq = options.chain.nextSeq;
    this.prev = options.chain.prev;
    this.archived = options.archivedLsn;
  }

  async prepare(): Promise<void> {
    // Nothing to read: the chain's end and the declared columns came with the options.
  }

  get midTransaction(): boolean {
    return this.transaction !== undefined;
  }

  get pendingTransactions(): number {
    return this.file?.transactions ?? 0;
  }

  get pendingChanges(): number {
    return this.file?.changes ?? 0;
  }

  get committing(): boolean {
    return this.inFlight > 0;
  }

  get batchAgeMs(): number {
    return this.file === undefined || this.file.transactions === 0 ? 0 : performance.now() - this.file.opened;
  }

  get batchFull(): boolean {
    return this.file !== undefined && this.file.spool.bytes >= this.options.maxFileBytes;
  }

  /** Commit LSN of the last transaction in a stored file (or, before the first, the one the archive held at start). */
  get lastArchivedLsn(): Lsn {
    return this.archived;
  }

  handle(message: PgoutputMessage): Promise<void> | undefined {
    switch (message.tag) {
      case 'begin': {
        const skipped = message.finalLsn <= this.options.archivedLsn || (this.file !== undefined && message.finalLsn <= this.file.lastLsn);
        if (skipped) this.totals.skipped++;
        this.transaction = { finalLsn: message.finalLsn, time: message.commitTime, xid: message.xid, skipped, written: false, changes: 0 };
        return undefined;
      }
      case 'commit':
        return this.endTransaction(message.commitLsn, message.endLsn, message.commitTime);
      case 'relation':
        this.relations.set(message.relationOid, this.tableFor(message));
        return undefined;
      case 'insert':
        return this.change(message.relationOid, (t) => t.insert(message.newTuple));
      case 'update':
        return this.change(message.relationOid, (t) => t.update(message.newTuple, message.keyTuple, message.oldTuple));
      case 'delete':
        return this.change(message.relationOid, (t) => {
          const record = t.delete(message.keyTuple, message.oldTuple);
          if (record === undefined)
            this.options.warn(`${t.plan.key}: delete without a key or the old row (set REPLICA IDENTITY FULL on the source); not archived`);
          return record;
        });
      case 'truncate': {
        const tables = message.relationOids
          .map((oid) => this.relations.get(oid))
          .filter((t): t is TableRecords => t !== undefined && t !== null)
          .map((t) => ({ schema: t.plan.source.schema, table: t.plan.source.name }));
        const transaction = this.transaction;
        if (tables.length === 0 || transaction?.skipped !== false) return undefined;
        // A change like any other: the reader counts it against the trailer.
        transaction.changes++;
        return this.write({ t: 'truncate', tables, cascade: message.cascade, restart_identity: message.restartIdentity });
      }
      default:
        // origin, type, message: nothing to archive.
        return undefined;
    }
  }

  /**
   * Closes the file with its trailer and puts it into the store, without
   * waiting for the put: the next file is written meanwhile. The pending
   * commit resolves once the store has it.
   */
  async commit(): Promise<PendingCommit | undefined> {
    const file = this.file;
    if (file === undefined || this.transaction !== undefined || file.transactions === 0) return undefined;
    this.file = undefined;
    if (this.inFlight >= MAX_FILES_IN_FLIGHT) await this.puts.catch(() => undefined);
    await this.endLastTransaction(file);
    const digest = await file.spool.contentDigest();
    const trailer: ChangeRecord = {
      t: 'trailer',
      transactions: file.transactions,
      changes: file.changes,
      first_lsn: formatLsn(file.firstLsn),
      last_lsn: formatLsn(file.lastLsn),
      end_lsn: formatLsn(file.endLsn),
      digest,
    };
    const name = changeFileName(file.seq, file.firstLsn);
    this.prev = { name, digest: trailer.digest };
    this.inFlight++;
    const before = this.puts;
    const stored = (async (): Promise<CommittedBatch> => {
      try {
        await file.spool.write(encodeRecord(trailer));
        const spooled = await file.spool.finish();
        // In chain order: a file is stored only after the one it names as its predecessor.
        await before;
        if (this.failure !== undefined) throw this.failure;
        await this.options.store.put(name, spooled);
        const archived: ArchivedFile = {
          name,
          transactions: file.transactions,
          changes: file.changes,
          flushLsn: file.endLsn,
          lastCommitLsn: file.lastLsn,
          bytes: spooled.bytes,
          size: spooled.size,
        };
        this.count(archived);
        this.options.onFile?.(archived);
        return archived;
      } finally {
        this.inFlight--;
        await rm(file.spool.path, { force: true });
      }
    })();
    this.puts = stored.catch((error: unknown) => {
      this.failure ??= error;
    });
    return { committed: stored };
  }

  async drain(): Promise<void> {
    await this.puts;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Drops the file being written: its transactions come again from the slot after a restart. */
  async rollback(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    this.transaction = undefined;
    await file?.spool.discard();
    await this.puts;
  }

  private count(file: ArchivedFile): void {
    const { totals } = this;
    this.archived = file.lastCommitLsn;
    totals.transactions += file.transactions;
    totals.changes += file.changes;
    totals.files++;
    totals.bytes += file.bytes;
    totals.size += file.size;
  }

  private tableFor(relation: RelationMessage): TableRecords | null {
    const key = this.options.ownerOf(relation.schema, relation.name);
    const plan = key === undefined ? undefined : this.options.tables.get(key);
    if (plan === undefined) return null;
    try {
      return new TableRecords(plan, relation, this.options.masks.get(plan.key) ?? new Map(), this.options.strict);
    } catch (error) {
      if (error instanceof FollowError && error.code === 'SCHEMA_DRIFT') throw driftError(error);
      throw error;
    }
  }

  /** One row change: the file and the transaction's begin first, and the table's columns when the archive declared others. */
  private change(relationOid: number, record: (table: TableRecords) => ChangeRecord | undefined): Promise<void> | undefined {
    const table = this.relations.get(relationOid);
    if (table === undefined) throw new Error(`change for relation ${relationOid} before its relation message`);
    const transaction = this.transaction;
    if (table === null || transaction === undefined || transaction.skipped) return undefined;
    const built = record(table);
    if (built === undefined) return undefined;
    const waits: Promise<void>[] = [];
    const declared = this.declared.get(table.plan.key);
    if (declared === undefined || !sameColumns(declared, table.columns)) {
      const step = this.write({ t: 'schema', schema: table.plan.source.schema, table: table.plan.source.name, columns: table.columns });
      if (step !== undefined) waits.push(step);
      this.declared.set(table.plan.key, table.columns);
    }
    const step = this.write(built);
    if (step !== undefined) waits.push(step);
    transaction.changes++;
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  }

  private endTransaction(commitLsn: Lsn, endLsn: Lsn, time: bigint): Promise<void> | undefined {
    const transaction = this.transaction;
    this.transaction = undefined;
    const file = this.file;
    if (transaction === undefined || !transaction.written || file === undefined) return undefined;
    file.heldCommit = { t: 'commit', lsn: formatLsn(commitLsn), end_lsn: formatLsn(endLsn), time: commitTimeText(time) };
    file.transactions++;
    file.changes += transaction.changes;
    file.lastLsn = commitLsn;
    file.endLsn = endLsn;
    return undefined;
  }

  /**
   * The file's last transaction ends with the sequences' values and its held
   * commit. A failed read costs the values of this file only, never the file:
   * the next file carries them again.
   */
  private async endLastTransaction(file: OpenFile): Promise<void> {
    const commit = file.heldCommit;
    if (commit === undefined) return;
    file.heldCommit = undefined;
    let values: readonly BaseSequence[] = [];
    try {
      values = (await this.options.sequences?.()) ?? [];
    } catch (error) {
      this.options.warn(`sequence values not recorded in this change file: ${messageOf(error)}`);
    }
    for (const v of values) await this.emit(file, { t: 'sequence', schema: v.schema, name: v.name, value: v.value, is_called: v.isCalled });
    await this.emit(file, commit);
  }

  /** A record of the open transaction, its file and begin record written first. */
  private write(record: ChangeRecord): Promise<void> | undefined {
    const transaction = this.transaction;
    if (transaction === undefined) throw new Error(`${record.t} record outside a source transaction`);
    const waits: Promise<void>[] = [];
    if (!transaction.written) {
      const file = (this.file ??= this.openFile(transaction.finalLsn));
      const held = file.heldCommit;
      file.heldCommit = undefined;
      const previous = held === undefined ? undefined : this.emit(file, held);
      if (previous !== undefined) waits.push(previous);
      const begin = this.emit(file, {
        t: 'begin',
        lsn: formatLsn(transaction.finalLsn),
        time: commitTimeText(transaction.time),
        xid: transaction.xid,
      });
      if (begin !== undefined) waits.push(begin);
      transaction.written = true;
    }
    const file = this.file;
    if (file === undefined) throw new Error('no open change file');
    const step = this.emit(file, record);
    if (step !== undefined) waits.push(step);
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  }

  private openFile(firstLsn: Lsn): OpenFile {
    const seq = this.nextSeq++;
    const file: OpenFile = {
      spool: SpoolWriter.create(this.options.spoolDir, `changes-${seq}`, { contentDigest: true }),
      seq,
      firstLsn,
      opened: performance.now(),
      transactions: 0,
      changes: 0,
      lastLsn: 0n,
      endLsn: 0n,
      heldCommit: undefined,
    };
    // The first write into an empty gzip stream never has to wait.
    void this.emit(file, {
      t: 'header',
      format: CHANGES_FORMAT,
      version: CHANGES_VERSION,
      archive: this.options.archiveId,
      seq,
      prev: this.prev,
    });
    return file;
  }

  private emit(file: OpenFile, record: ChangeRecord): Promise<void> | undefined {
    return file.spool.write(encodeRecord(record));
  }
}

function driftError(error: FollowError): ArchiveError {
  return new ArchiveError('SCHEMA_DRIFT', `${error.message} Capture stopped before writing any value of it.`, {
    category: 'schema',
    details: error.details,
    cause: error,
    nextStep:
      "Give each new column a rule or a keep: entry in pgtwin.yaml (pgtwin scan suggests them), then start capture again: it resumes after the last archived transaction and records the table's new columns in the archive before its next changes.",
  });
}
