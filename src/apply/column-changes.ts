/**
 * A table's columns changed on the source (an archive's schema record): the
 * statements that make the twin's table match, and the plan and facts the
 * applier uses for its rows from then on. Columns are matched by name: one
 * that is new is added, one that is gone is dropped, one whose type differs
 * is retyped (its values converted through their text form, the form every
 * value travels in).
 */
import type { ColumnInfo, TableInfo } from '../catalog/index.js';
import { quoteIdent, quoteQualified } from '../pg/ident.js';
import type { TablePlan } from '../plan/plan.js';
import type { TwinFacts } from './twin-facts.js';

export interface ColumnDefinition {
  readonly name: string;
  /** As format_type prints it, modifier included: `character varying(80)`. */
  readonly type: string;
}

export interface ColumnChange {
  /** ALTER TABLE statements, in order; empty when the twin already matches. */
  readonly statements: readonly string[];
  readonly plan: TablePlan;
}

/** The type without its modifier, as the applier types a VALUES list (`numeric(10,2)` -> `numeric`). */
export function typeWithoutModifier(type: string): string {
  return type
    .replace(/\(\d+(?:\s*,\s*-?\d+)?\)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export function changeColumns(plan: TablePlan, columns: readonly ColumnDefinition[]): ColumnChange {
  const table = quoteQualified(plan.target);
  const current = new Map(plan.target.columns.filter((c) => !c.generated).map((c) => [c.name, c]));
  const wanted = new Set(columns.map((c) => c.name));
  const statements: string[] = [];
  for (const column of current.values())
    if (!wanted.has(column.name)) statements.push(`ALTER TABLE ${table} DROP COLUMN ${quoteIdent(column.name)}`);
  for (const column of columns) {
    const before = current.get(column.name);
    if (before === undefined) statements.push(`ALTER TABLE ${table} ADD COLUMN ${quoteIdent(column.name)} ${column.type}`);
    else if (before.type !== column.type) {
      const name = quoteIdent(column.name);
      statements.push(`ALTER TABLE ${table} ALTER COLUMN ${name} TYPE ${column.type} USING ${name}::text::${column.type}`);
    }
  }
  const generated = plan.target.columns.filter((c) => c.generated);
  let attnum = Math.max(0, ...plan.target.columns.map((c) => c.attnum));
  const infos: ColumnInfo[] = columns.map((c) => {
    const before = current.get(c.name);
    return before === undefined
      ? { name: c.name, attnum: ++attnum, type: c.type, notNull: false, generated: false, identity: '' }
      : { ...before, type: c.type };
  });
  const keyGone = plan.target.primaryKey.some((k) => !wanted.has(k));
  const info = (t: TableInfo): TableInfo => ({
    ...t,
    columns: [...infos, ...generated],
    primaryKey: keyGone ? [] : t.primaryKey,
    uniqueKeys: t.uniqueKeys.filter((u) => u.every((k) => wanted.has(k))),
  });
  const names = columns.map((c) => c.name);
  return {
    statements,
    plan: {
      ...plan,
      source: info(plan.source),
      target: info(plan.target),
      columns: names,
      maskedColumns: plan.maskedColumns.filter((c) => wanted.has(c)),
    },
  };
}

/** The facts with the table's column types as they are after the change. */
export function factsAfter(facts: TwinFacts, plan: TablePlan): TwinFacts {
  const columnTypes = new Map(facts.columnTypes);
  columnTypes.set(plan.key, new Map(plan.target.columns.map((c) => [c.name, typeWithoutModifier(c.type)])));
  return { ...facts, columnTypes };
}
