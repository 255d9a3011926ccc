/**
 * Schema creation and comparison from the source catalog (no pg_dump).
 *
 * Building blocks, for sync: the catalog of both sides (src/catalog/) -> planSchema ->
 * applyPreData before the load, applyPostData after it; diffSchemas for the
 * pre-flight check. Whole commands: createSchema (`pgtwin schema`) and
 * compareSchemas (`pgtwin diff`).
 */
export { MIN_SERVER_VERSION } from '../catalog/index.js';
export { planSchema, type SchemaSelection } from './plan-schema.js';
export { planToSql, notCreated, firstPerObject, type DdlStatement, type SchemaPlan, type Skipped } from './ddl.js';
export {
  applyPreData,
  applyPostData,
  executePreData,
  groupByObject,
  type ApplyOptions,
  type DdlFailure,
  type DdlObserver,
} from './apply.js';
export { diffSchemas, differencesToText, type DiffSelection, type DifferenceKind, type SchemaDifference } from './diff.js';
export { createSchema, type CreateSchemaRequest, type CreateSchemaResult } from './create-schema.js';
export { compareSchemas, type CompareRequest, type CompareResult } from './compare-schemas.js';
export { matchTargetTables } from './session.js';
export { SchemaError, DdlError } from './errors.js';
export type { CatalogObjects, SequenceDef } from '../catalog/index.js';
