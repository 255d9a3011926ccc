/**
 * The catalog layer: one reader (readCatalog) and one model (Catalog) of a
 * database's tables, columns, keys, foreign keys, sequences, sizes and the
 * objects schema creation needs, read once per endpoint and run and passed
 * down to every stage above.
 */
export { readCatalog, MIN_SERVER_VERSION } from './read-catalog.js';
export type { Catalog, CatalogScope } from './model.js';
export type { ColumnInfo, ForeignKeyInfo, SequenceLink, TableCatalog, TableInfo } from './table-facts.js';
export type * from './objects.js';
export { groups, type CatalogGroups } from './groups.js';
export { SchemaError } from './errors.js';
