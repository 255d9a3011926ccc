/**
 * The catalog layer's public surface: one reader (readCatalog) and one model
 * (Catalog: table facts and schema objects) that plan, schema creation,
 * masking checks, scan, verify and follow all use.
 */
export { groups } from './groups.js';
export { type Catalog } from './model.js';
export {
  type ColumnDef,
  type ConstraintDef,
  type CatalogObjects,
  type TableDef,
  type ObjectKey,
  type ConstraintType,
  type IndexDef,
  type TriggerDef,
  type ViewDef,
  type FunctionDef,
  type GrantDef,
  type PolicyDef,
  type RuleDef,
  type SequenceDef,
  type CollationInfo,
  type ExtensionInfo,
  type TextSearchConfig,
  type TextSearchDictionary,
  type TypeInfo,
  type RelationName,
} from './objects.js';
export { readCatalog } from './read-catalog.js';
export { emptyDatabaseLike } from './empty-database.js';
export { type TableCatalog, type TableInfo, type ColumnInfo, type ForeignKeyInfo, type SequenceLink } from './table-facts.js';
export { MIN_SERVER_VERSION } from './read-catalog.js';
export { SchemaError } from './errors.js';
