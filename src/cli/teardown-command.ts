/** `pgtwin teardown`: drop the twin's slot and the publication on the source, after confirmation. */
import { teardown } from '../source/teardown.js';
import { teardownText } from '../report/teardown-text.js';
import { booleanFlag, stringFlag } from './args.js';
import { readFlags } from './command-flags.js';
import { TEARDOWN } from './definitions/follow.js';
import { confirmSourceChange } from './confirm-source.js';
import type { CliIo } from './io.js';
import { loadCommandSettings } from './schema-command.js';

export async function teardownCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const flags = readFlags(io, TEARDOWN, argv);
  if (flags === undefined) return 0;
  const settings = await loadCommandSettings(io, flags);
  const result = await teardown({
    settings,
    env: io.env,
    signal,
    slot: stringFlag(flags, 'slot'),
    publication: stringFlag(flags, 'publication'),
    keepPublication: booleanFlag(flags, 'keep-publication'),
    force: booleanFlag(flags, 'force'),
    dryRun: booleanFlag(flags, 'dry-run'),
    confirm: confirmSourceChange(io, booleanFlag(flags, 'yes'), 'teardown'),
  });
  for (const warning of result.warnings) io.stderr(`pgtwin: warning: ${warning}\n`);
  if (booleanFlag(flags, 'json')) {
    const { slotFound, ...rest } = result;
    io.stdout(JSON.stringify({ ...rest, slotFound: slotFound !== undefined }, null, 2) + '\n');
    return 0;
  }
  io.stdout(teardownText(result));
  return 0;
}
