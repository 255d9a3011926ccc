/**
 * `pgtwin scan --write`: merges suggested rules into the config file on disk.
 * The edited file is loaded again before the command returns; if pgtwin could
 * not read it back, the old file is put back, so a scan never leaves a broken
 * config behind.
 */
import { readFile, unlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { loadSettings } from '../config/index.js';
import { PgtwinError, UsageError, messageOf } from '../errors.js';
import { addRulesToYaml, type RuleAdditions } from './write-rules.js';

export interface WriteConfigRequest {
  /** Absolute path of the YAML config file; created when missing. */
  readonly path: string;
  readonly additions: RuleAdditions;
  /** For reading the file back (its `${VAR}` references). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface WriteConfigResult {
  readonly path: string;
  readonly created: boolean;
  readonly rules: number;
  readonly kept: number;
}

const NEW_FILE_HEADER = '# pgtwin configuration, started by `pgtwin scan --write`. See docs/config.md.\n';

export async function writeRulesToConfig(request: WriteConfigRequest): Promise<WriteConfigResult> {
  const file = request.path;
  if (file.toLowerCase().endsWith('.toml')) {
    throw new UsageError('CONFIG_NOT_EDITABLE', `${path.basename(file)} is TOML; pgtwin scan --write edits YAML files only.`, {
      nextStep: 'Run pgtwin scan without --write and copy the suggested rules into the file by hand, or pass --config with a YAML file.',
    });
  }
  const before = await readIfPresent(file);
  const written = addRulesToYaml(before ?? NEW_FILE_HEADER, request.additions);
  const result = { path: file, created: before === undefined, rules: written.rules, kept: written.kept };
  if (written.rules === 0 && written.kept === 0) return { ...result, created: false };

  // 'wx' for a new file: another process creating it meanwhile is not overwritten.
  await writeFile(file, written.text, before === undefined ? { flag: 'wx' } : { flag: 'w' });
  try {
    await loadSettings({ configPath: file, cwd: path.dirname(file), env: request.env, overrides: {} });
  } catch (error) {
    if (before === undefined) await unlink(file).catch(() => undefined);
    else await writeFile(file, before);
    throw new PgtwinError(
      'CONFIG_WRITE_FAILED',
      'failure',
      `The edited ${path.basename(file)} could not be read back, so the previous version was restored.`,
      {
        cause: error,
        details: error instanceof PgtwinError ? error.details : [messageOf(error)],
        nextStep: 'This is a bug in pgtwin; please report it. Meanwhile add the suggested rules by hand (pgtwin scan prints them).',
      },
    );
  }
  return result;
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError('CONFIG_NOT_EDITABLE', `Cannot read ${path.basename(file)}: ${messageOf(error)}.`, {
      cause: error,
      nextStep: 'Check that the file exists and that you may read and write it.',
    });
  }
}
