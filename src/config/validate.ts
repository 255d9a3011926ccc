/**
 * Validates the parsed (and `${VAR}`-expanded) file into a Draft. Every key of
 * every fixed-key mapping is checked, so a misspelt key is an error rather than a
 * silently ignored setting — for a masking tool, an ignored `anonymize` typo is a
 * data leak.
 */

import path from 'node:path';
import { readAnonymize } from './anonymize-rules.js';
import { confitureKeys } from './confiture.js';
import { DURATION_HINT, parseDuration } from './duration.js';
import type { Ctx } from './draft.js';
import type { Path } from './problems.js';
import { LARGE_OBJECTS_DECISIONS } from './settings.js';
import type { KeyHandler } from './read.js';
import { readEndpoint, readEnvironments, readInclude, readKeep, readOptions, readPath, readTables } from './sections.js';

export function validateFile(data: unknown, ctx: Ctx): void {
  // An empty file (YAML null) is an empty config, like no file at all.
  if (data === undefined || data === null) return;
  const top = ctx.read.record(data, [], 'a mapping of settings at the top level');
  if (top === undefined) return;
  ctx.read.keys(top, [], { ...nativeKeys(ctx), ...confitureKeys(ctx) });
  checkKeptColumnsAreNotMasked(ctx);
}

function nativeKeys(ctx: Ctx): Record<string, KeyHandler> {
  return {
    environments: (value, at) => readEnvironments(ctx, value, at),
    source: (value, at) => readEndpoint(ctx, 'source', value, at),
    target: (value, at) => readEndpoint(ctx, 'target', value, at),
    tables: (value, at) => readTablesAnyShape(ctx, value, at),
    anonymize: (value, at) => readAnonymize(ctx, value, at),
    keep: (value, at) => readKeep(ctx, value, at),
    strict: (value, at) => {
      ctx.draft.strict = ctx.read.boolean(value, at);
    },
    large_objects: (value, at) => {
      const text = ctx.read.string(value, at, `one of ${LARGE_OBJECTS_DECISIONS.join(', ')}`);
      if (text === undefined) return;
      const decision = LARGE_OBJECTS_DECISIONS.find((d) => d === text);
      if (decision === undefined)
        ctx.read.report.problem(at, `expected one of ${LARGE_OBJECTS_DECISIONS.join(', ')}, got ${JSON.stringify(text)}`);
      else ctx.draft.largeObjects = decision;
    },
    strategies: (value, at) => {
      ctx.draft.strategiesModule = readPath(ctx, value, at, 'a module path');
    },
    secret_file: (value, at) => {
      ctx.draft.secretFile = readPath(ctx, value, at, 'a file path');
    },
    archive: (value, at) => readArchive(ctx, value, at),
    options: (value, at) => readOptions(ctx, value, at),
  };
}

/** `archive: LOCATION`, or `archive: {location, new_base_after}`. */
function readArchive(ctx: Ctx, value: unknown, at: Path): void {
  if (typeof value !== 'object' || value === null) {
    readArchiveLocation(ctx, value, at);
    return;
  }
  const section = ctx.read.record(value, at, 'an archive location, or a mapping with `location` and `new_base_after`');
  if (section === undefined) return;
  ctx.read.keys(section, at, {
    location: (raw, p) => readArchiveLocation(ctx, raw, p),
    new_base_after: (raw, p) => {
      const ms = parseDuration(raw);
      if (ms === undefined) ctx.read.report.problem(p, `expected ${DURATION_HINT}`);
      else ctx.draft.newBaseAfterMs = ms;
    },
  });
}

function readArchiveLocation(ctx: Ctx, value: unknown, at: Path): void {
  const text = ctx.read.string(value, at, 'an archive location (a directory, file://, sftp:// or s3:// URL)');
  // (An empty string is reported by ctx.read.string.) A directory is relative to the config file, as every path in it; a URL is taken as written.
  if (text !== undefined) ctx.draft.archive = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : path.resolve(ctx.baseDir, text);
}

/** pgtwin's `{include, exclude, filters}`, or Confiture's plain list (= include). */
function readTablesAnyShape(ctx: Ctx, value: unknown, at: Path): void {
  if (Array.isArray(value)) readInclude(ctx, value, at);
  else readTables(ctx, value, at);
}

/**
 * A column listed both as masked and as kept is contradictory; reporting it beats
 * guessing which one the user meant. Only exact table keys are compared: overlaps
 * between globs are resolved against the real catalog by the masking step.
 */
function checkKeptColumnsAreNotMasked(ctx: Ctx): void {
  for (const [table, { columns, path }] of ctx.draft.keep) {
    const masked = ctx.draft.anonymize.get(table);
    if (masked === undefined) continue;
    columns.forEach((column, index) => {
      if (masked.has(column)) {
        ctx.read.report.problem([...path, index], `column \`${column}\` is also in \`anonymize\`; a column is either masked or kept`);
      }
    });
  }
}
