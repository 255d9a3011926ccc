/**
 * Readers for the sections of pgtwin's own file shape: environments, source and
 * target, tables, keep, options and the single-value keys. Anonymize rules live in
 * anonymize-rules.ts and Confiture's keys in confiture.ts.
 */

import { BYTE_SIZE_HINT, parseByteSize } from './byte-size.js';
import * as path from 'node:path';
import { claim, type Ctx } from './draft.js';
import { embeddedEnvironment, embeddedKeys, type EmbeddedFields } from './embedded.js';
import { readConfitureDatabase } from './confiture-database.js';
import { endpointProblem, isPostgresUrl } from './endpoints.js';
import type { Path } from './problems.js';

export function readEnvironments(ctx: Ctx, value: unknown, at: Path): void {
  const environments = ctx.read.record(value, at, 'a mapping of environment name -> { url } or { embedded: true }');
  if (environments === undefined) return;
  for (const [name, entry] of Object.entries(environments)) {
    const entryPath = [...at, name];
    if (name.trim() === '') ctx.read.report.problem(entryPath, 'environment names must not be empty', 'key');
    const fields = ctx.read.record(entry, entryPath, 'a mapping with `url`');
    if (fields === undefined) continue;
    let url: string | undefined;
    const embedded: EmbeddedFields = {};
    ctx.read.keys(fields, entryPath, {
      ...embeddedKeys(ctx, embedded),
      url: (raw, urlPath) => {
        url = ctx.read.string(raw, urlPath, 'a postgres:// URL');
        if (url !== undefined && !isPostgresUrl(url)) {
          ctx.read.report.problem(urlPath, 'expected a postgres:// or postgresql:// URL (value not shown)');
          url = undefined;
        }
      },
      // Confiture's confiture.yaml: the server as parts or a URL.
      database: (raw, databasePath) => {
        if (Object.hasOwn(fields, 'url')) ctx.read.report.problem(databasePath, 'give either `url` or `database`, not both', 'key');
        else url = readConfitureDatabase(ctx, raw, databasePath);
      },
      // Confiture's build and migrate read these; a sync has no use for them.
      schema_dirs: (_raw, keyPath) => ctx.read.report.warning(keyPath, CONFITURE_BUILD_ONLY, 'key'),
      seed_dirs: (_raw, keyPath) => ctx.read.report.warning(keyPath, CONFITURE_BUILD_ONLY, 'key'),
      // Many tools take separate credential keys; pgtwin takes one URL (or Confiture's `database:` parts).
      password: (_raw, keyPath) =>
        ctx.read.report.problem(
          keyPath,
          'not a key here: put the credentials in `url`, e.g. "postgres://user:${DB_PASSWORD}@host/db", or under `database:` as Confiture does',
          'key',
        ),
    });
    const embeddedEnv = embeddedEnvironment(ctx, name, fields, entryPath, embedded);
    if (embedded.embedded === true) {
      if (Object.hasOwn(fields, 'database')) {
        ctx.read.report.problem(
          [...entryPath, 'database'],
          'an embedded server has no `database:`: pgtwin runs it and knows where it is',
          'key',
        );
      } else if (embeddedEnv !== undefined && name.trim() !== '') {
        ctx.draft.environments.set(name, embeddedEnv);
      }
      continue;
    }
    if (!Object.hasOwn(fields, 'url') && !Object.hasOwn(fields, 'database'))
      ctx.read.report.problem(entryPath, "missing `url` (or Confiture's `database:`)");
    if (url !== undefined && name.trim() !== '') ctx.draft.environments.set(name, { name, url });
  }
}

const CONFITURE_BUILD_ONLY =
  "ignored: Confiture's build and migrate read it; pgtwin creates the twin's tables from the source's catalog (`pgtwin schema`)";

export function readEndpoint(ctx: Ctx, field: 'source' | 'target', value: unknown, at: Path): void {
  if (!claim(ctx, field, at)) return;
  const text = ctx.read.string(value, at, 'an environment name or a postgres:// URL');
  if (text === undefined) return;
  const problem = endpointProblem(text);
  if (problem !== undefined) ctx.read.report.problem(at, problem);
  else ctx.draft[field] = text;
}

/** A list of include patterns, from `tables.include` or Confiture's top-level `tables` list. */
export function readInclude(ctx: Ctx, value: unknown, at: Path): void {
  if (!claim(ctx, 'include', at)) return;
  const patterns = ctx.read.stringList(value, at, 'table name or glob');
  if (patterns !== undefined) ctx.draft.include = patterns;
}

