import { PgtwinError, type ErrorCategory, type PgtwinErrorOptions } from '../errors.js';

/** A store that cannot be reached, refuses access, or lacks a file: what is wrong and with which location. */
export class ArchiveStoreError extends PgtwinError {
  constructor(code: string, message: string, options: PgtwinErrorOptions & { category?: ErrorCategory } = {}) {
    super(code, options.category ?? 'failure', message, options);
  }
}
