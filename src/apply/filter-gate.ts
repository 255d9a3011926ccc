/**
 * Changes of filtered tables (`where:`, `limit:`) wait here until the
 * source has said which rows their filter keeps (src/apply/row-filter.ts),
 * in one query per table for everything held, not one per change. Once
 * something is held, every later change waits behind it too, so changes
 * leave in source order. What a change becomes:
 *
 * `where:` (the filter decides on the new row):
 * - INSERT: inserted when kept, else dropped;
 * - UPDATE of a kept row: the whole row is upserted (it may be moving into
 *   the filter, so the twin may lack it); the TOASTed values it does not
 *   carry are read from the source first. An UPDATE of a row the filter
 *   does not keep deletes it from the twin (it may be moving out);
 * - DELETE: deleted, and a row the twin does not have is expected (it was
 *   outside the filter), not a warning;
 * - without a key (REPLICA IDENTITY FULL), the old row is judged too: in and
 *   in is an update, in and out a delete, out and in an insert.
 *
 * `limit:` (with or without `where:`): the twin keeps following the rows
 * the first load copied and no others: no INSERT is applied, UPDATEs and
 * DELETEs change the copied rows the twin has (an UPDATE that takes a row
 * out of `where:` deletes it), and a row the twin lacks is no warning.
 */
import type { Statement } from './change-runs.js';
import { UNCHANGED_TOAST } from '../stream/pgoutput.js';
import type { TableFilter } from './row-filter.js';
import type { RowChange, TableChanges } from './table-changes.js';
import type { NewValue, Value } from './table-sql.js';

/** A change as decoded: plan-ordered and not masked yet. */
export type Held =
  | { readonly kind: 'insert'; readonly table: TableChanges; readonly raw: readonly NewValue[] }
  | {
      readonly kind: 'update';
      readonly table: TableChanges;
      readonly raw: readonly NewValue[];
      readonly rawOld: readonly NewValue[] | undefined;
    }
  | { readonly kind: 'delete'; readonly table: TableChanges; readonly rawOld: readonly NewValue[] }
  | { readonly kind: 'barrier'; readonly statement: Statement };

export type Released =
  | { readonly kind: 'change'; readonly table: TableChanges; readonly change: RowChange }
  | { readonly kind: 'barrier'; readonly statement: Statement };

/** What the source said about one held change. */
interface Verdict {
  /** The new row, completed with the source's current values of what it did not carry; undefined when the source no longer has it. */
  complete?: readonly NewValue[] | undefined;
  keepNew?: boolean;
  keepOld?: boolean;
}

export class FilterGate {
  private held: Held[] = [];
  private chars = 0;

  constructor(private readonly filterOf: (table: TableChanges) => TableFilter | undefined) {}

  get size(): number {
    return this.held.length;
  }

  /** About the characters of the values held, to bound memory as the applier bounds its statements. */
  get pendingBytes(): number {
    return this.chars;
  }

  /** Whether this change must wait: its table is filtered, or something already waits. */
  holds(table: TableChanges): boolean {
    return this.held.length > 0 || this.filterOf(table) !== undefined;
  }

  hold(change: Held): void {
    this.held.push(change);
    if (change.kind !== 'barrier') this.chars += charsOf(change.kind === 'delete' ? change.rawOld : change.raw);
  }

  clear(): void {
    this.held = [];
    this.chars = 0;
  }

  /** Everything held, decided, in source order. */
  async release(): Promise<Released[]> {
    const held = this.held;
    this.clear();
    const verdicts = held.map((): Verdict => ({}));
    await this.complete(held, verdicts);
    await this.judge(held, verdicts);
    const out: Released[] = [];
    held.forEach((h, i) => {
      if (h.kind === 'barrier') out.push(h);
      else for (const change of this.decide(h, verdicts[i] ?? {})) out.push({ kind: 'change', table: h.table, change });
    });
    return out;
  }

  /** Reads from the source what UPDATEs of keyed, `where:`-filtered tables did not carry. */
  private async complete(held: readonly Held[], verdicts: Verdict[]): Promise<void> {
    const byTable = new Map<TableChanges, { index: number; key: Value[]; columns: number[] }[]>();
    held.forEach((h, i) => {
      if (h.kind !== 'update' || this.filterOf(h.table)?.where === undefined) return;
      const verdict = verdicts[i];
      if (verdict === undefined) return;
      const missing = h.raw.flatMap((v, c) => (v === UNCHANGED_TOAST ? [c] : []));
      if (missing.length === 0) {
        verdict.complete = h.raw;
      } else if (!h.table.hasKey) {
        // Without a key the old row is whole (REPLICA IDENTITY FULL) and holds what did not change.
        verdict.complete = h.raw.map((v, c) => (v === UNCHANGED_TOAST ? (h.rawOld?.[c] ?? null) : v));
      } else {
        const list = byTable.get(h.table) ?? [];
        list.push({ index: i, key: h.table.sourceKeyOf(h.raw), columns: missing });
        byTable.set(h.table, list);
      }
    });
    for (const [table, requests] of byTable) {
      const where = this.filterOf(table)?.where;
      if (where === undefined) continue;
      const current = await where.current(table.keyColumns, requests);
      requests.forEach((request, n) => {
        const found = current[n];
        const h = held[request.index];
        const verdict = verdicts[request.index];
        if (h?.kind !== 'update' || verdict === undefined) return;
        verdict.complete = found === undefined ? undefined : h.raw.map((v, c) => (v === UNCHANGED_TOAST ? (found[c] ?? null) : v));
      });
    }
  }

