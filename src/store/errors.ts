import { PgtwinError, type ErrorCategory, type PgtwinErrorOptions } from '../errors.js';

/** A store that cannot be reached, refuses access, or lacks a file: what is wrong and with which location. */
export class ArchiveStoreError extends PgtwinError {
  constructor(code: string, message: string, options: PgtwinErrorOptions & { category?: ErrorCategory } = {}) {
    super(code, options.category ?? 'failure', message, options);
  }
}

/** A file the caller asked for is not in the store. */
export function fileMissing(display: string, name: string, cause?: unknown): ArchiveStoreError {
  return new ArchiveStoreError('ARCHIVE_FILE_MISSING', `The archive ${display} has no file ${name}.`, {
    cause,
    nextStep: 'Run pgtwin archive verify to see which files are missing; a pruned or partly copied archive lacks files.',
  });
}
