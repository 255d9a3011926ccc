/** `pgtwin setup-source`: check the source for follow, print or run the SQL that fixes what SQL can fix. */
import { REPLICATION_PASSWORD_ENV, setupSource } from '../source/setup-source.js';
import { setupSourceText, setupSourceToJson } from '../report/setup-source-text.js';
import { SourceNotReadyError, problemLines } from '../source/source-problem.js';
import { EXIT_CODES } from '../errors.js';
import { booleanFlag, stringFlag } from './args.js';
import { readFlags } from './command-flags.js';
import { SETUP_SOURCE } from './definitions/follow.js';
import { confirmSourceChange } from './confirm-source.js';
import type { CliIo } from './io.js';
import { loadCommandSettings } from './schema-command.js';

export async function setupSourceCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const flags = readFlags(io, SETUP_SOURCE, argv);
  if (flags === undefined) return 0;
  const settings = await loadCommandSettings(io, flags);
  io.redactor.addSecret(io.env[REPLICATION_PASSWORD_ENV]);
  const result = await setupSource({
    settings,
    env: io.env,
    signal,
    slot: stringFlag(flags, 'slot'),
    publication: stringFlag(flags, 'publication'),
    replicaIdentityFull: booleanFlag(flags, 'replica-identity-full'),
    createRole: stringFlag(flags, 'create-role'),
    dryRun: booleanFlag(flags, 'dry-run'),
    confirm: confirmSourceChange(io, booleanFlag(flags, 'yes'), 'setup-source'),
  });
  for (const warning of result.warnings) io.stderr(`pgtwin: warning: ${warning}\n`);
  const ready = result.remaining.length === 0;
  if (booleanFlag(flags, 'json')) {
    io.stdout(JSON.stringify(setupSourceToJson(result), null, 2) + '\n');
    return ready ? 0 : EXIT_CODES.failure;
  }
  io.stdout(setupSourceText(result));
  if (ready) return 0;
  const identity = result.remaining.some((p) => p.kind === 'replica-identity');
  throw new SourceNotReadyError(
    `The source is not ready for pgtwin follow: ${result.remaining.length} problem${result.remaining.length === 1 ? '' : 's'} ${result.applied || result.dryRun ? 'left' : 'found'}.`,
    {
      details: problemLines(result.remaining),
      nextStep: `Apply the fixes listed${identity ? ' (or pass --replica-identity-full)' : ''}, then run pgtwin setup-source again; settings that need a restart are never changed by pgtwin.`,
    },
  );
}
