/** `pgtwin setup-source`, `follow`, `teardown`, `status` and `stop`: the twin that follows the source. */
import type { CommandDef } from '../definition.js';
import { variant } from '../definition.js';
import {
  ALLOW_REMOTE_TARGET,
  ARCHIVE_LOCATION,
  CASCADE,
  CONFIG,
  DRY_RUN,
  EXCLUDE,
  FROM,
  JOBS,
  JSON_OUTPUT,
  MASK_WORKERS,
  PUBLICATION,
  SLOT,
  SPLIT_TABLES_LARGER_THAN,
  TABLES,
  TO,
  YES,
} from './flags.js';

const TWIN_NAMES_SLOT = variant(TO, { help: 'the twin: only names the slot; not connected to, not started' });

export const SETUP_SOURCE: CommandDef = {
  name: 'setup-source',
  summary: 'check the source for `follow`; create the publication (writes to the source, asks first)',
  description: `Prepares the source for \`pgtwin follow\`. Checks, each with its fix:
wal_level = logical, a free replication slot and WAL sender, the REPLICATION
privilege of the role follow connects as, SELECT on the selected tables, and a
usable replica identity for every selected table (a table without a primary key
would make production's UPDATEs and DELETEs fail once published). Then creates
the publication for the selected tables, or adds the ones it lacks.

This command writes to the source (only it and follow do). It prints the SQL
and asks first; --dry-run prints the SQL and changes nothing. Settings that need
a restart (wal_level, max_replication_slots, max_wal_senders) are never
changed: they are reported with the fix (for managed services, the parameter to
set) and the exit code is 1. The slot is not created here: the first follow
creates it, so that its snapshot seeds the twin.`,
  flags: [
    CONFIG,
    variant(FROM, { help: 'the source, checked and changed' }),
    TWIN_NAMES_SLOT,
    TABLES,
    EXCLUDE,
    variant(CASCADE, { help: 'also include the tables whose foreign keys point into the selection' }),
    variant(SLOT, {
      default: "`pgtwin_` and a hash of the twin's URL, as `follow` names it",
      help: "the twin's replication slot (checked, not created)",
    }),
    PUBLICATION,
    {
      name: 'replica-identity-full',
      help: '`ALTER TABLE ... REPLICA IDENTITY FULL` on the selected tables (and partitions) that have no usable replica identity, then publish them (changes production tables: only when asked)',
    },
    {
      name: 'create-role',
      value: 'NAME',
      help: 'create (or complete) the role follow connects as: `LOGIN REPLICATION` (on RDS and Aurora: `LOGIN` and `rds_replication`), `CONNECT` on the database, `USAGE` on the schemas, `SELECT` on the selected tables; the password comes from `PGTWIN_REPLICATION_PASSWORD` and is printed as `***`',
    },
    variant(DRY_RUN, { help: 'print the checks and the SQL; change nothing' }),
    variant(YES, { help: 'do not ask before changing the source; required when there is no terminal' }),
    JSON_OUTPUT,
  ],
  examples: [
    'pgtwin setup-source --from production --dry-run',
    'PGTWIN_REPLICATION_PASSWORD=... pgtwin setup-source --from "$PROD_URL" --create-role pgtwin_follow --yes',
  ],
  exitCodes: `0 the source is ready for follow, 1 not ready (each problem is listed
with its fix), 2 usage or config error, 3 cannot connect, 5 not confirmed.`,
};

export const TEARDOWN: CommandDef = {
  name: 'teardown',
  summary: "drop the twin's slot and the publication on the source (asks first)",
  description: `Removes what follow keeps on the source: the twin's replication slot (an
inactive slot keeps WAL on the source forever) and the publication. Prints the
SQL and asks first; --dry-run prints it and drops nothing. A slot in use (a
follow is running) is never dropped. The publication is shared: while other
twins' slots (pgtwin_*) exist on the database it is kept unless --force.
Roles created by setup-source --create-role are left alone.`,
  flags: [
    CONFIG,
    FROM,
    TWIN_NAMES_SLOT,
    variant(SLOT, { help: 'the slot to drop' }),
    variant(PUBLICATION, { help: 'the publication to drop' }),
    { name: 'keep-publication', help: 'drop only the slot' },
    { name: 'force', help: "drop the publication even though other twins' slots exist" },
    variant(DRY_RUN, { help: 'print the SQL; drop nothing' }),
    variant(YES, { help: 'do not ask; required when there is no terminal' }),
    variant(JSON_OUTPUT, {
      help: 'print the result as JSON on stdout: `slot`, `publication`, `slotFound`, `publicationFound`, `statements`, `dryRun`, `applied`, `droppedSlot`, `droppedPublication`, `warnings`',
    }),
  ],
  exitCodes: `0 dropped (or nothing to drop), 1 failure, 2 usage or config error,
3 cannot connect, 5 refused (slot in use, slot of another database, not confirmed).`,
};

