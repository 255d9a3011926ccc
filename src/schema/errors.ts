/**
 * Errors of schema creation. A target that cannot hold the source's tables (an
 * extension it lacks, a server too old for a feature the source uses) is a
 * schema problem (exit 4); DDL that failed while running is a failure (exit 1).
 */
import { PgtwinError, type PgtwinErrorOptions } from '../errors.js';

// One class for the catalog's refusals and schema creation's: code that catches it sees both.
export { SchemaError } from '../catalog/index.js';

/** A DDL statement failed on the target; `object` names what it was creating. */
export class DdlError extends PgtwinError {
  readonly object: string;
  readonly sql: string;

  constructor(object: string, sql: string, cause: unknown, message: string, options: PgtwinErrorOptions = {}) {
    super('DDL_FAILED', 'failure', message, { ...options, cause });
    this.object = object;
    this.sql = sql;
  }
}
