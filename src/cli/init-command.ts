/**
 * `pgtwin init`: a first pgtwin.yaml in the working directory: the
 * environments (without passwords), source and target, strict mode, where the
 * masking key goes, and, when the source can be reached, the scan's rules.
 */
import { access, readFile, unlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { CONFIG_FILE_NAMES, loadSettings } from '../config/index.js';
import { PgtwinError, SafetyError, messageOf } from '../errors.js';
import { toEndpoint } from '../pg/endpoint.js';
import { DEFAULT_SECRET_FILE, addRulesToYaml, proposeRules, scanSource, starterConfig, type StarterConfig } from '../scan/index.js';
import { booleanFlag, stringFlag } from './args.js';
import { readFlags } from './command-flags.js';
import { INIT } from './definitions/setup.js';
import type { CliIo } from './io.js';

const FILE_NAME = 'pgtwin.yaml';

export async function initCommand(io: CliIo, argv: readonly string[], signal: AbortSignal): Promise<number> {
  const flags = readFlags(io, INIT, argv);
  if (flags === undefined) return 0;
  const force = booleanFlag(flags, 'force');
  const from = stringFlag(flags, 'from');
  const to = stringFlag(flags, 'to');
  io.redactor.addUrl(from);
  io.redactor.addUrl(to);
  const file = path.join(io.cwd, FILE_NAME);
  const existing = await existingConfigs(io.cwd);
  if (existing.length > 0 && !force) {
    throw new SafetyError(
      'CONFIG_EXISTS',
      `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; pgtwin init does not overwrite a config.`,
      {
        nextStep: 'Edit the file, add rules to it with `pgtwin scan --write`, or pass --force to replace pgtwin.yaml with a new one.',
      },
    );
  }

  const starter = starterConfig({ from, to, env: io.env, secretFileExists: await exists(path.join(io.cwd, DEFAULT_SECRET_FILE)) });
  for (const env of [starter.source, starter.target]) if (env?.connectUrl !== undefined) io.redactor.addUrl(env.connectUrl);
  const scanned = await scanInto(io, starter, signal);

  const previous = force ? await readFile(file, 'utf8').catch(() => undefined) : undefined;
  await writeFile(file, scanned.text, { flag: force ? 'w' : 'wx' }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new SafetyError('CONFIG_EXISTS', `${FILE_NAME} was created by something else meanwhile; it was not overwritten.`, {
        nextStep: 'Look at it, then run pgtwin init --force if you still want a new one.',
      });
    throw error;
  });
  await checkReadable(file, starter, io, previous);

  const lines = [`Wrote ${FILE_NAME}: ${summary(starter)}, strict: true.`];
  if (scanned.line !== undefined) lines.push(scanned.line);
  for (const other of existing.filter((name) => name !== FILE_NAME))
    lines.push(`Note: ${other} is now ignored, because ${FILE_NAME} comes first; remove it.`);
  lines.push('', 'Next steps:');
  const steps: string[] = [];
  for (const env of [starter.source, starter.target]) {
    if (env?.variable === undefined) continue;
    steps.push(
      env.variableHolds === 'password'
        ? `export ${env.variable}=...   the password of ${env.name} (not stored in ${FILE_NAME}; percent-encode @ : / ? # in it)`
        : `export ${env.variable}=postgres://...   the URL of ${env.name} (${FILE_NAME} reads it from there)`,
    );
  }
  if (starter.source === undefined) steps.push(`define the production database under environments: in ${FILE_NAME} and set source:`);
  steps.push(
    scanned.line === undefined
      ? `pgtwin scan --write   adds masking rules and a keep: list for every table`
      : `review anonymize: and keep: in ${FILE_NAME} (each rule has a comment saying why)`,
  );
  steps.push(`pgtwin keygen   writes the masking key to ${DEFAULT_SECRET_FILE}; then uncomment secret_file: in ${FILE_NAME}`);
  steps.push('pgtwin plan, then pgtwin sync');
  steps.forEach((step, i) => lines.push(`  ${i + 1}. ${step}`));
  io.stdout(lines.join('\n') + '\n');
  return 0;
}

/** The starter text with the scan's rules merged in, when the source is known and reachable. */
async function scanInto(io: CliIo, starter: StarterConfig, signal: AbortSignal): Promise<{ text: string; line: string | undefined }> {
  const source = starter.source;
  if (source === undefined) return { text: starter.text, line: undefined };
  if (source.connectUrl === undefined) {
    io.stderr(
      `pgtwin: ${source.variable ?? 'the source URL'} is not set, so the source was not scanned; set it and run \`pgtwin scan --write\`.\n`,
    );
    return { text: starter.text, line: undefined };
  }
  const endpoint = toEndpoint({ name: source.name, url: source.connectUrl }, 'source', io.env);
  try {
    const scan = await scanSource({ source: endpoint, tables: { include: [], exclude: [], filters: new Map() }, signal });
    const proposal = proposeRules(scan, { anonymize: new Map(), keep: new Map() });
    const written = addRulesToYaml(starter.text, proposal);
    const line = `Scanned ${scan.tables.length} table${scan.tables.length === 1 ? '' : 's'} of ${endpoint.display}: ${written.rules} masking rule${written.rules === 1 ? '' : 's'} suggested, ${written.kept} column${written.kept === 1 ? '' : 's'} listed under keep:.`;
    for (const note of proposal.notes) io.stderr(`pgtwin: note: ${note}\n`);
    return { text: written.text, line };
  } catch (error) {
    // The file is still worth writing; the scan can be repeated once the source answers.
    if (error instanceof PgtwinError && (error.category === 'connect' || error.code === 'NOTHING_SELECTED')) {
      io.stderr(`pgtwin: warning: the source was not scanned: ${error.message}\n  run \`pgtwin scan --write\` once it can be reached.\n`);
      return { text: starter.text, line: undefined };
    }
    throw error;
  }
}

/**
 * Reads the new file back as every command will, with stand-ins for the
 * variables it references (they may not be set in this shell yet); a file that
 * pgtwin cannot read is not left behind.
 */
async function checkReadable(file: string, starter: StarterConfig, io: CliIo, previous: string | undefined): Promise<void> {
  const env: Record<string, string | undefined> = { ...io.env };
  for (const side of [starter.source, starter.target]) {
    if (side?.variable !== undefined && (env[side.variable] ?? '') === '')
      env[side.variable] = side.variableHolds === 'url' ? 'postgres://stand-in@localhost/db' : 'stand-in';
  }
  try {
    await loadSettings({ configPath: file, cwd: io.cwd, env, overrides: {} });
  } catch (error) {
    await (previous === undefined ? unlink(file) : writeFile(file, previous)).catch(() => undefined);
    throw new PgtwinError(
      'CONFIG_WRITE_FAILED',
      'failure',
      `The new ${FILE_NAME} could not be read back, so it was ${previous === undefined ? 'removed' : 'replaced by the previous one again'}.`,
      {
        cause: error,
        details: error instanceof PgtwinError ? error.details : [messageOf(error)],
        nextStep: 'This is a bug in pgtwin; please report it with the flags you passed (not the password).',
      },
    );
  }
}

function summary(starter: StarterConfig): string {
  const source = starter.source === undefined ? 'no source yet' : `source ${starter.source.name}`;
  const target = starter.target === undefined ? 'target local (the built-in embedded server)' : `target ${starter.target.name}`;
  return `${source}, ${target}`;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

async function existingConfigs(cwd: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of CONFIG_FILE_NAMES) if (await exists(path.join(cwd, name))) found.push(name);
  return found;
}
