/** Asking the person at the terminal before a destructive step. */
import { createInterface } from 'node:readline/promises';
import { SafetyError } from '../errors.js';

export interface ConfirmOptions {
  readonly yes: boolean;
  readonly interactive: boolean;
}

export function makeConfirm(options: ConfirmOptions): (question: string) => Promise<boolean> {
  return async (question) => {
    if (options.yes) return true;
    if (!options.interactive) {
      throw new SafetyError(
        'NOT_CONFIRMED',
        'This step truncates tables on the target and there is no terminal to confirm it on; nothing was written.',
        {
          details: question.split('\n'),
          nextStep: 'Pass --yes to confirm in scripts and CI.',
        },
      );
    }
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      // Ctrl-C or end of input at the prompt is a "no", not a crash.
      const answer = await rl.question(`${question}\nType "yes" to continue: `).catch(() => '');
      return answer.trim().toLowerCase() === 'yes' || answer.trim().toLowerCase() === 'y';
    } finally {
      rl.close();
    }
  };
}
