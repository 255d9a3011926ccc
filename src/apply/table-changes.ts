/**
 * How the changes of one source relation become row changes for the twin:
 * the relation's columns mapped onto the plan's copied columns, values masked
 * by the same compiled masks as the snapshot, and each change classified by
 * how the twin finds its row (by an unchanged key, by a key that moved, by the
 * whole old row when there is no key). A relation whose columns are not the
 * ones the plan was made for is schema drift: applying it would guess, so it
 * stops.
 */
import type { ColumnMask, RowView } from '../mask/mask-transform.js';
import type { TablePlan } from '../plan/plan.js';
import { FollowError } from '../stream/follow-errors.js';
import { UNCHANGED_TOAST, type RelationMessage, type TupleValue } from '../stream/pgoutput.js';
import type { NewValue, Value } from './table-sql.js';

/**
 * One change in plan column order, masked. `id` names the row (its key
 * values) so that a run of rows can tell when a key comes back; undefined
 * when the row cannot be named that way.
 */
export type RowChange =
  | { readonly kind: 'insert'; readonly values: readonly Value[]; readonly id: string | undefined }
  /** An UPDATE that keeps its key; `shape` lists the columns whose TOASTed value did not change. */
  | {
      readonly kind: 'update';
      readonly key: readonly Value[];
      readonly values: readonly NewValue[];
      readonly id: string | undefined;
      readonly shape: string;
      readonly absentOk?: boolean;
    }
  | { readonly kind: 'delete'; readonly key: readonly Value[]; readonly id: string | undefined; readonly absentOk?: boolean }
  /** An UPDATE that changes the key: the row moves. */
  | { readonly kind: 'move'; readonly oldKey: readonly Value[]; readonly values: readonly NewValue[]; readonly absentOk?: boolean }
  /** No key on the twin: the row is the first one equal to the old row (REPLICA IDENTITY FULL). */
  | { readonly kind: 'update-row'; readonly old: readonly NewValue[]; readonly values: readonly NewValue[]; readonly absentOk?: boolean }
  | { readonly kind: 'delete-row'; readonly old: readonly NewValue[]; readonly absentOk?: boolean };
/*
 * absentOk: the twin may lack the row and that is expected, not a warning: a
 * filtered table (src/apply/row-filter.ts) holds only some of the source's rows.
 */

/** Between key values: PostgreSQL text never holds a NUL, so joined keys cannot collide. */
const KEY_SEPARATOR = '\u0000';

export class TableChanges {
  /** For each plan column, its position in the relation's tuples. */
  private readonly positions: readonly number[];
  /** The relation sends exactly the plan's columns in the plan's order: a tuple is already plan-ordered. */
  private readonly inPlanOrder: boolean;
  /** Key columns (plan column indexes): the target's primary key, or none. */
  private readonly key: readonly number[];

  constructor(
    readonly plan: TablePlan,
    relation: RelationMessage,
    private readonly masks: ReadonlyMap<number, ColumnMask>,
    strict: boolean,
    /**
     * Columns of the plan that the relation does not send are no drift (the
     * archive writer: the slot replays a transaction from before a column was
     * added, and the file records the table's columns as they were).
     */
    goneAllowed = false,
  ) {
    const sent = relation.columns.map((c) => c.name);
    const expected = plan.source.columns.filter((c) => !c.generated).map((c) => c.name);
    const added = sent.filter((c) => !expected.includes(c));
    const removed = expected.filter((c) => !sent.includes(c));
    if (added.length > 0 || (removed.length > 0 && !goneAllowed)) {
      throw new FollowError('SCHEMA_DRIFT', `The source's ${plan.key} changed its columns since the twin was planned.`, {
        details: [
          ...added.map(
            (c) => `${plan.key}.${c}: new on the source${strict ? ' (and not reviewed: strict mode needs a rule or a keep: entry)' : ''}`,
          ),
          ...removed.map((c) => `${plan.key}.${c}: gone from the source`),
        ],
        nextStep:
          'Change the twin the same way (ALTER TABLE on the target, and a rule or keep: entry in pgtwin.yaml for a new column), then start follow again: it resumes from the last applied transaction.',
      });
    }
    this.positions = plan.columns.map((name) => sent.indexOf(name));
    this.inPlanOrder = sent.length === plan.columns.length && this.positions.every((p, i) => p === i);
    const key = plan.target.primaryKey.map((name) => plan.columns.indexOf(name));
    this.key = key.length > 0 && key.every((i) => i >= 0) ? key : [];
  }

  get hasKey(): boolean {
    return this.key.length > 0;
  }

  /** INSERT of an existing key becomes an upsert, as the twin may already hold the row. */
  insert(tuple: readonly TupleValue[]): RowChange {
    return this.insertRow(this.planOrdered(tuple));
  }

