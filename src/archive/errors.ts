import { PgtwinError, type ErrorCategory, type PgtwinErrorOptions } from '../errors.js';

/**
 * An archive that cannot be used as it is: a corrupt, missing or foreign
 * file, an unknown format version, another key or rule set than the twin's.
 * The message names the file; nothing after it is applied.
 */
export class ArchiveError extends PgtwinError {
  constructor(code: string, message: string, options: PgtwinErrorOptions & { category?: ErrorCategory } = {}) {
    super(code, options.category ?? 'failure', message, options);
  }
}
