/** `pgtwin schema`: create on the target what the selected tables need (no rows), or print the DDL with --dry-run. */
import { loadSettings } from '../config/index.js';
import type { Settings } from '../config/index.js';
import { EXIT_CODES, SafetyError } from '../errors.js';
import { createSchema, firstPerObject, notCreated } from '../schema/index.js';
import { schemaDryRunText, schemaSummaryText, schemaToJson } from '../report/schema-text.js';
import { schemaIncompleteError } from '../sync/sync-errors.js';
import { booleanFlag, stringFlag, type ParsedFlags } from './args.js';
import { readFlags } from './command-flags.js';
import { SCHEMA } from './definitions/schema.js';
import { makeConfirm } from './confirm.js';
import type { CliIo } from './io.js';
import { overridesFrom } from './sync-flags.js';

/** Settings from the config file, env and flags; every URL's password registered for redaction. */
export async function loadCommandSettings(io: CliIo, flags: ParsedFlags): Promise<Settings> {
  const settings = await loadSettings({
    configPath: stringFlag(flags, 'config'),
    cwd: io.cwd,
    env: io.env,
    overrides: overridesFrom(flags),
  });
  for (const env of settings.environments.values()) io.redactor.addUrl(env.url);
  io.redactor.addUrl(settings.source);
  io.redactor.addUrl(settings.target);
  for (const warning of settings.warnings) io.stderr(`pgtwin: warning: ${warning}\n`);
  return settings;
}

export async function schemaCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const flags = readFlags(io, SCHEMA, argv);
  if (flags === undefined) return 0;
  const settings = await loadCommandSettings(io, flags);
  const json = booleanFlag(flags, 'json');
  const result = await createSchema({
    settings,
    env: io.env,
    signal,
    recreate: booleanFlag(flags, 'recreate'),
    dryRun: booleanFlag(flags, 'dry-run'),
    confirm: confirmDrop(io, booleanFlag(flags, 'yes')),
  });
  for (const warning of result.warnings) io.stderr(`pgtwin: warning: ${warning}\n`);
  // A dry run only plans; a real run that leaves objects out says the twin is incomplete (exit 6).
  const missing = result.dryRun ? [] : firstPerObject([...notCreated(result.plan.skipped), ...result.failures]);
  if (json) {
    io.stdout(JSON.stringify(schemaToJson(result), null, 2) + '\n');
    return missing.length > 0 ? EXIT_CODES.incomplete : 0;
  }
  io.stdout(result.dryRun ? schemaDryRunText(result) : schemaSummaryText(result));
  if (missing.length > 0) throw schemaIncompleteError(missing, false);
  return 0;
}

/** --yes answers for the user; a terminal asks; with neither, a recreate is refused. */
function confirmDrop(io: CliIo, yes: boolean): (question: string) => Promise<boolean> {
  if (yes) return async () => true;
  if (io.stdinIsTty && io.stderrIsTty) return makeConfirm({ yes: false, interactive: true });
  return async (question) => {
    throw new SafetyError(
      'NOT_CONFIRMED',
      '--recreate drops tables on the target and there is no terminal to confirm it on; nothing was written.',
      {
        details: question.split('\n'),
        nextStep: 'Pass --yes to confirm in scripts and CI.',
      },
    );
  };
}