  /** Evaluates `where:` over the new rows (and, without a key, the old ones), one query per table. */
  private async judge(held: readonly Held[], verdicts: Verdict[]): Promise<void> {
    const byTable = new Map<TableChanges, { rows: (readonly NewValue[])[]; apply: ((keep: boolean) => void)[] }>();
    const ask = (table: TableChanges, row: readonly NewValue[], apply: (keep: boolean) => void): void => {
      const entry = byTable.get(table) ?? { rows: [], apply: [] };
      entry.rows.push(row);
      entry.apply.push(apply);
      byTable.set(table, entry);
    };
    held.forEach((h, i) => {
      const verdict = verdicts[i];
      if (h.kind === 'barrier' || verdict === undefined || this.filterOf(h.table)?.where === undefined) return;
      if (h.kind === 'insert') ask(h.table, h.raw, (keep) => (verdict.keepNew = keep));
      if (h.kind === 'update' && verdict.complete !== undefined) ask(h.table, verdict.complete, (keep) => (verdict.keepNew = keep));
      const old = h.kind === 'insert' ? undefined : h.rawOld;
      if (!h.table.hasKey && old !== undefined) ask(h.table, old, (keep) => (verdict.keepOld = keep));
    });
    for (const [table, entry] of byTable) {
      const where = this.filterOf(table)?.where;
      if (where === undefined) continue;
      const keeps = await where.keeps(entry.rows);
      entry.apply.forEach((apply, n) => apply(keeps[n] === true));
    }
  }

  private decide(h: Exclude<Held, { kind: 'barrier' }>, verdict: Verdict): RowChange[] {
    const { table } = h;
    const filter = this.filterOf(table);
    if (filter === undefined) {
      if (h.kind === 'insert') return [table.insertRow(h.raw)];
      if (h.kind === 'update') return [table.updateRow(h.raw, h.rawOld)];
      return [table.deleteRow(h.rawOld)];
    }
    const filtered = filter.where !== undefined;
    const keepNew = !filtered || verdict.keepNew === true;
    const keepOld = !filtered || verdict.keepOld === true;
    const copiedOnly = filter.copiedOnly;
    switch (h.kind) {
      case 'insert':
        return !copiedOnly && keepNew ? [table.insertRow(h.raw)] : [];
      case 'delete':
        if (table.hasKey) return [table.deleteRow(h.rawOld, true)];
        return keepOld ? [table.deleteRow(h.rawOld, copiedOnly)] : [];
      case 'update':
        return table.hasKey
          ? this.updateWithKey(h, verdict, filtered, copiedOnly)
          : this.updateWithoutKey(h, verdict, keepOld, keepNew, copiedOnly);
    }
  }

  private updateWithKey(h: Extract<Held, { kind: 'update' }>, verdict: Verdict, filtered: boolean, copiedOnly: boolean): RowChange[] {
    const { table } = h;
    const oldRow = h.rawOld ?? h.raw;
    // Filtered, and out of the filter (or gone from the source since): the twin must not hold it.
    if (filtered && (verdict.complete === undefined || verdict.keepNew !== true)) return [table.deleteRow(oldRow, true)];
    if (copiedOnly) return [table.updateRow(h.raw, h.rawOld, true)];
    const complete = verdict.complete ?? h.raw;
    const moved = h.rawOld !== undefined && table.sourceKeyOf(h.rawOld).some((v, k) => v !== table.sourceKeyOf(h.raw)[k]);
    return moved ? [table.deleteRow(h.rawOld ?? h.raw, true), table.insertRow(complete)] : [table.insertRow(complete)];
  }

  private updateWithoutKey(
    h: Extract<Held, { kind: 'update' }>,
    verdict: Verdict,
    keepOld: boolean,
    keepNew: boolean,
    copiedOnly: boolean,
  ): RowChange[] {
    const { table } = h;
    if (copiedOnly) {
      if (keepNew) return [table.updateRow(h.raw, h.rawOld, true)];
      return keepOld && h.rawOld !== undefined ? [table.deleteRow(h.rawOld, true)] : [];
    }
    if (keepOld && keepNew) return [table.updateRow(h.raw, h.rawOld)];
    if (keepOld && h.rawOld !== undefined) return [table.deleteRow(h.rawOld)];
    if (keepNew) return [table.insertRow(verdict.complete ?? h.raw)];
    return [];
  }
}

function charsOf(values: readonly NewValue[]): number {
  let n = 16;
  for (const v of values) if (typeof v === 'string') n += v.length + 4;
  return n;
}
