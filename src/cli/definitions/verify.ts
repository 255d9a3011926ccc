/** `pgtwin verify`. */
import type { CommandDef } from '../definition.js';
import { variant } from '../definition.js';
import { ALLOW_REMOTE_TARGET, CASCADE, CONFIG, EXCLUDE, FROM, JSON_OUTPUT, TABLES, TO } from './flags.js';

export const VERIFY: CommandDef = {
  name: 'verify',
  summary: 'compare row counts and checksums with the source; `--leaks` looks for masked values left in clear',
  description: `Checks the twin against the source with the same plan as sync (same tables,
columns, filters and masking rules). Nothing is written to either side; the
leak check creates temporary tables on the target, dropped at the end.

  - Nothing lost: per table, the row counts and a checksum of the columns copied
    unmasked (masked columns differ by design). The source is read in one
    read-only snapshot.
  - Nothing leaked (--leaks): every distinct value of every masked source column
    is looked for in the target, as a whole value, in the text, text array and
    JSON columns, and in the masked columns themselves. A value in a column that
    is not masked is a leak; in a masked column it is one when the row kept its
    own source value (another row's value is a dictionary coincidence, counted
    but not a leak); in a table without a primary key it counts as a possible
    leak. Examples name the table, column and row key, never the value unless
    --show-values.`,
  flags: [
    variant(CONFIG, { help: 'the config file (its `anonymize:` rules say which columns are masked)' }),
    FROM,
    variant(TO, { help: 'the target (the twin)' }),
    variant(TABLES, { help: 'comma-separated names or patterns to check' }),
    variant(EXCLUDE, { help: 'comma-separated names or patterns to leave out' }),
    variant(CASCADE, { help: 'also check the tables whose foreign keys point into the selection' }),
    variant(ALLOW_REMOTE_TARGET, { help: 'allow a target that is not on this machine' }),
    { name: 'leaks', help: 'also look for masked source values in the target' },
    {
      name: 'min-length',
      value: 'N',
      default: '`4`',
      help: "with `--leaks`: ignore source values shorter than `N` characters (`'FR'` or `'12'` found elsewhere proves nothing)",
    },
    { name: 'show-values', help: 'with `--leaks`: print the leaked values in the examples' },
    JSON_OUTPUT,
  ],
  examples: ['pgtwin verify --from production --to staging', 'pgtwin verify --from production --to local --leaks --json'],
  exitCodes: `0 every table matches (and, with --leaks, no leak), 1 a table differs,
5 leaks found, 2 usage or config error, 3 cannot connect, 4 schema mismatch.`,
};
