/**
 * loadSettings: find the config file, parse it, expand `${VAR}`, validate, apply
 * environment and flag overrides, and either return a trusted Settings or throw one
 * ConfigError listing every problem.
 */

import { readFile, access } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError, messageOf } from '../errors.js';
import { emptyDraft, type Draft } from './draft.js';
import { expandTree } from './expand.js';
import { applyOverrides, type Overridden } from './overrides.js';
import { formatOf, parseConfigText, type ParsedConfig } from './parse.js';
import { Reporter } from './problems.js';
import { Reader } from './read.js';
import type { Settings, SettingsOverrides } from './settings.js';
import { validateFile } from './validate.js';
import { confitureNotes } from './confiture-notes.js';

export interface LoadSettingsInput {
  /** `--config`; when given and missing, a ConfigError says so. */
  configPath?: string | undefined;
  /** Where to look for pgtwin.yaml, pgtwin.yml, then pgtwin.toml when no configPath is given. */
  cwd: string;
  /** process.env, injected for tests. */
  env: Readonly<Record<string, string | undefined>>;
  /** From CLI flags. */
  overrides: SettingsOverrides;
}

/** Looked for in this order when no --config is given. */
export const CONFIG_FILE_NAMES: readonly string[] = ['pgtwin.yaml', 'pgtwin.yml', 'pgtwin.toml'];

/** Tables above this heap size are split into chunks copied in parallel. */
export const DEFAULT_SPLIT_TABLES_LARGER_THAN = 256 * 1024 * 1024;
export const DEFAULT_BATCH_SIZE = 10_000;

interface ConfigFile {
  readonly path: string;
  /** As shown in messages: relative to cwd when inside it. */
  readonly display: string;
  readonly text: string;
  readonly warnings: readonly string[];
}

export async function loadSettings(input: LoadSettingsInput): Promise<Settings> {
  const file = await findConfigFile(input.cwd, input.configPath);
  const parsed: ParsedConfig =
    file === undefined
      ? { data: undefined, locate: () => undefined, syntaxProblems: [] }
      : await parseConfigText(file.text, formatOf(file.path));
  const report = new Reporter(file?.display, parsed.locate);
  for (const problem of parsed.syntaxProblems) report.syntax(problem.position, problem.message);

  const draft = emptyDraft();
  // After a syntax error the tree is unreliable; validating it would only add noise.
  if (parsed.syntaxProblems.length === 0) {
    const expanded = expandTree(parsed.data, input.env, (at, message) => report.problem(at, message));
    const baseDir = file === undefined ? input.cwd : path.dirname(file.path);
    validateFile(expanded.data, { read: new Reader(report, expanded), draft, baseDir });
  }
  // `--checkpoint` is relative to where the command runs, like every other file flag.
  const checkpointFile = input.overrides.checkpointFile === undefined ? undefined : path.resolve(input.cwd, input.overrides.checkpointFile);
  const overridden = applyOverrides(draft, { ...input.overrides, checkpointFile }, input.env, report);

  const problems = report.problems;
  if (problems.length > 0) throw problemsError(problems, report.fileProblemCount, file?.display);
  return buildSettings(file, draft, overridden, report.warnings);
}

function buildSettings(file: ConfigFile | undefined, draft: Draft, overridden: Overridden, warnings: readonly string[]): Settings {
  return Object.freeze({
    configPath: file?.path,
    environments: draft.environments,
    source: overridden.source,
    target: overridden.target,
    tables: Object.freeze({ include: overridden.include, exclude: overridden.exclude, filters: overridden.filters }),
    anonymize: draft.anonymize,
    keep: new Map([...draft.keep].map(([table, entry]) => [table, entry.columns] as const)),
    strict: draft.strict ?? false,
    largeObjects: draft.largeObjects,
    strategiesModule: draft.strategiesModule,
    secretFile: draft.secretFile,
    archive: draft.archive,
    newBaseAfterMs: draft.newBaseAfterMs,
    options: Object.freeze({
      jobs: overridden.jobs,
      splitTablesLargerThan: overridden.splitTablesLargerThan ?? DEFAULT_SPLIT_TABLES_LARGER_THAN,
      maskWorkers: overridden.maskWorkers,
      batchSize: draft.batchSize ?? DEFAULT_BATCH_SIZE,
      allowRemoteTarget: overridden.allowRemoteTarget,
      showProgress: draft.showProgress,
      cascade: overridden.cascade,
      checkpointFile: overridden.checkpointFile,
      verbose: overridden.verbose,
    }),
    warnings: [...(file?.warnings ?? []), ...warnings],
    notes: confitureNotes(draft, overridden),
  });
}

function problemsError(problems: readonly string[], fileProblemCount: number, display: string | undefined): ConfigError {
  const many = problems.length > 1;
  const count = `${problems.length} problem${many ? 's' : ''}`;
  const onlyFile = display !== undefined && fileProblemCount === problems.length;
  const listed = many ? 'the problems listed' : 'the problem listed';
  let nextStep: string;
  if (onlyFile) nextStep = `Fix ${listed} in ${display} (each line gives file:line:column and the key), then run the command again.`;
  else if (display !== undefined)
    nextStep = `Fix ${listed}, in ${display} or in the flags and environment variables named, then run the command again.`;
  else nextStep = `Fix ${listed}, in the flags and environment variables named, then run the command again.`;
  return new ConfigError(`${onlyFile ? display : 'The configuration'} has ${count}`, { details: problems, nextStep });
}

function displayPath(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

async function findConfigFile(cwd: string, configPath: string | undefined): Promise<ConfigFile | undefined> {
  if (configPath !== undefined) {
    const file = path.resolve(cwd, configPath);
    const display = displayPath(cwd, file);
    try {
      return { path: file, display, text: await readFile(file, 'utf8'), warnings: [] };
    } catch (error) {
      throw readError(error, display, true);
    }
  }
  for (const [index, name] of CONFIG_FILE_NAMES.entries()) {
    const file = path.join(cwd, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') continue;
      throw readError(error, name, false);
    }
    const others = await existing(CONFIG_FILE_NAMES.slice(index + 1).map((other) => path.join(cwd, other)));
    const warnings = others.map(
      (other) => `${path.basename(other)} is ignored because ${name} is used (a directory should hold only one of them)`,
    );
    return { path: file, display: displayPath(cwd, file), text, warnings };
  }
  // No file at all: every setting takes its default, and flags/env may still supply source and target.
  return undefined;
}

async function existing(files: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const file of files) {
    try {
      await access(file);
      found.push(file);
    } catch {
      // Not there: nothing to warn about.
    }
  }
  return found;
}

function readError(error: unknown, display: string, fromFlag: boolean): ConfigError {
  const code = errorCode(error);
  if (code === 'ENOENT') {
    return new ConfigError(`Config file ${display} does not exist`, {
      cause: error,
      nextStep: 'Check the --config path, or leave --config out to use pgtwin.yaml, pgtwin.yml or pgtwin.toml from the current directory.',
    });
  }
  if (code === 'EISDIR') {
    return new ConfigError(`Config file ${display} is a directory`, {
      cause: error,
      nextStep: fromFlag ? 'Pass the path of a pgtwin.yaml or pgtwin.toml file to --config.' : `Remove or rename the directory ${display}.`,
    });
  }
  return new ConfigError(`Cannot read config file ${display}: ${messageOf(error)}`, {
    cause: error,
    nextStep: 'Check that the file exists and that you may read it.',
  });
}
