/** `pgtwin init`: a first pgtwin.yaml in the working directory (scan/init-config.ts), then the next steps. */
import { initText } from '../report/init-text.js';
import { initConfig } from '../scan/index.js';
import { booleanFlag, stringFlag } from './args.js';
import { readFlags } from './command-flags.js';
import { INIT } from './definitions/setup.js';
import type { CliIo } from './io.js';

export async function initCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const flags = readFlags(io, INIT, argv);
  if (flags === undefined) return 0;
  const force = booleanFlag(flags, 'force');
  const from = stringFlag(flags, 'from');
  const to = stringFlag(flags, 'to');
  io.redactor.addUrl(from);
  io.redactor.addUrl(to);
  const result = await initConfig({
    cwd: io.cwd,
    from,
    to,
    env: io.env,
    force,
    signal,
    notice: (line) => io.stderr(`pgtwin: ${line}\n`),
    secretUrl: (url) => io.redactor.addUrl(url),
  });
  io.stdout(initText(result));
  return 0;
}
