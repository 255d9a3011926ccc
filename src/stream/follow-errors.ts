/** Errors of `pgtwin follow`; the position applied is kept, so a restart resumes exactly where it stopped. */
import { PgtwinError, type PgtwinErrorOptions } from '../errors.js';

export class FollowError extends PgtwinError {
  constructor(code: string, message: string, options: PgtwinErrorOptions = {}) {
    super(code, 'failure', message, options);
  }
}
