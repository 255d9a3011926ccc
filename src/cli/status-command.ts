/** `pgtwin status`: lag, slot health and activity of each follow of the twin. Reads only. */
import { readTwinStatus } from '../follow/twin-status.js';
import { PgtwinError } from '../errors.js';
import { twinHeadline, twinStatusText, twinStatusToJson } from '../report/twin-status-text.js';
import { booleanFlag, stringFlag } from './args.js';
import { openStore } from '../store/index.js';
import { readFlags } from './command-flags.js';
import { STATUS } from './definitions/follow.js';
import type { CliIo } from './io.js';
import { loadCommandSettings } from './schema-command.js';

export async function statusCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const flags = readFlags(io, STATUS, argv);
  if (flags === undefined) return 0;
  const settings = await loadCommandSettings(io, flags);
  const given = stringFlag(flags, 'archive');
  const status = await readTwinStatus({
    settings,
    env: io.env,
    cwd: io.cwd,
    signal,
    // A twin built by apply: its archive (the one given, or where it was built from) is listed for what is left to apply.
    openArchive: (recorded) => openStore(given ?? recorded, { env: io.env, signal, cwd: io.cwd }),
  });
  if (booleanFlag(flags, 'json')) {
    io.stdout(JSON.stringify(twinStatusToJson(status), null, 2) + '\n');
    return status.failed ? 1 : 0;
  }
  io.stdout(twinHeadline(status));
  if (status.sourceProblem !== undefined) io.stderr(`pgtwin: warning: ${status.sourceProblem}\n`);
  io.stdout(twinStatusText(status));
  for (const report of status.reports) for (const warning of report.warnings) io.stderr(`pgtwin: WARNING: ${warning}\n`);
  if (status.failed) {
    throw new PgtwinError('FOLLOW_UNHEALTHY', 'failure', 'A follow of this twin has failed or lost its slot.', {
      nextStep: 'Read the warnings above; fix the cause and run pgtwin follow again.',
    });
  }
  return 0;
}
