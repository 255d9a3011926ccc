/**
 * Applies what the command line and the environment say on top of the file:
 * flags > PGTWIN_SOURCE_URL / PGTWIN_TARGET_URL > file. Values from flags and the
 * environment are checked here too, and their problems join the file's, so one run
 * shows everything that is wrong.
 */

import type { Draft } from './draft.js';
import { endpointProblem, isPostgresUrl } from './endpoints.js';
import type { Env } from './expand.js';
import type { Reporter } from './problems.js';
import type { SettingsOverrides, TableFilter } from './settings.js';

export interface Overridden {
  readonly source: string | undefined;
  readonly target: string | undefined;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly jobs: number | undefined;
  readonly splitTablesLargerThan: number | undefined;
  readonly maskWorkers: number | undefined;
  readonly allowRemoteTarget: boolean;
  readonly cascade: boolean;
  readonly filters: ReadonlyMap<string, TableFilter>;
  readonly checkpointFile: string | undefined;
  readonly verbose: boolean | undefined;
}

export function applyOverrides(draft: Draft, overrides: SettingsOverrides, env: Env, report: Reporter): Overridden {
  return {
    source: pickEndpoint(overrides.source, '--from', env['PGTWIN_SOURCE_URL'], 'PGTWIN_SOURCE_URL', draft.source, report),
    target: pickEndpoint(overrides.target, '--to', env['PGTWIN_TARGET_URL'], 'PGTWIN_TARGET_URL', draft.target, report),
    include: checkPatterns(overrides.include, '--include', report) ?? draft.include ?? [],
    exclude: checkPatterns(overrides.exclude, '--exclude', report) ?? draft.exclude ?? [],
    jobs: checkJobs(overrides.jobs, report) ?? (draft.jobs === null ? undefined : draft.jobs),
    splitTablesLargerThan: overrides.splitTablesLargerThan ?? draft.splitTablesLargerThan,
    maskWorkers: overrides.maskWorkers ?? draft.maskWorkers,
    allowRemoteTarget: overrides.allowRemoteTarget ?? draft.allowRemoteTarget ?? false,
    cascade: overrides.cascade ?? draft.cascade ?? false,
    filters: mergeFilters(draft.filters, overrides.filters, report),
    checkpointFile: overrides.checkpointFile ?? draft.checkpointFile,
    verbose: overrides.verbose ?? draft.verbose,
  };
}

/**
 * `--where` / `--limit` entries join the file's filters, marked so that they
 * win for the tables they match; one flag of a pair leaves the other part to
 * the file (`--limit users=10` keeps the file's `where` for users).
 */
function mergeFilters(
  file: ReadonlyMap<string, TableFilter>,
  flags: ReadonlyMap<string, Partial<TableFilter>> | undefined,
  report: Reporter,
): ReadonlyMap<string, TableFilter> {
  if (flags === undefined || flags.size === 0) return file;
  const merged = new Map(file);
  for (const [table, filter] of flags) {
    if (table.trim() === '') report.external(filter.where !== undefined ? '--where' : '--limit', 'table names and globs must not be empty');
    if (filter.where !== undefined && filter.where.trim() === '')
      report.external('--where', `the condition for ${table} must not be empty`);
    if (filter.limit !== undefined && !(Number.isSafeInteger(filter.limit) && filter.limit >= 0))
      report.external('--limit', `expected a whole number (0 or more) for ${table}`);
    const written = file.get(table);
    merged.set(table, { where: filter.where ?? written?.where, limit: filter.limit ?? written?.limit, fromCommandLine: true });
  }
  return merged;
}

function pickEndpoint(
  flagValue: string | undefined,
  flag: string,
  envValue: string | undefined,
  envName: string,
  fileValue: string | undefined,
  report: Reporter,
): string | undefined {
  if (flagValue !== undefined) {
    const problem = flagValue.trim() === '' ? 'must not be empty' : endpointProblem(flagValue);
    if (problem !== undefined) report.external(flag, problem);
    return flagValue;
  }
  // An empty variable (`PGTWIN_SOURCE_URL= pgtwin ...`) means "not set", as in most tools.
  if (envValue !== undefined && envValue !== '') {
    if (!isPostgresUrl(envValue)) {
      report.external(`environment variable ${envName}`, 'expected a postgres:// or postgresql:// URL (value not shown)');
    }
    return envValue;
  }
  return fileValue;
}

function checkPatterns(patterns: readonly string[] | undefined, flag: string, report: Reporter): readonly string[] | undefined {
  if (patterns?.some((pattern) => pattern.trim() === '')) report.external(flag, 'table names and globs must not be empty');
  return patterns;
}

function checkJobs(jobs: number | undefined, report: Reporter): number | undefined {
  if (jobs !== undefined && !(Number.isSafeInteger(jobs) && jobs > 0)) report.external('--jobs', 'expected a positive integer');
  return jobs;
}
