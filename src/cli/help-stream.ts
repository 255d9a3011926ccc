/** `--help` of follow, status and stop (docs/cli.md and docs/follow.md mirror them). */

export const FOLLOW_HELP = `Usage: pgtwin follow [flags]

Keeps the twin within seconds of the source through a logical replication slot
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
or applied twice; a removed table is no longer applied and keeps its rows.

Flags:
  -c, --config PATH        config file (default ./pgtwin.yaml)
      --from ENV|URL       the source (needs REPLICATION, or a role that has it)
      --to ENV|URL         the twin (default: target in the config, else local)
  -t, --tables LIST        tables to follow (names or globs)
  -x, --exclude LIST       tables to leave out
      --cascade            also include tables whose foreign keys point into the selection
      --allow-remote-target  allow a twin that is not on this machine
  -j, --jobs N             parallel copies of the first snapshot
      --split-tables-larger-than SIZE, --mask-workers N
                           as for sync, for the first snapshot's copy
      --slot NAME          replication slot (default: pgtwin_ + a hash of the twin's URL)
      --publication NAME   publication to stream (default: pgtwin)
  -y, --yes                confirm the truncation of the first snapshot (or of an added table)

Examples:
  pgtwin setup-source --from production --yes
  pgtwin follow --from production --to local --yes

Exit codes: 0 stopped cleanly, 1 failure (schema drift, a change that cannot be
applied: the position is kept, fix and restart), 2 usage or config error,
3 cannot connect, 5 refused for safety, 130 interrupted before streaming.
`;

export const STATUS_HELP = `Usage: pgtwin status [flags]

Where each follow of the twin stands: the position and time last applied, lag
(bytes behind the source, seconds since the last applied source commit), WAL
the slot retains on the source (a loud warning above 1 GB: a slot nobody
follows fills the source's disk), changes per table in the last hour, and
whether a follow runs from this directory. Reads only.

Flags:
  -c, --config PATH        config file
      --from ENV|URL       the source (optional: without it, only the twin is read)
      --to ENV|URL         the twin
      --allow-remote-target  read a twin that is not on this machine
      --json               print as JSON

Exit codes: 0 ok, 1 a follow has failed or its slot is gone, 2 usage error, 3 cannot connect.
`;

export const STOP_HELP = `Usage: pgtwin stop [flags]

Stops the pgtwin follow started from this directory (found by its pid file in
.pgtwin/): sends SIGTERM, and waits until it has committed what it applied
and exited.

Flags:
  -c, --config PATH        config file (its directory holds .pgtwin/)
      --slot NAME          only the follow of this slot
      --timeout SECONDS    how long to wait (default 60)

Exit codes: 0 stopped (or nothing was running), 1 still running after the timeout.
`;
