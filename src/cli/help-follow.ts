/** `--help` of the commands that prepare and clean up the source for follow (docs/cli.md mirrors them). */

export const SETUP_SOURCE_HELP = `Usage: pgtwin setup-source [flags]

Prepares the source for \`pgtwin follow\`. Checks, each with its fix:
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
creates it, so that its snapshot seeds the twin.

Flags:
  -c, --config PATH        config file (default ./pgtwin.yaml, then ./pgtwin.toml; optional)
      --from ENV|URL       the source (default: source in the config, or PGTWIN_SOURCE_URL)
      --to ENV|URL         the twin; only names the slot (default: target in the config,
                           PGTWIN_TARGET_URL, or the local server). Not connected to.
  -t, --tables LIST        comma-separated names or globs to include (public.*, users, *_audit)
  -x, --exclude LIST       comma-separated names or globs to leave out (*_log)
      --cascade            also include tables whose foreign keys point into the selection
      --slot NAME          the twin's slot (default: pgtwin_ and a hash of the target)
      --publication NAME   the publication (default: pgtwin, shared by every twin)
      --replica-identity-full
                           set REPLICA IDENTITY FULL on the selected tables that have
                           no primary key (changes production tables: only when asked)
      --create-role NAME   also create a least-privilege role for follow: LOGIN,
                           REPLICATION (rds_replication on RDS), SELECT on the selected
                           tables; password from PGTWIN_REPLICATION_PASSWORD (never printed)
      --dry-run            print the checks and the SQL; change nothing
  -y, --yes                do not ask before changing the source (required without a terminal)
      --json               print the result as JSON on stdout

Examples:
  pgtwin setup-source --from production --dry-run
  PGTWIN_REPLICATION_PASSWORD=... pgtwin setup-source --from "$PROD_URL" --create-role pgtwin_follow --yes

Exit codes: 0 the source is ready for follow, 1 not ready (each problem is listed
with its fix), 2 usage or config error, 3 cannot connect, 5 not confirmed.
`;

export const TEARDOWN_HELP = `Usage: pgtwin teardown [flags]

Removes what follow keeps on the source: the twin's replication slot (an
inactive slot keeps WAL on the source forever) and the publication. Prints the
SQL and asks first; --dry-run prints it and drops nothing. A slot in use (a
follow is running) is never dropped. The publication is shared: while other
twins' slots (pgtwin_*) exist on the database it is kept unless --force.
Roles created by setup-source --create-role are left alone.

Flags:
  -c, --config PATH        config file (default ./pgtwin.yaml, then ./pgtwin.toml; optional)
      --from ENV|URL       the source (default: source in the config, or PGTWIN_SOURCE_URL)
      --to ENV|URL         the twin; only names the slot (default: target in the config,
                           PGTWIN_TARGET_URL, or the local server). Not connected to.
      --slot NAME          the twin's slot (default: pgtwin_ and a hash of the target)
      --publication NAME   the publication (default: pgtwin)
      --keep-publication   drop only the slot
      --force              drop the publication even if other twins' slots exist
      --dry-run            print the SQL; drop nothing
  -y, --yes                do not ask (required without a terminal)
      --json               print the result as JSON on stdout

Exit codes: 0 dropped (or nothing to drop), 1 failure, 2 usage or config error,
3 cannot connect, 5 refused (slot in use, slot of another database, not confirmed).
`;
