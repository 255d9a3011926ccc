/** Confirming a change to the source: --yes answers, a terminal asks, and with neither the change is refused. */
import { SafetyError } from '../errors.js';
import { makeConfirm } from './confirm.js';
import type { CliIo } from './io.js';

export function confirmSourceChange(io: CliIo, yes: boolean, command: string): (question: string) => Promise<boolean> {
  if (yes) return async () => true;
  if (io.stdinIsTty && io.stderrIsTty) return makeConfirm({ yes: false, interactive: true });
  return async (question) => {
    throw new SafetyError(
      'NOT_CONFIRMED',
      `${command} changes the source and there is no terminal to confirm it on; nothing was changed.`,
      {
        details: question.split('\n').filter((line) => line !== ''),
        nextStep: 'Pass --yes to confirm in scripts and CI, or --dry-run to print the SQL.',
      },
    );
  };
}
