/**
 * `pgtwin keygen`: a new masking key in a file only its owner can read. The
 * key is never printed: output and logs are shared, and whoever holds the key
 * can recompute masked values from guessed inputs.
 */
import * as path from 'node:path';
import { writeMaskingKey } from '../anonymize/index.js';
import { UsageError } from '../errors.js';
import { DEFAULT_SECRET_FILE } from '../scan/index.js';
import { booleanFlag, stringFlag } from './args.js';
import { readFlags } from './command-flags.js';
import { KEYGEN } from './definitions/setup.js';
import { gitIgnoreStatus } from './git-ignored.js';
import type { CliIo } from './io.js';

export async function keygenCommand(io: CliIo, argv: readonly string[]): Promise<number> {
  const flags = readFlags(io, KEYGEN, argv);
  if (flags === undefined) return 0;
  const output = stringFlag(flags, 'output') ?? DEFAULT_SECRET_FILE;
  if (output.trim() === '')
    throw new UsageError('BAD_FLAGS', '--output must not be empty.', { nextStep: `Leave --output out to write ${DEFAULT_SECRET_FILE}.` });
  const file = path.resolve(io.cwd, output);
  const shown = shownPath(io.cwd, file);
  const force = booleanFlag(flags, 'force');

  const { replaced } = await writeMaskingKey(file, { force, shown });

  const lines = [
    `${replaced ? 'Replaced the masking key in' : 'Wrote a new masking key to'} ${shown} (mode 0600, readable by you only). The key itself is not shown.`,
  ];
  if (replaced) lines.push('Every masked value changes on the next sync: twins masked with the old key no longer match new data.');
  lines.push(
    '',
    'To use it, add this line to pgtwin.yaml (the path is relative to the file):',
    `  secret_file: ${configPath(shown)}`,
    'or, where a file is awkward (CI), set the environment variable instead:',
    `  export PGTWIN_SECRET="$(cat ${shellWord(shown)})"`,
    '',
    'Keep the key secret and out of version control, and keep a copy somewhere safe:',
    'without it, the next sync masks every value differently.',
  );
  io.stdout(lines.join('\n') + '\n');
  if ((await gitIgnoreStatus(file)) === 'not-ignored') {
    const dir = path.dirname(shown);
    io.stderr(
      `pgtwin: warning: ${shown} is inside a git work tree and not ignored; add ${dir === '.' ? shown : `${dir}/`} to .gitignore so the key is never committed.\n`,
    );
  }
  return 0;
}

function shownPath(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

/** A YAML plain scalar when safe, else quoted. */
function configPath(shown: string): string {
  return /^[A-Za-z0-9._/-]+$/.test(shown) ? shown : JSON.stringify(shown);
}

function shellWord(shown: string): string {
  return /^[A-Za-z0-9._/-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, `'\\''`)}'`;
}
