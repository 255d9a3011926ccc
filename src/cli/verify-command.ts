/** `pgtwin verify`: did the twin lose anything, and (--leaks) does it hold any masked value in clear. Reads both sides; the target only gets temporary tables. */
import { UsageError } from '../errors.js';
import { verifyToJson, verifyToText } from '../report/verify-text.js';
import { runVerify } from '../verify/run-verify.js';
import { verifyOutcomeError } from '../verify/verify-errors.js';
import { booleanFlag, positiveIntegerFlag } from './args.js';
import { readFlags } from './command-flags.js';
import { VERIFY } from './definitions/verify.js';
import type { CliIo } from './io.js';
import { loadCommandSettings } from './schema-command.js';

export async function verifyCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const flags = readFlags(io, VERIFY, argv);
  if (flags === undefined) return 0;
  const leaks = booleanFlag(flags, 'leaks');
  const minLength = positiveIntegerFlag(flags, 'min-length');
  const showValues = booleanFlag(flags, 'show-values');
  if (!leaks && (minLength !== undefined || showValues)) {
    throw new UsageError('BAD_FLAGS', `${minLength !== undefined ? '--min-length' : '--show-values'} belongs to the leak check.`, {
      nextStep: 'Add --leaks.',
    });
  }
  const settings = await loadCommandSettings(io, flags);
  const report = await runVerify({ settings, env: io.env, signal, leaks, minLength, includeValues: showValues });
  for (const warning of report.warnings) io.stderr(`pgtwin: warning: ${warning}\n`);
  const error = verifyOutcomeError(report);
  if (booleanFlag(flags, 'json')) {
    io.stdout(JSON.stringify(verifyToJson(report, error), null, 2) + '\n');
    if (error !== undefined)
      io.stderr(`pgtwin: error: ${error.message}\n${error.nextStep !== undefined ? `next: ${error.nextStep}\n` : ''}`);
    return error?.exitCode ?? 0;
  }
  io.stdout(verifyToText(report));
  if (error !== undefined) throw error;
  return 0;
}
