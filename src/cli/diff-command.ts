/** `pgtwin diff`: how the target's tables differ from the source's. Reads both sides, writes nothing. */
import { EXIT_CODES, SchemaMismatchError } from '../errors.js';
import { compareSchemas } from '../schema/index.js';
import { diffText, diffToJson } from '../report/diff-text.js';
import { booleanFlag } from './args.js';
import { readFlags } from './command-flags.js';
import { DIFF } from './definitions/schema.js';
import type { CliIo } from './io.js';
import { loadCommandSettings } from './schema-command.js';

export async function diffCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const flags = readFlags(io, DIFF, argv);
  if (flags === undefined) return 0;
  const settings = await loadCommandSettings(io, flags);
  const result = await compareSchemas({ settings, env: io.env, signal });
  for (const warning of result.warnings) io.stderr(`pgtwin: warning: ${warning}\n`);
  const equal = result.differences.length === 0;
  if (booleanFlag(flags, 'json')) {
    io.stdout(JSON.stringify(diffToJson(result), null, 2) + '\n');
    return equal ? 0 : EXIT_CODES.schema;
  }
  io.stdout(diffText(result));
  if (equal) return 0;
  const blocking = result.differences.filter((d) => d.blocking).length;
  throw new SchemaMismatchError(
    `The target's schema differs from the source's in ${result.differences.length} place${result.differences.length === 1 ? '' : 's'}${blocking > 0 ? ` (${blocking} would make a sync fail)` : ''}.`,
    {
      nextStep:
        'Run `pgtwin schema` to create what is missing on the target (--recreate to rebuild tables that differ), or align the target by hand.',
    },
  );
}
