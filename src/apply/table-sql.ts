/**
 * The SQL that changes one twin table: statements for one row (a moved key,
 * a table without a key, a run of one) and for many rows of the same kind
 * (an upsert of many rows, an UPDATE or DELETE joined to a VALUES list).
 * Values are written in as literals, so many statements travel in one
 * simple-query round trip. Nothing here decides which rows may share a
 * statement: src/apply/change-runs.ts does.
 */
import type { TablePlan } from '../plan/plan.js';
import { quoteIdent, quoteLiteral, quoteQualified } from '../pg/ident.js';
import { UNCHANGED_TOAST } from '../stream/pgoutput.js';
import type { TwinFacts } from './twin-facts.js';

/** A plan-ordered column value: text as PostgreSQL printed it, or NULL. */
export type Value = string | null;
/** ... or, in a new row, a TOASTed value the source did not resend (the twin keeps its own). */
export type NewValue = Value | typeof UNCHANGED_TOAST;

/** A value as a literal; most values need no escaping, and this is the applier's innermost loop. */
export function literal(value: Value): string {
  if (value === null) return 'NULL';
  return value.indexOf("'") < 0 && value.indexOf('\\') < 0 ? "'" + value + "'" : quoteLiteral(value);
}

function tuple(values: readonly Value[]): string {
  let text = '(';
  for (let i = 0; i < values.length; i++) text += (i === 0 ? '' : ', ') + literal(values[i] ?? null);
  return text + ')';
}

export class TableSql {
  /** Target key columns (plan column indexes): the primary key, or none. */
  readonly keyColumns: readonly number[];
  /** Several rows may be deleted by one statement: there is a key, and the twin's types are known. */
  readonly multiRowDeletes: boolean;
  /** ... and updated by one statement (see TwinFacts.rowOrderedUpdates). */
  readonly multiRowUpdates: boolean;
  private readonly target: string;
  private readonly columns: readonly string[];
  /** Per plan column, the type that types a VALUES column (no modifier). */
  private readonly types: readonly string[];
  private readonly insertHead: string;
  private readonly overriding: string;
  /** INSERT or UPDATE rules on the twin: PostgreSQL refuses ON CONFLICT there (see TwinFacts.withRules). */
  private readonly withoutOnConflict: boolean;
  /** `present` columns (joined) -> the ON CONFLICT clause that sets them. */
  private readonly conflictTails = new Map<string, string>();
  /** UPDATE shape (the columns whose TOASTed value did not change) -> the other non-key columns. */
  private readonly present = new Map<string, readonly number[]>();
  /** Per plan column: false for a GENERATED ALWAYS identity column, which no UPDATE may set (its source value never changes but by a key move). */
  private readonly settable: readonly boolean[];

  constructor(
    readonly plan: TablePlan,
    facts: TwinFacts,
  ) {
    const keyNames = plan.target.primaryKey;
    const key = keyNames.map((name) => plan.columns.indexOf(name));
    this.keyColumns = key.length > 0 && key.every((i) => i >= 0) ? key : [];
    this.target = quoteQualified(plan.target);
    this.columns = plan.columns.map(quoteIdent);
    const types = facts.columnTypes.get(plan.key);
    this.types = plan.columns.map((name) => types?.get(name) ?? '');
    this.multiRowDeletes = this.keyColumns.length > 0 && this.types.every((t) => t !== '');
    this.multiRowUpdates = this.multiRowDeletes && !facts.rowOrderedUpdates.has(plan.key);
    const always = facts.identityAlways.get(plan.key) ?? new Set<string>();
    this.settable = plan.columns.map((name) => !always.has(name));
    this.withoutOnConflict = this.keyColumns.length > 0 && facts.withRules.has(plan.key);
    this.overriding = this.settable.every((s) => s) ? '' : ' OVERRIDING SYSTEM VALUE';
    this.insertHead = `INSERT INTO ${this.target} (${this.columns.join(', ')})${this.overriding} VALUES `;
  }

  get key(): string {
    return this.plan.key;
  }

  get hasKey(): boolean {
    return this.keyColumns.length > 0;
  }

