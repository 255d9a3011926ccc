/**
 * Embedded environments (`embedded: true`): a PostgreSQL server pgtwin runs
 * itself, and the built-in `local` environment that is one when the file does
 * not define `local`. Only settings live here; src/pg/local-server.ts runs it.
 */

import * as path from 'node:path';
import type { Ctx } from './draft.js';
import type { Path } from './problems.js';
import type { KeyHandler } from './read.js';
import type { EmbeddedServerSettings, EnvironmentSettings, Settings } from './settings.js';

export const LOCAL_ENVIRONMENT = 'local';
/** Not 5432, so the twin does not collide with a PostgreSQL installed on the machine. */
export const DEFAULT_LOCAL_PORT = 54329;
/** Relative to the config file's directory, or the working directory without a file. */
export const DEFAULT_LOCAL_DIR = path.join('.pgtwin', 'local');
/** The server's only superuser. */
export const LOCAL_USER = 'postgres';

const EMBEDDED_ONLY_KEYS = ['port', 'data_dir', 'version'] as const;

/** What the keys of one environment said about embedding, gathered before they are checked together. */
export interface EmbeddedFields {
  embedded?: boolean;
  port?: number;
  dataDir?: string;
  version?: string;
}

/** Key handlers for `embedded`, `port`, `data_dir` and `version`, filling `fields`. */
export function embeddedKeys(ctx: Ctx, fields: EmbeddedFields): Record<string, KeyHandler> {
  return {
    embedded: (raw, at) => {
      const value = ctx.read.boolean(raw, at);
      if (value !== undefined) fields.embedded = value;
    },
    port: (raw, at) => {
      const port = ctx.read.positiveInteger(raw, at);
      if (port !== undefined && port > 65535) ctx.read.report.problem(at, `expected a TCP port (1-65535), got ${port}`);
      else if (port !== undefined) fields.port = port;
    },
    data_dir: (raw, at) => {
      const dir = ctx.read.string(raw, at, 'a directory path');
      if (dir !== undefined) fields.dataDir = path.resolve(ctx.baseDir, dir);
    },
    version: (raw, at) => {
      const version = readVersion(ctx, raw, at);
      if (version !== undefined) fields.version = version;
    },
  };
}

/**
 * Checks the combination of keys of one environment. Returns the embedded
 * environment, or undefined when the environment is an ordinary URL one (or
 * has problems, which are reported).
 */
export function embeddedEnvironment(
  ctx: Ctx,
  name: string,
  raw: Record<string, unknown>,
  at: Path,
  fields: EmbeddedFields,
): EnvironmentSettings | undefined {
  if (fields.embedded !== true) {
    for (const key of EMBEDDED_ONLY_KEYS) {
      if (Object.hasOwn(raw, key))
        ctx.read.report.problem([...at, key], 'only for embedded servers: add `embedded: true`, or remove this key', 'key');
    }
    return undefined;
  }
  if (Object.hasOwn(raw, 'url')) {
    ctx.read.report.problem(
      [...at, 'url'],
      'an embedded server has no `url`: pgtwin runs it and knows where it is (remove `url`, or `embedded: true`)',
      'key',
    );
    return undefined;
  }
  return embeddedSettings(name, {
    port: fields.port ?? DEFAULT_LOCAL_PORT,
    dataDir: fields.dataDir ?? path.resolve(ctx.baseDir, DEFAULT_LOCAL_DIR),
    version: fields.version,
  });
}

export function embeddedSettings(name: string, embedded: EmbeddedServerSettings): EnvironmentSettings {
  return { name, url: passwordlessUrl(embedded.port), embedded };
}

/**
 * The environment called `name`: one defined in the file, or the built-in
 * `local` (an embedded server with every default, its data beside the config
 * file, or in `cwd` without one). The built-in is made here rather than stored
 * in Settings, so Settings keep saying only what the file and flags say.
 */
export function environmentNamed(settings: Settings, name: string, cwd: string = process.cwd()): EnvironmentSettings | undefined {
  const defined = settings.environments.get(name);
  if (defined !== undefined || name !== LOCAL_ENVIRONMENT) return defined;
  const baseDir = settings.configPath === undefined ? cwd : path.dirname(settings.configPath);
  return {
    ...embeddedSettings(LOCAL_ENVIRONMENT, {
      port: DEFAULT_LOCAL_PORT,
      dataDir: path.resolve(baseDir, DEFAULT_LOCAL_DIR),
      version: undefined,
    }),
    builtIn: true,
  };
}

/** Safe to print: the password is added only when the server is started. */
export function passwordlessUrl(port: number, database = 'postgres'): string {
  return `postgres://${LOCAL_USER}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

/** `18`, `"18"` or `"18.4"`, kept as text. */
function readVersion(ctx: Ctx, raw: unknown, at: Path): string | undefined {
  const text =
    typeof raw === 'number' && Number.isInteger(raw) ? String(raw) : ctx.read.string(raw, at, 'a PostgreSQL major version such as 18');
  if (text === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(text.trim())) {
    ctx.read.report.problem(at, 'expected a PostgreSQL major version such as 18');
    return undefined;
  }
  return text.trim();
}
