/**
 * How the changes of one source relation become statements on the twin: the
 * relation's columns mapped onto the plan's copied columns, values masked by
 * the same compiled masks as the snapshot, and the SQL of an upsert, an update
 * by key and a delete by key. A relation whose columns are not the ones the
 * plan was made for is schema drift: applying it would guess, so it stops.
 */
import type { ColumnMask, RowView } from '../snapshot/mask-transform.js';
import type { TablePlan } from '../snapshot/plan.js';
import { quoteIdent, quoteLiteral, quoteQualified } from '../pg/ident.js';
import { FollowError } from './follow-errors.js';
import { UNCHANGED_TOAST, type RelationMessage, type TupleValue } from './pgoutput.js';

/** One statement with its values written in as literals, so a batch of them travels in one round trip. */
export interface Statement {
  readonly sql: string;
  /** UPDATE and DELETE report a row the twin does not have. */
  readonly expectsRow: boolean;
}

const literal = (value: string | null): string => (value === null ? 'NULL' : quoteLiteral(value));

export class TableChanges {
  /** For each plan column, its position in the relation's tuples. */
  private readonly positions: readonly number[];
  /** Target key columns (plan column indexes): the primary key, or none. */
  private readonly key: readonly number[];
  private readonly target: string;
  private readonly insertPrefix: string;
  private readonly insertSuffix: string;

  constructor(
    readonly plan: TablePlan,
    relation: RelationMessage,
    private readonly masks: ReadonlyMap<number, ColumnMask>,
    strict: boolean,
  ) {
    const sent = relation.columns.map((c) => c.name);
    const expected = plan.source.columns.filter((c) => !c.generated).map((c) => c.name);
    const added = sent.filter((c) => !expected.includes(c));
    const removed = expected.filter((c) => !sent.includes(c));
    if (added.length > 0 || removed.length > 0) {
      throw new FollowError('SCHEMA_DRIFT', `The source's ${plan.key} changed its columns since the twin was planned.`, {
        details: [
          ...added.map((c) => `${plan.key}.${c}: new on the source${strict ? ' (and not reviewed: strict mode needs a rule or a keep: entry)' : ''}`),
          ...removed.map((c) => `${plan.key}.${c}: gone from the source`),
        ],
        nextStep: 'Change the twin the same way (ALTER TABLE on the target, and a rule or keep: entry in pgtwin.yaml for a new column), then start follow again: it resumes from the last applied transaction.',
      });
    }
    this.positions = plan.columns.map((name) => sent.indexOf(name));
    this.target = quoteQualified(plan.target);
    const keyNames = plan.target.primaryKey.length > 0 ? plan.target.primaryKey : [];
    this.key = keyNames.map((name) => plan.columns.indexOf(name)).filter((i) => i >= 0);
    if (this.key.length !== keyNames.length) this.key = [];
    const columns = plan.columns.map(quoteIdent);
    const conflict =
      this.key.length === 0
        ? ''
        : ` ON CONFLICT (${this.key.map((i) => quoteIdent(plan.columns[i] ?? '')).join(', ')}) DO ${
            plan.columns.length === this.key.length ? 'NOTHING' : `UPDATE SET ${plan.columns.filter((_, i) => !this.key.includes(i)).map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`).join(', ')}`
          }`;
    this.insertPrefix = `INSERT INTO ${this.target} (${columns.join(', ')}) VALUES (`;
    this.insertSuffix = `)${conflict}`;
  }

  get hasKey(): boolean {
    return this.key.length > 0;
  }

  /** INSERT of an existing key becomes an upsert, as the twin may already hold the row. */
  insert(tuple: readonly TupleValue[]): Statement {
    const values = this.masked(tuple).map((v) => literal(v === UNCHANGED_TOAST ? null : v));
    return { sql: `${this.insertPrefix}${values.join(', ')}${this.insertSuffix}`, expectsRow: false };
  }

  /**
   * UPDATE by the old key (a key change moves the row), or by the full old row
   * without a key; columns whose TOASTed value did not change are left alone.
   */
  update(newTuple: readonly TupleValue[], oldTuple: readonly TupleValue[] | undefined): Statement | undefined {
    const next = this.masked(newTuple);
    const sets: string[] = [];
    next.forEach((value, i) => {
      if (value === UNCHANGED_TOAST) return;
      sets.push(`${quoteIdent(this.plan.columns[i] ?? '')} = ${literal(value)}`);
    });
    if (sets.length === 0) return undefined;
    const where = this.where(oldTuple === undefined ? next : this.masked(oldTuple));
    if (where === undefined) return undefined;
    return { sql: `UPDATE ${this.target} SET ${sets.join(', ')} WHERE ${where}`, expectsRow: true };
  }

  delete(oldTuple: readonly TupleValue[]): Statement | undefined {
    const where = this.where(this.masked(oldTuple));
    if (where === undefined) return undefined;
    return { sql: `DELETE FROM ${this.target} WHERE ${where}`, expectsRow: true };
  }

  /** A WHERE naming one row: by key, or (no key, REPLICA IDENTITY FULL) the first row equal to the old one. */
  private where(old: readonly (string | null | typeof UNCHANGED_TOAST)[]): string | undefined {
    if (this.key.length > 0) {
      return this.key
        .map((i) => {
          const value = old[i];
          return `${quoteIdent(this.plan.columns[i] ?? '')} = ${literal(value === UNCHANGED_TOAST || value === undefined ? null : value)}`;
        })
        .join(' AND ');
    }
    const parts: string[] = [];
    old.forEach((value, i) => {
      // An unchanged TOASTed value is not sent: it cannot help find the row.
      if (value === UNCHANGED_TOAST) return;
      parts.push(`${quoteIdent(this.plan.columns[i] ?? '')} IS NOT DISTINCT FROM ${literal(value)}`);
    });
    if (parts.length === 0) return undefined;
    return `ctid = (SELECT ctid FROM ${this.target} WHERE ${parts.join(' AND ')} LIMIT 1)`;
  }

  /** Plan-ordered values, masked like the snapshot (masks read the source row). */
  private masked(tuple: readonly TupleValue[]): (string | null | typeof UNCHANGED_TOAST)[] {
    const raw = this.positions.map((p) => (p < 0 ? null : tuple[p] ?? null));
    if (this.masks.size === 0) return raw;
    const row: RowView = { field: (index) => {
      const value = raw[index];
      return value === UNCHANGED_TOAST || value === undefined ? null : value;
    } };
    return raw.map((value, i) => {
      const mask = this.masks.get(i);
      if (mask === undefined || value === UNCHANGED_TOAST) return value;
      return mask(value, row);
    });
  }
}
