/**
 * `pgtwin init`: a first pgtwin.yaml in a directory: the environments (without
 * passwords), source and target, strict mode, where the masking key goes, and,
 * when the source can be reached, the scan's rules. The file is read back
 * before this returns; one pgtwin cannot read is not left behind.
 */
import { access, readFile, unlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { CONFIG_FILE_NAMES, loadSettings } from '../config/index.js';
import { PgtwinError, SafetyError, messageOf } from '../errors.js';
import { toEndpoint } from '../pg/endpoint.js';
import { proposeRules } from './propose.js';
import { scanSource } from './scan.js';
import { DEFAULT_SECRET_FILE, starterConfig, type StarterConfig } from './starter-config.js';
import { addRulesToYaml } from './write-rules.js';

export const INIT_FILE_NAME = 'pgtwin.yaml';
const FILE_NAME = INIT_FILE_NAME;

export interface InitConfigRequest {
  /** The directory the file is written to. */
  readonly cwd: string;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Replace an existing pgtwin.yaml. */
  readonly force: boolean;
  readonly signal?: AbortSignal;
  /** A line for the user: a note of the scan, or why the source was not scanned (`warning: ...`). */
  readonly notice: (line: string) => void;
  /** Called with every URL the scan connects with, before it does (so that its password can be hidden). */
  readonly secretUrl: (url: string) => void;
}

export interface InitConfigResult {
  readonly starter: StarterConfig;
  /** What the scan found, when the source was scanned. */
  readonly scanLine: string | undefined;
  /** The config files that were there before (replaced or now shadowed). */
  readonly existing: readonly string[];
}

export async function initConfig(request: InitConfigRequest): Promise<InitConfigResult> {
  const { cwd, force } = request;
  const file = path.join(cwd, FILE_NAME);
  const existing = await existingConfigs(cwd);
  if (existing.length > 0 && !force) {
    throw new SafetyError(
      'CONFIG_EXISTS',
      `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; pgtwin init does not overwrite a config.`,
      {
        nextStep: 'Edit the file, add rules to it with `pgtwin scan --write`, or pass --force to replace pgtwin.yaml with a new one.',
      },
    );
  }

  const starter = starterConfig({
    from: request.from,
    to: request.to,
    env: request.env,
    secretFileExists: await exists(path.join(cwd, DEFAULT_SECRET_FILE)),
  });
  for (const env of [starter.source, starter.target]) if (env?.connectUrl !== undefined) request.secretUrl(env.connectUrl);
  const scanned = await scanInto(request, starter);

  const previous = force ? await readFile(file, 'utf8').catch(() => undefined) : undefined;
  await writeFile(file, scanned.text, { flag: force ? 'w' : 'wx' }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new SafetyError('CONFIG_EXISTS', `${FILE_NAME} was created by something else meanwhile; it was not overwritten.`, {
        nextStep: 'Look at it, then run pgtwin init --force if you still want a new one.',
      });
    throw error;
  });
  await checkReadable(file, starter, request, previous);
  return { starter, scanLine: scanned.line, existing };
}

/** The starter text with the scan's rules merged in, when the source is known and reachable. */
async function scanInto(request: InitConfigRequest, starter: StarterConfig): Promise<{ text: string; line: string | undefined }> {
  const source = starter.source;
  if (source === undefined) return { text: starter.text, line: undefined };
  if (source.connectUrl === undefined) {
    request.notice(
      `${source.variable ?? 'the source URL'} is not set, so the source was not scanned; set it and run \`pgtwin scan --write\`.`,
    );
    return { text: starter.text, line: undefined };
  }
  const endpoint = toEndpoint({ name: source.name, url: source.connectUrl }, 'source', request.env);
  try {
    const scan = await scanSource({ source: endpoint, tables: { include: [], exclude: [], filters: new Map() }, signal: request.signal });
    const proposal = proposeRules(scan, { anonymize: new Map(), keep: new Map() });
    const written = addRulesToYaml(starter.text, proposal);
    const line = `Scanned ${scan.tables.length} table${scan.tables.length === 1 ? '' : 's'} of ${endpoint.display}: ${written.rules} masking rule${written.rules === 1 ? '' : 's'} suggested, ${written.kept} column${written.kept === 1 ? '' : 's'} listed under keep:.`;
    for (const note of proposal.notes) request.notice(`note: ${note}`);
    return { text: written.text, line };
  } catch (error) {
    // The file is still worth writing; the scan can be repeated once the source answers.
    if (error instanceof PgtwinError && (error.category === 'connect' || error.code === 'NOTHING_SELECTED')) {
      request.notice(`warning: the source was not scanned: ${error.message}\n  run \`pgtwin scan --write\` once it can be reached.`);
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
async function checkReadable(
  file: string,
  starter: StarterConfig,
  request: InitConfigRequest,
  previous: string | undefined,
): Promise<void> {
  const env: Record<string, string | undefined> = { ...request.env };
  for (const side of [starter.source, starter.target]) {
    if (side?.variable !== undefined && (env[side.variable] ?? '') === '')
      env[side.variable] = side.variableHolds === 'url' ? 'postgres://stand-in@localhost/db' : 'stand-in';
  }
  try {
    await loadSettings({ configPath: file, cwd: request.cwd, env, overrides: {} });
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