  /**
   * INSERT of the rows in their order (an INSERT's VALUES are inserted in the
   * order written), as an upsert when there is a key: the twin may hold the row.
   */
  insert(rows: readonly (readonly Value[])[]): string[] {
    return this.upsert(rows, this.presentColumns(''));
  }

  /**
   * Inserts the rows (distinct keys); a row whose key the twin holds gets
   * only the `present` columns set instead. One `INSERT ... ON CONFLICT`,
   * or, on a table with rules, the same effect in two statements: an UPDATE
   * of the rows the twin holds, then an INSERT of those it does not.
   */
  upsert(rows: readonly (readonly Value[])[], present: readonly number[]): string[] {
    if (!this.withoutOnConflict) {
      let text = this.insertHead;
      for (let r = 0; r < rows.length; r++) text += (r === 0 ? '' : ', ') + tuple(rows[r] ?? []);
      return [text + this.conflictTail(present)];
    }
    const statements: string[] = [];
    if (present.length > 0)
      statements.push(
        this.updateMany(
          present,
          rows.map((values) => ({ key: this.keyColumns.map((c) => values[c] ?? null), values })),
        ),
      );
    const all = this.columns.map((_, i) => i);
    const absent = this.keyColumns.map((c) => `x.${this.columns[c]} = v.${this.columns[c]}`).join(' AND ');
    statements.push(
      `INSERT INTO ${this.target} (${this.columns.join(', ')})${this.overriding} SELECT ${this.columns.map((c) => `v.${c}`).join(', ')} FROM ${this.valuesList(all, rows)} WHERE NOT EXISTS (SELECT 1 FROM ${this.target} AS x WHERE ${absent})`,
    );
    return statements;
  }

  private conflictTail(present: readonly number[]): string {
    if (this.keyColumns.length === 0) return '';
    const id = present.join(',');
    let tail = this.conflictTails.get(id);
    if (tail === undefined) {
      const sets = present.map((i) => `${this.columns[i]} = EXCLUDED.${this.columns[i]}`);
      tail = ` ON CONFLICT (${this.keyColumns.map((i) => this.columns[i]).join(', ')}) DO ${sets.length === 0 ? 'NOTHING' : `UPDATE SET ${sets.join(', ')}`}`;
      this.conflictTails.set(id, tail);
    }
    return tail;
  }

  /** The non-key columns an UPDATE of this shape sets (RowChange 'update' shape: the unchanged TOASTed columns). */
  presentColumns(shape: string): readonly number[] {
    let present = this.present.get(shape);
    if (present === undefined) {
      const unchanged = new Set(shape === '' ? [] : shape.split(',').map(Number));
      present = this.columns.map((_, i) => i).filter((i) => !unchanged.has(i) && !this.keyColumns.includes(i) && this.settable[i] === true);
      this.present.set(shape, present);
    }
    return present;
  }

  /** UPDATE of one row by its old key; columns whose TOASTed value did not change are left alone. */
  updateOne(values: readonly NewValue[], oldKey: readonly Value[]): string | undefined {
    if (this.keyColumns.some((c, k) => this.settable[c] !== true && values[c] !== oldKey[k])) return this.moveByReinsert(values, oldKey);
    const sets: string[] = [];
    values.forEach((value, i) => {
      if (value !== UNCHANGED_TOAST && this.settable[i] === true) sets.push(`${this.columns[i]} = ${literal(value)}`);
    });
    if (sets.length === 0) return undefined;
    return `UPDATE ${this.target} SET ${sets.join(', ')} WHERE ${this.keyWhere(oldKey)}`;
  }

  /**
   * UPDATE of rows with distinct, unchanged keys, setting the columns in
   * `present` (the same for every row) from a VALUES list joined on the key.
   */
  updateMany(
    present: readonly number[],
    rows: readonly { readonly key: readonly Value[]; readonly values: readonly NewValue[] }[],
  ): string {
    const list = this.valuesList(
      [...this.keyColumns, ...present],
      rows.map((r) => {
        const row = r.key.slice();
        for (const i of present) row.push(r.values[i] as Value);
        return row;
      }),
    );
    const sets = present.map((i) => `${this.columns[i]} = v.${this.columns[i]}`).join(', ');
    return `UPDATE ${this.target} AS t SET ${sets} FROM ${list} WHERE ${this.keyJoin()}`;
  }