export const FOLLOW: CommandDef = {
  name: 'follow',
  summary: "keep the twin fresh from the source's change stream (logical replication), masked",
  description: `Keeps the twin within seconds of the source through a logical replication slot
(pgoutput). The first time, follow creates the slot and loads the twin from the
slot's exported snapshot (creating tables as sync does; the truncation needs
confirmation or --yes), so the stream starts exactly where the snapshot ends.
Then every change is masked with the same rules and key as the snapshot and
applied in source commit order, several source transactions per target
transaction. The last applied position is stored in the twin with the changes:
after a crash or kill, follow restarts exactly there. It runs in the
foreground until SIGINT/SIGTERM or \`pgtwin stop\`, committing what it has
before it exits; lost connections are retried with backoff.

The twin is a replica: changes are applied with session_replication_role =
replica, so its own triggers and rules do not rewrite them (a target role that
is not a superuser needs GRANT SET ON PARAMETER session_replication_role, from
PostgreSQL 15). Filters hold: a where: table gets only the rows its filter
keeps (evaluated on the source), a limit: table follows only the rows copied.

The publication must exist first: \`pgtwin setup-source\` checks the source and
creates it.

Changing the selection (tables:, --tables, --exclude) of a twin that follows:
run \`pgtwin setup-source\` (it adds new tables to the publication, and drops
unselected ones when no other twin follows this database), then follow again.
It says what changed; an added table is created if missing, copied from a new
snapshot (truncation confirmed or --yes) and then followed, with no change lost
or applied twice; a removed table is no longer applied and keeps its rows.`,
  flags: [
    CONFIG,
    variant(FROM, { help: 'the source; its role needs REPLICATION (`pgtwin setup-source` checks)' }),
    variant(TO, { help: 'the twin' }),
    variant(TABLES, { help: 'comma-separated names or patterns of the tables to follow' }),
    EXCLUDE,
    CASCADE,
    variant(ALLOW_REMOTE_TARGET, { help: 'allow a twin that is not on this machine' }),
    variant(JOBS, { help: "parallel copies of the first snapshot's tables" }),
    variant(SPLIT_TABLES_LARGER_THAN, { help: "as for `sync`, for the first snapshot's copy" }),
    variant(MASK_WORKERS, { help: "as for `sync`, for the first snapshot's copy" }),
    variant(SLOT, { help: 'the replication slot' }),
    variant(PUBLICATION, { help: 'the publication streamed' }),
    variant(YES, { help: 'confirm the truncation of the first snapshot, or of a table added to the selection that the twin already has' }),
  ],
  examples: ['pgtwin setup-source --from production --yes', 'pgtwin follow --from production --to local --yes'],
  exitCodes: `0 stopped cleanly, 1 failure (schema drift, a change that cannot be
applied: the position is kept, fix and restart), 2 usage or config error,
3 cannot connect, 4 a row for a partition the twin lacks (added on the source:
create it on the twin and restart), 5 refused for safety, 130 interrupted
before streaming.`,
};

export const STATUS: CommandDef = {
  name: 'status',
  summary: 'lag, slot health and activity of each follow of the twin',
  description: `Where each follow of the twin stands: the position and time last applied, lag
(bytes behind the source, seconds since the last applied source commit), WAL
the slot retains on the source (a loud warning above 1 GB: a slot nobody
follows fills the source's disk), changes per table in the last hour, and
whether a follow runs from this directory. For a twin built by \`pgtwin apply\`:
the last change file and source commit applied, and how many change files of
the archive are not applied yet. Reads only.`,
  flags: [
    CONFIG,
    variant(FROM, { help: 'the source (optional: without it, only the twin is read)' }),
    variant(TO, { help: 'the twin' }),
    variant(ALLOW_REMOTE_TARGET, { help: 'read a twin that is not on this machine' }),
    {
      name: 'archive',
      value: 'LOCATION',
      default: 'where the twin was built from (`pgtwin apply`)',
      help: 'for a twin built from an archive: the archive listed to say how many change files the twin is behind',
    },
    variant(JSON_OUTPUT, { help: 'print as JSON on stdout' }),
  ],
  exitCodes: '0 ok, 1 a follow has failed or its slot is gone, 2 usage error, 3 cannot connect.',
};

export const STOP: CommandDef = {
  name: 'stop',
  summary: 'stop the follow, capture or apply started from this directory, cleanly',
  description: `Stops the pgtwin follow, capture and apply processes started from this
directory (found by their pid files in .pgtwin/): sends SIGTERM, and waits
until each has finished what it had in hand and exited: a follow commits its
batch, a capture stores its change file (the slot is acknowledged past it),
an apply commits its file. Each exits 0 and the next run resumes exactly.
Without a flag, every one of them is stopped; --slot, --archive and --to
pick one.`,
  flags: [
    variant(CONFIG, { help: 'the config file (its directory holds `.pgtwin/`)' }),
    variant(SLOT, { default: undefined, help: 'only the follow of this slot' }),
    variant(ARCHIVE_LOCATION, { default: undefined, help: 'only the capture into this archive' }),
    variant(TO, { help: 'only the apply into this twin' }),
    { name: 'timeout', value: 'SECONDS', default: '`60`', help: 'how long to wait' },
  ],
  exitCodes: '0 stopped (or nothing was running), 1 still running after the timeout.',
};