export function readTables(ctx: Ctx, value: unknown, at: Path): void {
  const tables = ctx.read.record(value, at, 'a mapping with include/exclude/filters, or a list of table names');
  if (tables === undefined) return;
  ctx.read.keys(tables, at, {
    include: (raw, p) => readInclude(ctx, raw, p),
    exclude: (raw, p) => {
      const patterns = ctx.read.stringList(raw, p, 'table name or glob');
      if (patterns !== undefined) ctx.draft.exclude = patterns;
    },
    filters: (raw, p) => readFilters(ctx, raw, p),
  });
}

function readFilters(ctx: Ctx, value: unknown, at: Path): void {
  const filters = ctx.read.record(value, at, 'a mapping of table name or glob -> { where, limit }');
  if (filters === undefined) return;
  for (const [table, raw] of Object.entries(filters)) {
    const filterPath = [...at, table];
    if (table.trim() === '') ctx.read.report.problem(filterPath, 'table names must not be empty', 'key');
    const fields = ctx.read.record(raw, filterPath, 'a mapping with `where` and/or `limit`');
    if (fields === undefined) continue;
    let where: string | undefined;
    let limit: number | undefined;
    ctx.read.keys(fields, filterPath, {
      where: (w, p) => {
        where = ctx.read.string(w, p, 'an SQL condition');
      },
      limit: (l, p) => {
        limit = ctx.read.nonNegativeInteger(l, p);
      },
    });
    ctx.draft.filters.set(table, { where, limit });
  }
}

/** table -> columns copied as they are. */
export function readKeep(ctx: Ctx, value: unknown, at: Path): void {
  const keep = ctx.read.record(value, at, 'a mapping of table name -> list of columns');
  if (keep === undefined) return;
  for (const [table, raw] of Object.entries(keep)) {
    const tablePath = [...at, table];
    if (table.trim() === '') ctx.read.report.problem(tablePath, 'table names must not be empty', 'key');
    const columns = ctx.read.stringList(raw, tablePath, 'column name');
    if (columns !== undefined) ctx.draft.keep.set(table, { columns, path: tablePath });
  }
}

export function readOptions(ctx: Ctx, value: unknown, at: Path): void {
  const options = ctx.read.record(value, at);
  if (options === undefined) return;
  ctx.read.keys(options, at, {
    jobs: (raw, p) => readJobs(ctx, raw, p),
    batch_size: (raw, p) => readBatchSize(ctx, raw, p),
    allow_remote_target: (raw, p) => {
      ctx.draft.allowRemoteTarget = ctx.read.boolean(raw, p);
    },
    show_progress: (raw, p) => readShowProgress(ctx, raw, p),
    cascade: (raw, p) => {
      ctx.draft.cascade = ctx.read.boolean(raw, p);
    },
    mask_workers: (raw, p) => {
      const workers = ctx.read.nonNegativeInteger(raw, p);
      if (workers !== undefined) ctx.draft.maskWorkers = workers;
    },
    split_tables_larger_than: (raw, p) => {
      const bytes = parseByteSize(raw);
      if (bytes === undefined) ctx.read.report.problem(p, `expected ${BYTE_SIZE_HINT}`);
      else ctx.draft.splitTablesLargerThan = bytes;
    },
    checkpoint_file: (raw, p) => readCheckpointFile(ctx, raw, p),
    verbose: (raw, p) => readVerbose(ctx, raw, p),
  });
}

export function readCheckpointFile(ctx: Ctx, value: unknown, at: Path): void {
  if (!claim(ctx, 'checkpointFile', at)) return;
  const file = readPath(ctx, value, at, 'a file path');
  if (file !== undefined) ctx.draft.checkpointFile = file;
}

export function readVerbose(ctx: Ctx, value: unknown, at: Path): void {
  if (claim(ctx, 'verbose', at)) ctx.draft.verbose = ctx.read.boolean(value, at);
}

export function readJobs(ctx: Ctx, value: unknown, at: Path): void {
  if (claim(ctx, 'jobs', at)) ctx.draft.jobs = ctx.read.positiveInteger(value, at);
}

export function readBatchSize(ctx: Ctx, value: unknown, at: Path): void {
  if (claim(ctx, 'batchSize', at)) ctx.draft.batchSize = ctx.read.positiveInteger(value, at);
}

export function readShowProgress(ctx: Ctx, value: unknown, at: Path): void {
  if (claim(ctx, 'showProgress', at)) ctx.draft.showProgress = ctx.read.boolean(value, at);
}

/** A path written in the file, resolved against the file's directory. */
export function readPath(ctx: Ctx, value: unknown, at: Path, what: string): string | undefined {
  const text = ctx.read.string(value, at, what);
  return text === undefined ? undefined : path.resolve(ctx.baseDir, text);
}
