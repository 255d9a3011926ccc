/** The flags `sync` and `plan` share, and how they become settings overrides. */
import type { FlagSpec, ParsedFlags } from './args.js';
import { booleanFlag, listFlag, nonNegativeIntegerFlag, positiveIntegerFlag, stringFlag } from './args.js';
import type { SettingsOverrides } from '../config/settings.js';
import { BYTE_SIZE_HINT, parseByteSize } from '../config/byte-size.js';
import { UsageError } from '../errors.js';

function byteSizeFlag(flags: ParsedFlags, name: string): number | undefined {
  const value = stringFlag(flags, name);
  if (value === undefined) return undefined;
  const bytes = parseByteSize(value);
  if (bytes === undefined) throw new UsageError('BAD_FLAGS', `--${name} takes ${BYTE_SIZE_HINT}, not "${value}".`, { nextStep: `For example --${name} 64MB.` });
  return bytes;
}

export const SYNC_FLAGS: FlagSpec = {
  config: { type: 'string', short: 'c' },
  from: { type: 'string' },
  to: { type: 'string' },
  tables: { type: 'string', short: 't' },
  exclude: { type: 'string', short: 'x' },
  jobs: { type: 'string', short: 'j' },
  cascade: { type: 'boolean' },
  'allow-remote-target': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  json: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  recreate: { type: 'boolean' },
  resume: { type: 'boolean' },
  'split-tables-larger-than': { type: 'string' },
  'mask-workers': { type: 'string' },
  'schema-only': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** The named flags of sync, for commands that take some of them. */
export function pickSyncFlags(...names: string[]): FlagSpec {
  return Object.fromEntries(names.map((n) => [n, SYNC_FLAGS[n]]).filter((e) => e[1] !== undefined));
}

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
  };
}
