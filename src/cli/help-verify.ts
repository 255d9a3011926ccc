/** `pgtwin verify --help` (docs/cli.md mirrors it). */

export const VERIFY_HELP = `Usage: pgtwin verify [flags]

Checks the twin against the source with the same plan as sync (same tables,
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
    --show-values.

Flags:
  -c, --config PATH        config file (default ./pgtwin.yaml, then ./pgtwin.toml; optional)
      --from ENV|URL       source: an environment of the config file or a postgres:// URL
      --to ENV|URL         target (default: target in the config, or PGTWIN_TARGET_URL)
  -t, --tables LIST        comma-separated names or globs to include (public.*, users, *_audit)
  -x, --exclude LIST       comma-separated names or globs to leave out (*_log)
      --cascade            also include tables whose foreign keys point into the selection
      --allow-remote-target  allow a target that is not localhost / a local socket
      --leaks              also look for masked source values in the target
      --min-length N       with --leaks: ignore source values shorter than N characters
                           (default 4: 'FR' or '12' found elsewhere proves nothing)
      --show-values        with --leaks: print the leaked values in the examples
      --json               print the result as JSON on stdout

Examples:
  pgtwin verify --from production --to staging
  pgtwin verify --from production --to local --leaks --json

Exit codes: 0 every table matches (and, with --leaks, no leak), 1 a table differs,
5 leaks found, 2 usage or config error, 3 cannot connect, 4 schema mismatch.
`;
