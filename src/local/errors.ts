/**
 * Failures of the embedded local server. They carry the server's own words
 * (initdb, pg_ctl, the tail of its log) as details, because "could not start"
 * alone never tells the user which of a dozen causes it was.
 */
import { PgtwinError, type ErrorCategory, type PgtwinErrorOptions } from '../errors.js';

export class LocalServerError extends PgtwinError {
  constructor(code: string, message: string, options: PgtwinErrorOptions = {}, category: ErrorCategory = 'failure') {
    super(code, category, message, options);
  }
}
