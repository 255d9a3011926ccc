/** `--help` texts. Kept beside each other so they read as one manual (docs/cli.md mirrors them). */

export const MAIN_HELP = `pgtwin: a safe twin of a production PostgreSQL database

Usage: pgtwin <command> [flags]

Commands:
  sync     copy the selected tables from the source to the target (one snapshot, COPY)
  plan     show what sync would do; writes nothing (same as sync --dry-run)
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
      --allow-remote-target  allow a target that is not localhost / a local socket
  -j, --jobs N             tables copied in parallel (default: number of CPUs)
      --json               print the result as JSON on stdout`;

export const SYNC_HELP = `Usage: pgtwin sync [flags]

Copies the selected tables from the source to the target: every table is read
under one exported snapshot (one instant of the source), streamed with
COPY ... TO STDOUT into COPY ... FROM STDIN. The selected target tables are
truncated first (after confirmation), foreign keys are set aside during the load
and restored afterwards, sequences end at the source's values, then ANALYZE.

Flags:
${SELECTION_FLAGS}
  -y, --yes                do not ask before truncating the target tables
                           (required when there is no terminal)
      --dry-run            print the plan and exit; writes nothing

Examples:
  pgtwin sync --from production --to staging
  pgtwin sync --from "$PROD_URL" --to "$STAGING_URL" --tables 'public.*' --exclude '*_log' --yes --json

Exit codes: 0 ok, 1 failure, 2 usage or config error (also: a selected table does
not exist), 3 cannot connect, 4 schema mismatch, 5 refused for safety (same source
and target, remote target, truncation not confirmed), 130 interrupted (rerun the
same command to complete).
`;

export const PLAN_HELP = `Usage: pgtwin plan [flags]

Connects to both sides, reads their catalogs and prints what sync would do:
the tables, their column lists and filters, the foreign keys set aside and the
sequences set. Every check of sync runs (unknown tables, schema mismatches,
tables referencing the selection); nothing is written.

Flags:
${SELECTION_FLAGS}

Exit codes: as for sync (0 when the plan is valid).
`;
