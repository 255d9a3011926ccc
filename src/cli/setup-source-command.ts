/** `pgtwin setup-source`: check the source for follow, print or run the SQL that fixes what SQL can fix. */
import { REPLICATION_PASSWORD_ENV, setupSource, type SetupSourceResult } from '../source/setup-source.js';
import { SourceNotReadyError, problemLines } from '../source/source-problem.js';
import { EXIT_CODES } from '../errors.js';
import { booleanFlag, stringFlag } from './args.js';
import { readFlags } from './command-flags.js';
import { SETUP_SOURCE } from './definitions/follow.js';
import { confirmSourceChange } from './confirm-source.js';
import type { CliIo } from './io.js';
import { loadCommandSettings } from './schema-command.js';
import { reportJson, stateText } from './source-report-text.js';

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
    io.stdout(JSON.stringify(resultJson(result), null, 2) + '\n');
    return ready ? 0 : EXIT_CODES.failure;
  }
  io.stdout(text(result));
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

function text(result: SetupSourceResult): string {
  const { plan } = result;
  const about = [stateText(result.source, result.before)];
  if (plan.leftOut.length > 0) about.push(`Left out of the publication:\n${plan.leftOut.map((t) => `  - ${t}`).join('\n')}\n`);
  for (const note of [...plan.notes, ...result.after.notes]) about.push(`note: ${note}\n`);
  // A dry run prints a script that psql can run as it is: everything else is a comment.
  if (result.dryRun && plan.statements.length > 0) {
    const commented = about.join('').replace(/^(?=.)/gm, '-- ');
    return `${commented}\n-- pgtwin setup-source --dry-run: the SQL it would run. Nothing was changed.\n${result.script}`;
  }
  const parts = about;
  if (plan.statements.length === 0)
    parts.push(
      result.remaining.length === 0
        ? '\nNothing to change: the source is ready for pgtwin follow.\n'
        : '\nNothing that setup-source can change by SQL.\n',
    );
  else if (result.applied) {
    parts.push(
      `\nRan on the source (${plan.statements.length} statement${plan.statements.length === 1 ? '' : 's'}, one transaction):\n${plan.statements.map((s) => `  ${s.display};`).join('\n')}\n`,
    );
    if (result.remaining.length === 0) parts.push('The source is ready for pgtwin follow.\n');
  }
  return parts.join('');
}

function resultJson(result: SetupSourceResult): unknown {
  return {
    source: result.source,
    ...(reportJson(result.after) as object),
    dryRun: result.dryRun,
    applied: result.applied,
    ready: result.remaining.length === 0,
    statements: result.plan.statements.map((s) => s.display),
    leftOut: result.plan.leftOut,
    problems: result.remaining.map((p) => ({ kind: p.kind, table: p.table ?? null, message: p.message, fix: p.fix })),
    notes: [...result.plan.notes, ...result.after.notes],
    warnings: result.warnings,
  };
}
