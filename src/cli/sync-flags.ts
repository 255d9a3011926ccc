/** How the selection and copy flags of sync (and of the commands that take some of them) become settings overrides. */
import type { FlagSpec, ParsedFlags } from './args.js';
import { booleanFlag, listFlag, nonNegativeIntegerFlag, positiveIntegerFlag, stringFlag } from './args.js';
import type { SettingsOverrides, TableFilter } from '../config/index.js';
import { BYTE_SIZE_HINT, parseByteSize } from '../config/index.js';
import { UsageError } from '../errors.js';
import { flagSpecOf } from './definition.js';
import { SYNC } from './definitions/sync.js';

export function byteSizeFlag(flags: ParsedFlags, name: string): number | undefined {
  const value = stringFlag(flags, name);
  if (value === undefined) return undefined;
  const bytes = parseByteSize(value);
  if (bytes === undefined)
    throw new UsageError('BAD_FLAGS', `--${name} takes ${BYTE_SIZE_HINT}, not "${value}".`, { nextStep: `For example --${name} 64MB.` });
  return bytes;
}

/** parseArgs' options of sync, from its definition (kept for the callers that parse sync's flags directly). */
export const SYNC_FLAGS: FlagSpec = flagSpecOf(SYNC);

export function overridesFrom(flags: ParsedFlags): SettingsOverrides {
  return {
    source: stringFlag(flags, 'from'),
    target: stringFlag(flags, 'to'),
    include: listFlag(flags, 'tables'),
    exclude: listFlag(flags, 'exclude'),
    jobs: positiveIntegerFlag(flags, 'jobs'),
    splitTablesLargerThan: byteSizeFlag(flags, 'split-tables-larger-than'),
    maskWorkers: nonNegativeIntegerFlag(flags, 'mask-workers'),
    allowRemoteTarget: booleanFlag(flags, 'allow-remote-target') ? true : undefined,
    cascade: booleanFlag(flags, 'cascade') ? true : undefined,
    filters: tableFilterFlags(flags),
    checkpointFile: checkpointFlag(flags),
    verbose: booleanFlag(flags, 'verbose') ? true : undefined,
  };
}

function checkpointFlag(flags: ParsedFlags): string | undefined {
  const file = stringFlag(flags, 'checkpoint');
  if (file === undefined) return undefined;
  if (file.trim() === '')
    throw new UsageError('BAD_FLAGS', '--checkpoint takes a file path.', { nextStep: 'For example --checkpoint .pgtwin-checkpoint.json.' });
  return file;
}

function listOf(flags: ParsedFlags, name: string): readonly string[] {
  const value = flags.values[name];
  if (value === undefined || typeof value === 'boolean') return [];
  return typeof value === 'string' ? [value] : value;
}

/**
 * `--where TABLE=CONDITION` and `--limit TABLE=N`, each repeatable. The table
 * is everything before the first `=` (a condition holds `=` signs of its own).
 */
export function tableFilterFlags(flags: ParsedFlags): Map<string, Partial<TableFilter>> | undefined {
  const filters = new Map<string, { where?: string; limit?: number }>();
  const entry = (table: string): { where?: string; limit?: number } => {
    const existing = filters.get(table);
    if (existing !== undefined) return existing;
    const created = {};
    filters.set(table, created);
    return created;
  };
  for (const text of listOf(flags, 'where')) {
    const [table, condition] = splitPair(text, 'where', `users="created_at > now() - interval '30 days'"`);
    const filter = entry(table);
    if (filter.where !== undefined)
      throw new UsageError('BAD_FLAGS', `--where is given twice for ${table}.`, {
        nextStep: 'Combine the conditions with AND in one --where.',
      });
    filter.where = condition;
  }
  for (const text of listOf(flags, 'limit')) {
    const [table, count] = splitPair(text, 'limit', 'orders=1000');
    if (!/^(0|[1-9][0-9]*)$/.test(count) || !Number.isSafeInteger(Number(count))) {
      throw new UsageError('BAD_FLAGS', `--limit takes TABLE=N with N a whole number (0 or more), not "${text}".`, {
        nextStep: 'For example --limit orders=1000.',
      });
    }
    const filter = entry(table);
    if (filter.limit !== undefined)
      throw new UsageError('BAD_FLAGS', `--limit is given twice for ${table}.`, { nextStep: 'Give one --limit per table.' });
    filter.limit = Number(count);
  }
  return filters.size === 0 ? undefined : filters;
}

function splitPair(text: string, flag: string, example: string): [string, string] {
  const at = text.indexOf('=');
  const table = at < 0 ? '' : text.slice(0, at).trim();
  const rest = at < 0 ? '' : text.slice(at + 1).trim();
  if (table === '' || rest === '') {
    throw new UsageError('BAD_FLAGS', `--${flag} takes TABLE=${flag === 'where' ? 'CONDITION' : 'N'}, not "${text}".`, {
      nextStep: `For example --${flag} ${example} (quote it for the shell).`,
    });
  }
  return [table, rest];
}
