/**
 * Errors of the catalog and of the schema work built on it. A database the
 * catalog cannot be read from (a server too old) or a target that cannot hold
 * the source's tables is a schema problem (exit 4). Schema creation raises its
 * own with this class too (src/schema/errors.ts re-exports it).
 */
import { PgtwinError, type ErrorCategory, type PgtwinErrorOptions } from '../errors.js';

export class SchemaError extends PgtwinError {
  constructor(code: string, message: string, options: PgtwinErrorOptions = {}, category: ErrorCategory = 'schema') {
    super(code, category, message, options);
  }
}
