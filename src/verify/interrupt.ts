/** Stopping a verification between steps: it writes nothing, so there is nothing to resume. */
import { InterruptedError } from '../errors.js';

export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted !== true) return;
  throw new InterruptedError('The verification was interrupted before it finished.', {
    cause: signal.reason,
    nextStep: 'Run the same pgtwin verify command again; it changes nothing on either side.',
  });
}
