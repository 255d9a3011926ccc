/**
 * The mutable settings gathered from the file while it is validated, before flags
 * and environment variables are applied. Several keys may set the same thing (a
 * Confiture `parallel` and pgtwin's `options.jobs`); `claim` makes the second one a
 * problem instead of letting the file order decide silently.
 */

import type { EnvironmentSettings, LargeObjectsDecision, StrategySpec, TableFilter } from './settings.js';
import { formatPath, type Path } from './problems.js';
import type { Reader } from './read.js';

export interface Draft {
  readonly environments: Map<string, EnvironmentSettings>;
  source?: string;
  target?: string;
  include?: string[];
  exclude?: string[];
  readonly filters: Map<string, TableFilter>;
  readonly anonymize: Map<string, Map<string, StrategySpec>>;
  readonly keep: Map<string, { readonly columns: string[]; readonly path: Path }>;
  strict?: boolean;
  largeObjects?: LargeObjectsDecision;
  strategiesModule?: string;
  secretFile?: string;
  /** Where capture writes (and apply reads) the archive: an absolute directory or a URL. */
  archive?: string;
  /** `archive.new_base_after`, in milliseconds. */
  newBaseAfterMs?: number;
  /** `null`: explicitly "one per CPU" (Confiture `parallel: true`). */
  jobs?: number | null;
  batchSize?: number;
  splitTablesLargerThan?: number;
  maskWorkers?: number;
  allowRemoteTarget?: boolean;
  showProgress?: boolean;
  cascade?: boolean;
  /** Absolute path (Confiture's `checkpoint_file`). */
  checkpointFile?: string;
  verbose?: boolean;
  readonly claims: Map<ClaimField, string>;
}

export type ClaimField =
  'source' | 'target' | 'include' | 'anonymize' | 'jobs' | 'batchSize' | 'showProgress' | 'checkpointFile' | 'verbose';

export function emptyDraft(): Draft {
  return {
    environments: new Map(),
    filters: new Map(),
    anonymize: new Map(),
    keep: new Map(),
    claims: new Map(),
  };
}

/** What the section readers share. */
export interface Ctx {
  readonly read: Reader;
  readonly draft: Draft;
  /** Directory of the config file; relative paths in it are resolved against this. */
  readonly baseDir: string;
}

/** Records that the key at `path` sets `field`; false (and a problem) when another key already did. */
export function claim(ctx: Ctx, field: ClaimField, path: Path): boolean {
  const label = formatPath(path);
  const previous = ctx.draft.claims.get(field);
  if (previous !== undefined && previous !== label) {
    ctx.read.report.problem(path, `sets the same thing as \`${previous}\`; keep only one of them`, 'key');
    return false;
  }
  ctx.draft.claims.set(field, label);
  return true;
}