  /**
   * A key that no UPDATE may set (GENERATED ALWAYS identity; the source moves
   * it with `SET id = DEFAULT`): the row is deleted and inserted again under
   * its new key in one statement, taking unchanged TOASTed values from the
   * deleted row. Reports one row, or none when the twin lacks it.
   */
  private moveByReinsert(values: readonly NewValue[], oldKey: readonly Value[]): string {
    const picks = values.map((value, i) => (value === UNCHANGED_TOAST ? `old.${this.columns[i]}` : literal(value)));
    return `WITH old AS (DELETE FROM ${this.target} WHERE ${this.keyWhere(oldKey)} RETURNING *) INSERT INTO ${this.target} (${this.columns.join(', ')}) OVERRIDING SYSTEM VALUE SELECT ${picks.join(', ')} FROM old`;
  }

  deleteOne(key: readonly Value[]): string {
    return `DELETE FROM ${this.target} WHERE ${this.keyWhere(key)}`;
  }

  /** DELETE of rows with distinct keys. */
  deleteMany(keys: readonly (readonly Value[])[]): string {
    return `DELETE FROM ${this.target} AS t USING ${this.valuesList(this.keyColumns, keys)} WHERE ${this.keyJoin()}`;
  }

  /** Without a key (REPLICA IDENTITY FULL): the first row equal to the old one. */
  updateByRow(values: readonly NewValue[], old: readonly NewValue[]): string | undefined {
    const sets: string[] = [];
    values.forEach((value, i) => {
      if (value !== UNCHANGED_TOAST && this.settable[i] === true) sets.push(`${this.columns[i]} = ${literal(value)}`);
    });
    const where = this.rowWhere(old);
    if (sets.length === 0 || where === undefined) return undefined;
    return `UPDATE ${this.target} SET ${sets.join(', ')} WHERE ${where}`;
  }

  deleteByRow(old: readonly NewValue[]): string | undefined {
    const where = this.rowWhere(old);
    return where === undefined ? undefined : `DELETE FROM ${this.target} WHERE ${where}`;
  }

  private keyWhere(key: readonly Value[]): string {
    return this.keyColumns.map((c, k) => `${this.columns[c]} = ${literal(key[k] ?? null)}`).join(' AND ');
  }

  private keyJoin(): string {
    return this.keyColumns.map((c) => `t.${this.columns[c]} = v.${this.columns[c]}`).join(' AND ');
  }

  /**
   * `(VALUES (...), ...) AS v(columns)`. Only the first row's literals are
   * cast: a VALUES column takes the type of its typed entries, and the
   * untyped literals below are read as that type directly.
   */
  private valuesList(columns: readonly number[], rows: readonly (readonly Value[])[]): string {
    let text = '(VALUES (';
    const first = rows[0] ?? [];
    for (let k = 0; k < columns.length; k++)
      text += (k === 0 ? '' : ', ') + literal(first[k] ?? null) + '::' + (this.types[columns[k] ?? -1] ?? 'text');
    text += ')';
    for (let r = 1; r < rows.length; r++) text += ', ' + tuple(rows[r] ?? []);
    return `${text}) AS v(${columns.map((c) => this.columns[c]).join(', ')})`;
  }

  private rowWhere(old: readonly NewValue[]): string | undefined {
    const parts: string[] = [];
    old.forEach((value, i) => {
      // An unchanged TOASTed value is not sent: it cannot help find the row.
      if (value !== UNCHANGED_TOAST) parts.push(`${this.columns[i]} IS NOT DISTINCT FROM ${literal(value)}`);
    });
    if (parts.length === 0) return undefined;
    return `ctid = (SELECT ctid FROM ${this.target} WHERE ${parts.join(' AND ')} LIMIT 1)`;
  }
}
