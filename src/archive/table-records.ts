/**
 * The change records of one source relation (docs/archive-format.md): its
 * columns mapped onto the plan's and masked by TableChanges, the very code
 * and compiled masks follow applies with, so a value in the archive is
 * byte for byte what follow and sync write for it. The source's own
 * description of each change is kept: the replica identity's key when the
 * source sent it, the whole old row under REPLICA IDENTITY FULL, and the
 * columns whose TOASTed value did not change.
 */
import { TableChanges } from '../apply/table-changes.js';
import type { NewValue } from '../apply/table-sql.js';
import type { ColumnMask } from '../mask/mask-transform.js';
import type { TablePlan } from '../plan/plan.js';
import { UNCHANGED_TOAST, type RelationMessage, type TupleValue } from '../stream/pgoutput.js';
import type { ColumnDef, DeleteRecord, InsertRecord, RowValues, UpdateRecord } from './change-records.js';

export class TableRecords {
  private readonly changes: TableChanges;
  /** Plan column indexes the relation sends (a replayed older shape may lack some). */
  private readonly sent: readonly number[];
  /** Plan column indexes of the replica identity. */
  private readonly identity: readonly number[];
  private readonly names: readonly string[];
  /** The table's columns as this relation sends them, with the source's types. */
  readonly columns: readonly ColumnDef[];

  constructor(
    readonly plan: TablePlan,
    relation: RelationMessage,
    masks: ReadonlyMap<number, ColumnMask>,
    strict: boolean,
  ) {
    this.changes = new TableChanges(plan, relation, masks, strict, true);
    const sentNames = new Set(relation.columns.map((c) => c.name));
    const keyNames = new Set(relation.columns.filter((c) => c.isKey).map((c) => c.name));
    this.names = plan.columns;
    this.sent = plan.columns.flatMap((name, i) => (sentNames.has(name) ? [i] : []));
    this.identity = plan.columns.flatMap((name, i) => (keyNames.has(name) ? [i] : []));
    const types = new Map(plan.source.columns.map((c) => [c.name, c.type]));
    this.columns = this.sent.map((i) => {
      const name = plan.columns[i] ?? '';
      return { name, type: types.get(name) ?? 'text' };
    });
  }

  insert(tuple: readonly TupleValue[]): InsertRecord {
    const values = this.changes.masked(this.changes.planOrdered(tuple));
    return { t: 'insert', ...this.tableName(), new: this.row(values, this.sent) };
  }

  update(tuple: readonly TupleValue[], key: readonly TupleValue[] | undefined, old: readonly TupleValue[] | undefined): UpdateRecord {
    const values = this.changes.masked(this.changes.planOrdered(tuple));
    const unchanged = this.sent.filter((i) => values[i] === UNCHANGED_TOAST).map((i) => this.names[i] ?? '');
    return {
      t: 'update',
      ...this.tableName(),
      ...(key === undefined ? {} : { key: this.keyRow(key) }),
      ...(old === undefined ? {} : { old: this.row(this.changes.masked(this.changes.planOrdered(old)), this.sent) }),
      new: this.row(values, this.sent),
      ...(unchanged.length === 0 ? {} : { unchanged }),
    };
  }

  /** Undefined when the source sent neither a key nor the old row (REPLICA IDENTITY NOTHING): nothing names the row. */
  delete(key: readonly TupleValue[] | undefined, old: readonly TupleValue[] | undefined): DeleteRecord | undefined {
    if (old !== undefined)
      return { t: 'delete', ...this.tableName(), old: this.row(this.changes.masked(this.changes.planOrdered(old)), this.sent) };
    if (key !== undefined) return { t: 'delete', ...this.tableName(), key: this.keyRow(key) };
    return undefined;
  }

  private tableName(): { schema: string; table: string } {
    return { schema: this.plan.source.schema, table: this.plan.source.name };
  }

  /** The replica identity's values, masked as follow masks a key (only those columns, reading the key tuple). */
  private keyRow(key: readonly TupleValue[]): RowValues {
    return this.row(this.changes.masked(this.changes.planOrdered(key), this.identity), this.identity);
  }

  /** Column name -> value of these columns; an unchanged TOASTed value is left out (named in `unchanged`). */
  private row(values: readonly NewValue[], columns: readonly number[]): RowValues {
    const row: Record<string, string | null> = Object.create(null) as Record<string, string | null>;
    for (const i of columns) {
      const value = values[i];
      if (value === UNCHANGED_TOAST || value === undefined) continue;
      row[this.names[i] ?? ''] = value;
    }
    return row;
  }
}

/** The same columns, in the same order, with the same types. */
export function sameColumns(a: readonly ColumnDef[], b: readonly ColumnDef[]): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i]?.name && c.type === b[i]?.type);
}
