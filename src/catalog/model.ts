/**
 * One database's catalog, read once per endpoint and run (read-catalog.ts) and
 * handed to every stage that needs it: the table facts by `schema.table` that
 * table selection, the copy plan, masking checks, follow, scan and verify use,
 * and, when read in full, the objects by OID that schema creation and diff
 * render and compare.
 */
import type { CatalogObjects } from './objects.js';
import type { TableCatalog } from './table-facts.js';

export interface Catalog extends TableCatalog {
  readonly objects: CatalogObjects;
}

/**
 * `tables`: the table facts alone (scan, setup-source: nothing is created).
 * `all`: with the objects as well (sync, schema, diff).
 */
export type CatalogScope = 'tables' | 'all';
