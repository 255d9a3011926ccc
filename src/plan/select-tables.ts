/**
 * Which source tables a run copies: include/exclude patterns over the source
 * catalog, partitions folded into their root, and `--cascade` closure over
 * tables whose foreign keys point into the selection.
 */
import type { Settings, TableSelectionSettings } from '../config/index.js';
import type { TableCatalog, TableInfo } from '../catalog/index.js';
import { displayName } from '../pg/ident.js';
import { UsageError } from '../errors.js';
import { closestMatches } from './closest-matches.js';
import { compilePattern, type TablePattern } from './table-patterns.js';

export interface TableSelection {
  /** Selected source tables, keyed by `schema.table`, in catalog order. */
  readonly tables: ReadonlyMap<string, TableInfo>;
  readonly warnings: readonly string[];
}

export function selectTables(catalog: TableCatalog, selection: TableSelectionSettings): TableSelection {
  const warnings: string[] = [];
  const include = selection.include.map(compilePattern);
  const exclude = selection.exclude.map(compilePattern);
  const all = [...catalog.tables.values()];

  const unknown = include.filter((p) => !p.glob && !all.some((t) => p.matches(t)));
  if (unknown.length > 0) {
    const names = all.map(displayName);
    throw new UsageError(
      'TABLE_NOT_FOUND',
      `${unknown.length === 1 ? 'A selected table does' : 'Selected tables do'} not exist on the source.`,
      {
        details: unknown.map((p) => {
          const near = closestMatches(p.text, names);
          return `${p.text}${near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : ''}`;
        }),
        nextStep: 'Check the names in --tables or tables.include (schema-qualified names match exactly; bare names match any schema).',
      },
    );
  }
  for (const p of include) if (p.glob && !all.some((t) => p.matches(t))) warnings.push(`include pattern ${p.text} matches no table`);

  const chosen = new Map<string, TableInfo>();
  const excluded: TableInfo[] = [];
  for (const table of all) {
    const included = include.length === 0 || include.some((p) => p.matches(table));
    if (exclude.some((p) => p.matches(table))) excluded.push(table);
    else if (included) chosen.set(displayName(table), table);
  }
  // A partition is copied through its root (COPY into the root routes rows), so
  // keeping both would copy its rows twice.
  for (const [key, table] of chosen) {
    if (table.partitionRoot !== undefined && chosen.has(displayName(table.partitionRoot))) chosen.delete(key);
  }
  // For the same reason, excluding one partition of a selected root leaves it in.
  for (const table of excluded) {
    const root = table.partitionRoot === undefined ? undefined : displayName(table.partitionRoot);
    if (root !== undefined && chosen.has(root)) {
      warnings.push(
        `${displayName(table)} is excluded, but it is a partition of ${root}, which is copied whole through its root: its rows are copied too (exclude ${root}, or give ${root} a where filter)`,
      );
    }
  }
  return { tables: chosen, warnings };
}

/** The tables a run copies: the selection, closed over `--cascade`; include patterns that select nothing are an error. */
export function selectForRun(settings: Pick<Settings, 'tables' | 'options'>, catalog: TableCatalog): TableSelection {
  const selection = selectTables(catalog, settings.tables);
  const warnings = [...selection.warnings];
  let tables = new Map(selection.tables);
  if (settings.options.cascade) {
    const before = new Set(tables.keys());
    tables = cascadeSelection(catalog, tables);
    for (const key of tables.keys()) if (!before.has(key)) warnings.push(`--cascade added ${key} (it references a selected table)`);
  }
  // Without include patterns an empty selection is a database of functions, views or types only: its twin has those.
  if (tables.size === 0 && settings.tables.include.length > 0) {
    throw new UsageError('NOTHING_SELECTED', 'No table is selected: the include/exclude patterns leave nothing to copy.', {
      nextStep: 'Check --tables / --exclude (or tables.include / tables.exclude in pgtwin.yaml).',
    });
  }
  return { tables, warnings };
}

/** Tables of `catalog` with a foreign key into `selected` that are not selected themselves. */
export function referencingOutsiders(catalog: TableCatalog, selected: ReadonlyMap<string, TableInfo>): Map<string, string[]> {
  const outsiders = new Map<string, string[]>();
  for (const fk of catalog.foreignKeys) {
    if (fk.inherited) continue;
    const from = displayName(fk.table);
    const to = displayName(fk.referencedTable);
    if (!isCovered(catalog, selected, to) || isCovered(catalog, selected, from)) continue;
    const list = outsiders.get(from) ?? [];
    list.push(`${fk.name} -> ${to}`);
    outsiders.set(from, list);
  }
  return outsiders;
}

/** Adds, transitively, every table with a foreign key into the selection. */
export function cascadeSelection(catalog: TableCatalog, selected: ReadonlyMap<string, TableInfo>): Map<string, TableInfo> {
  const result = new Map(selected);
  for (;;) {
    const extra = referencingOutsiders(catalog, result);
    if (extra.size === 0) return result;
    for (const key of extra.keys()) {
      const table = catalog.tables.get(key);
      if (table === undefined) continue;
      const root = table.partitionRoot === undefined ? table : catalog.tables.get(displayName(table.partitionRoot));
      if (root !== undefined) result.set(displayName(root), root);
    }
  }
}

/** A table is covered when it is selected itself or through its partition root. */
export function isCovered(catalog: TableCatalog, selected: ReadonlyMap<string, TableInfo>, key: string): boolean {
  if (selected.has(key)) return true;
  const root = catalog.tables.get(key)?.partitionRoot;
  return root !== undefined && selected.has(displayName(root));
}

/** No include pattern: the twin is the whole database, objects other than tables included. */
export function isWholeDatabase(selection: TableSelectionSettings): boolean {
  return selection.include.length === 0;
}

export function compileAll(patterns: readonly string[]): TablePattern[] {
  return patterns.map(compilePattern);
}
