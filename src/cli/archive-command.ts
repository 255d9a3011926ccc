/** `pgtwin archive verify|prune`: commands on an archive itself, no database. */
import { checkArchive } from '../archive/archive-check.js';
import { pruneArchive } from '../archive/archive-prune.js';
import { didYouMean } from '../did-you-mean.js';
import { EXIT_CODES, PgtwinError, UsageError } from '../errors.js';
import { archiveCheckText, pruneText } from '../report/archive-text.js';
import { openStore } from '../store/index.js';
import { loadSettings } from '../config/index.js';
import { booleanFlag, stringFlag } from './args.js';
import { archiveLocation } from './apply-command.js';
import { readFlags } from './command-flags.js';
import { ARCHIVE } from './definitions/archive.js';
import { renderHelp } from './help-text.js';
import type { CliIo } from './io.js';

export async function archiveCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(renderHelp(ARCHIVE));
    return name === undefined ? EXIT_CODES.usage : 0;
  }
  const definition = ARCHIVE.subcommands?.find((s) => s.name === `archive ${name}`);
  if (definition === undefined) {
    const near = didYouMean(name, ['verify', 'prune']);
    throw new UsageError(
      'UNKNOWN_COMMAND',
      `Unknown command "archive ${name}"${near !== undefined ? ` (did you mean archive ${near}?)` : ''}.`,
      {
        nextStep: 'Run `pgtwin archive --help` for the list of commands.',
      },
    );
  }
  const flags = readFlags(io, definition, args);
  if (flags === undefined) return 0;
  const settings = await loadSettings({ configPath: stringFlag(flags, 'config'), cwd: io.cwd, env: io.env, overrides: {} });
  for (const warning of settings.warnings) io.stderr(`pgtwin: warning: ${warning}\n`);
  const json = booleanFlag(flags, 'json');
  const store = await openStore(archiveLocation(flags, settings.archive), { env: io.env, signal, cwd: io.cwd });
  try {
    if (name === 'verify') {
      const check = await checkArchive(store, signal);
      if (json) {
        // The problems are the output: one JSON document, and the exit code says whether there are any.
        io.stdout(JSON.stringify(check, null, 2) + '\n');
        return check.problems.length > 0 ? 1 : 0;
      }
      io.stdout(archiveCheckText(check));
      if (check.problems.length > 0) {
        throw new PgtwinError('ARCHIVE_DAMAGED', 'failure', `The archive has ${check.problems.length} problem(s).`, {
          nextStep:
            'Restore the files named above from a backup; a twin applies up to the first damaged file. If they are lost, start a new base (pgtwin capture --new-base) and rebuild twins from it (pgtwin apply --recreate).',
        });
      }
      return 0;
    }
    const keep = Number(stringFlag(flags, 'keep-bases'));
    const result = await pruneArchive(store, keep, booleanFlag(flags, 'dry-run'));
    if (json) io.stdout(JSON.stringify(result, null, 2) + '\n');
    else io.stdout(pruneText(result));
    return 0;
  } finally {
    await store.close();
  }
}
