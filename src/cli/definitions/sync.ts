/** `pgtwin sync` and `pgtwin plan`. */
import type { CommandDef, FlagDef } from '../definition.js';
import { variant } from '../definition.js';
import {
  ALLOW_REMOTE_TARGET,
  CASCADE,
  CONFIG,
  DRY_RUN,
  EXCLUDE,
  FROM,
  JOBS,
  JSON_OUTPUT,
  LIMIT,
  MASK_WORKERS,
  RECREATE,
  SPLIT_TABLES_LARGER_THAN,
  TABLES,
  TO,
  WHERE,
  YES,
} from './flags.js';

const SYNC_FLAG_LIST: readonly FlagDef[] = [
  variant(CONFIG, { help: 'the config file ([lookup](config.md#where-the-file-is-found))' }),
  FROM,
  TO,
  variant(TABLES, { default: '`tables.include`; if empty, every user table (and the twin is the whole database)' }),
  EXCLUDE,
  CASCADE,
  WHERE,
  LIMIT,
  ALLOW_REMOTE_TARGET,
  JOBS,
  YES,
  RECREATE,
  { name: 'schema-only', help: 'only create what the target lacks, exactly as `pgtwin schema`; no rows' },
  {
    name: 'resume',
    help: 'finish the last run that stopped part way: copy only the tables and chunks it did not commit (under a newer source snapshot), then its remaining steps ([guide](guide.md#interruption-and-failure)); does not ask',
  },
  {
    name: 'checkpoint',
    value: 'FILE',
    default: '`checkpoint_file` / `options.checkpoint_file`',
    help: "Confiture's checkpoint: `FILE` is written when the run starts changing the target and removed when it succeeds; while it exists, `sync` resumes that run as `--resume` does (or starts afresh, saying so, when there is nothing to resume)",
  },
  {
    name: 'verbose',
    setting: 'verbose / options.verbose',
    help: 'one line per table and per phase, even on a terminal, instead of progress bars',
  },
  SPLIT_TABLES_LARGER_THAN,
  MASK_WORKERS,
  variant(JSON_OUTPUT, { help: 'print the result (or the error) as JSON on stdout' }),
  variant(DRY_RUN, { help: 'print the plan, exactly as `pgtwin plan`, and exit; writes nothing' }),
];

export const SYNC: CommandDef = {
  name: 'sync',
  summary: 'copy the selected tables from the source to the target (one snapshot, COPY)',
  description: `Copies the selected tables from the source to the target: every table is read
under one exported snapshot (one instant of the source), streamed with
COPY ... TO STDOUT into COPY ... FROM STDIN, masked on the way by the
anonymize: rules of pgtwin.yaml. What the target lacks is created from the
source's catalog first, in pg_depend order (tables, types, functions; keys,
indexes, foreign keys, views, triggers, policies and grants after the load;
materialized views refreshed last; see pgtwin schema). The
selected target tables are truncated first (after confirmation), foreign keys
are set aside during the load and restored afterwards, large objects follow
the config's large_objects: (copy, empty or skip), sequences end at the
source's values, then ANALYZE. Without --to (and no target in the config) the
target is the embedded local server \`local\`, started if needed.`,
  flags: SYNC_FLAG_LIST,
  examples: [
    'pgtwin sync --from "$PROD_URL"                     # into the local embedded server',
    'pgtwin sync --from production --to staging',
    'pgtwin sync --from "$PROD_URL" --to "$STAGING_URL" --tables \'public.*\' --exclude \'*_log\' --yes --json',
    'pgtwin sync --from production --where users="created_at > now() - interval \'30 days\'" --limit orders=10000',
  ],
  exitCodes: `0 ok, 1 failure, 2 usage or config error (also: a selected table does
not exist), 3 cannot connect, 4 schema mismatch, 5 refused for safety (same source
and target, remote target, truncation not confirmed), 6 rows copied but the twin
is incomplete (schema objects not created, each listed with its reason),
130 interrupted (run the same command with --resume to complete).`,
  footer: `Ctrl-C or SIGTERM stops cleanly, between tables or finishing steps; a second
Ctrl-C (not SIGTERM) exits at once.`,
};

export const PLAN: CommandDef = {
  name: 'plan',
  summary: 'show what `sync` would do; writes nothing (same as `sync --dry-run`)',
  description: `Connects to both sides, reads their catalogs and prints what sync would do:
the tables, their column lists and filters, each masked column with its
strategy (and the kind of a \`fake\` rule, inferred when the rule names none),
the foreign keys set aside and the sequences set, and what settings written for
another tool (Confiture's batch_size, checkpoint_file) do here. Every check of
sync runs (unknown tables, schema mismatches, tables referencing the selection,
masking rules, a constant foreign key whose row would not be in the twin);
nothing is written. It takes the flags of sync; those that only change how
sync copies (--yes, --resume, --checkpoint, --verbose, --jobs, --mask-workers,
--split-tables-larger-than, --schema-only) have no effect on the plan.`,
  flags: SYNC_FLAG_LIST,
  exitCodes: 'as for sync (0 when the plan is valid).',
};
