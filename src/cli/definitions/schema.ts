/** `pgtwin schema` and `pgtwin diff`. */
import type { CommandDef } from '../definition.js';
import { variant } from '../definition.js';
import {
  ALLOW_REMOTE_TARGET,
  CASCADE,
  CONFIG,
  DRY_RUN,
  EXCLUDE,
  FROM,
  JSON_OUTPUT,
  MASK_WORKERS,
  RECREATE,
  TABLES,
  TO,
  YES,
} from './flags.js';

export const SCHEMA: CommandDef = {
  name: 'schema',
  summary: 'create on the target what the selected tables need (no rows); `--dry-run` prints the DDL',
  description: `Creates on the target the twin's schema, read from the source's catalog (no
pg_dump), in pg_depend order: schemas (empty ones too), extensions,
collations, text search configurations, enum/domain/composite/range types,
sequences, functions,
aggregates, tables (defaults, identity and generated columns, NOT NULL, CHECK,
partitions, inheritance), comments; then keys, exclusion constraints, indexes,
REPLICA IDENTITY, foreign keys, views, materialized views (refreshed),
triggers, rules, row-level security policies, grants. No rows are copied.
Without --tables the twin is the whole database (a database of functions and
views only, too); with --tables it gets what the selected tables' schemas hold
and whatever is built on those tables elsewhere. Only what the target lacks is
created; existing tables are left alone unless --recreate. What cannot be
created (a language, extension or role the target lacks, a function the target
refuses) is listed with the reason; the tables are created all the same.`,
  flags: [
    CONFIG,
    variant(FROM, { help: 'the source, whose catalog is read: an environment of the config file or a `postgres://` URL' }),
    variant(TO, { help: 'the target, where the objects are created' }),
    TABLES,
    EXCLUDE,
    variant(CASCADE, { help: 'also include the tables whose foreign keys point into the selection' }),
    ALLOW_REMOTE_TARGET,
    variant(RECREATE, {
      help: 'drop the selected tables that exist on the target, and what depends on them there, and create them again; asks first',
    }),
    variant(YES, { help: 'do not ask before `--recreate` drops tables; required for `--recreate` when there is no terminal' }),
    variant(DRY_RUN, { help: 'print the DDL in the order it would run; writes nothing' }),
    JSON_OUTPUT,
    // Taken so that `sync --schema-only` accepts the flags of a sync that copies.
    variant(MASK_WORKERS, { default: undefined, help: 'no effect here (taken for `pgtwin sync --schema-only`)' }),
  ],
  examples: [
    'pgtwin schema --from production --to local --dry-run',
    'pgtwin schema --from "$PROD_URL" --to "$TWIN_URL" --tables \'public.*\' --recreate --yes',
  ],
  exitCodes: `0 ok, 2 usage or config error, 3 cannot connect, 4 the target
cannot hold the tables (an extension it lacks, a feature its version lacks),
5 refused for safety (same source and target, remote target, --recreate not
confirmed), 6 the twin is incomplete: some objects were not created (each is
listed with its reason; the others, tables included, were).`,
};

export const DIFF: CommandDef = {
  name: 'diff',
  summary: "how the target's tables differ from the source's (exit 4 when they differ)",
  description: `Compares the source and the target: tables missing on either side, columns
missing on either side, type, NOT NULL, default, identity, generated and
collation differences, partitioning, indexes and constraints (compared by
definition, not by name), and every other object the twin gets (views,
materialized views, functions, aggregates, types, sequences, collations,
extensions, schemas, triggers, rules, policies, row-level security, replica
identity, grants, comments), by name and definition. Both sides are only read.`,
  flags: [
    CONFIG,
    FROM,
    TO,
    variant(TABLES, { help: 'comma-separated names or patterns to compare' }),
    variant(EXCLUDE, { help: 'comma-separated names or patterns to leave out' }),
    variant(CASCADE, { help: 'also compare the tables whose foreign keys point into the selection' }),
    JSON_OUTPUT,
  ],
  examples: ['pgtwin diff --from production --to staging', 'pgtwin diff --json'],
  exitCodes: `0 the schemas match, 4 they differ (each difference is listed;
"[blocks sync]" marks those that would make a sync fail), 2 usage or config
error, 3 cannot connect.`,
};