  /** `old`: the old key (sent when it changed) or the whole old row (REPLICA IDENTITY FULL). */
  update(newTuple: readonly TupleValue[], old: readonly TupleValue[] | undefined): RowChange {
    return this.updateRow(this.planOrdered(newTuple), old === undefined ? undefined : this.planOrdered(old));
  }

  delete(old: readonly TupleValue[]): RowChange {
    return this.deleteRow(this.planOrdered(old));
  }

  /**
   * The same from plan-ordered source values, not masked yet (planOrdered()):
   * for the row filter, which reads and completes them before they are masked.
   * `absentOk`: the twin may lack the row, and that is no warning.
   */
  insertRow(raw: readonly NewValue[]): RowChange {
    const values = this.masked(raw).map((v) => (v === UNCHANGED_TOAST ? null : v));
    return { kind: 'insert', values, id: this.hasKey ? this.idOf(this.keyOf(values)) : undefined };
  }

  updateRow(raw: readonly NewValue[], rawOld: readonly NewValue[] | undefined, absentOk = false): RowChange {
    const values = this.masked(raw);
    if (!this.hasKey) return { kind: 'update-row', old: rawOld === undefined ? values : this.masked(rawOld), values, ...quiet(absentOk) };
    const key = this.keyOf(values);
    const oldKey = rawOld === undefined ? key : this.keyOf(this.masked(rawOld, this.key));
    if (oldKey.some((v, k) => v !== key[k])) return { kind: 'move', oldKey, values, ...quiet(absentOk) };
    const change: RowChange = { kind: 'update', key, values, id: this.idOf(key), shape: shapeOf(values) };
    return absentOk ? { ...change, absentOk } : change;
  }

  deleteRow(rawOld: readonly NewValue[], absentOk = false): RowChange {
    if (!this.hasKey) return { kind: 'delete-row', old: this.masked(rawOld), ...quiet(absentOk) };
    const key = this.keyOf(this.masked(rawOld, this.key));
    const change: RowChange = { kind: 'delete', key, id: this.idOf(key) };
    return absentOk ? { ...change, absentOk } : change;
  }

  /** Source key values of plan-ordered, unmasked values (the filter finds the source's row by them). */
  sourceKeyOf(raw: readonly NewValue[]): Value[] {
    return this.keyOf(raw);
  }

  /** Key columns (plan column indexes). */
  get keyColumns(): readonly number[] {
    return this.key;
  }

  /** A tuple in plan column order, unmasked. Decoded tuples are fresh arrays, never reused: one already in plan order is not copied. */
  planOrdered(tuple: readonly TupleValue[]): NewValue[] {
    return this.inPlanOrder ? (tuple as NewValue[]) : this.positions.map((p) => (p < 0 ? null : (tuple[p] ?? null)));
  }

  /** Key values in key order; an unsent (TOASTed) key value finds no row, as NULL. */
  private keyOf(values: readonly NewValue[]): Value[] {
    return this.key.map((i) => {
      const v = values[i];
      return v === undefined || v === UNCHANGED_TOAST ? null : v;
    });
  }

  /** The row's name in a run; undefined with a NULL in the key (such a row runs alone). */
  private idOf(key: readonly Value[]): string | undefined {
    let id = '';
    for (let k = 0; k < key.length; k++) {
      const v = key[k];
      if (typeof v !== 'string') return undefined;
      id = k === 0 ? v : id + KEY_SEPARATOR + v;
    }
    return id;
  }

  /**
   * Plan-ordered values, masked like the snapshot (masks read the source row).
   * With `only`, just those columns are masked (the others are not needed).
   * The archive writer records these values.
   */
  masked(raw: readonly NewValue[], only?: readonly number[]): NewValue[] {
    if (this.masks.size === 0) return raw as NewValue[];
    const row: RowView = {
      field: (index) => {
        const value = raw[index];
        return value === UNCHANGED_TOAST || value === undefined ? null : value;
      },
    };
    return raw.map((value, i) => {
      const mask = this.masks.get(i);
      if (mask === undefined || value === UNCHANGED_TOAST || (only !== undefined && !only.includes(i))) return value;
      return mask(value, row);
    });
  }
}

/** Only when set: a change of an unfiltered table looks as it always did. */
const quiet = (absentOk: boolean): { absentOk?: true } => (absentOk ? { absentOk: true } : {});

/** The columns whose TOASTed value did not change, as "2,5" ('' for none: the common case, built without allocating). */
function shapeOf(values: readonly NewValue[]): string {
  let shape = '';
  for (let i = 0; i < values.length; i++) if (values[i] === UNCHANGED_TOAST) shape += shape === '' ? String(i) : `,${i}`;
  return shape;
}
