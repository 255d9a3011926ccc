/** `pgtwin capture`: the production side of archive mode. */
import type { CommandDef } from '../definition.js';
import { variant } from '../definition.js';
import { CONFIG, EXCLUDE, FROM, JOBS, JSON_OUTPUT, PUBLICATION, TABLES, ARCHIVE_LOCATION } from './flags.js';

export const CAPTURE: CommandDef = {
  name: 'capture',
  summary: 'mask the source into an archive: a base, then change files (next to production; holds the key)',
  description: `Writes a masked archive of the source that \`pgtwin apply\` builds and refreshes
twins from, on machines that hold neither the source's credentials nor the key.
Every value of a masked column is masked before it is written, with the same
rules and key as \`sync\` and \`follow\`: no file of the archive holds it as the
source does.

The first capture creates the archive's replication slot with an exported
snapshot and writes a base (the schema, and every selected table as
compressed COPY files) from that snapshot, then change files (whole source
transactions, JSON lines, gzip) from the slot's consistent point on. A file is
closed and stored when it is 64 MiB (--file-size) or its first transaction 60 s
old (--file-age), and at the stop; the slot is told a file's transactions are
safe only once the store holds the file. A capture killed at any point starts
again where the archive ends: no gap, no transaction twice.

--once archives up to the source's WAL position at start, then exits 0 (for
cron). Without it capture runs until Ctrl-C, SIGTERM or \`pgtwin stop\`
(from the same directory), which finish the transaction in hand, store the
file and exit 0; a lost connection to the source (a restart, a network
outage, its walsender ended) is reopened with backoff (1 s, growing to 30 s),
and capture continues where the archive ends. A second capture of the
archive is refused (CAPTURE_RUNNING).

New bases: --new-base writes one now; --new-base-after (or
\`archive.new_base_after\` in pgtwin.yaml) whenever the newest base is older
than that, at the start of a capture and, with --follow, while streaming (the
stream stops at a file boundary, the base is written, streaming goes on from
its slot). Twins of an older base keep applying the change files.

Strict mode holds: a personal column without a rule stops capture before it
starts, and a column added on the source while capturing stops it before any
value of the column is written, with the fix; started again with a rule (or a
\`keep:\` entry) for it, capture records the table's new columns in the stream.
A capture with another key or other rules for the base's columns, or another
selection of tables, is refused; --new-base starts a new base with them (twins
built from older bases are rebuilt from it). The source needs the publication
\`pgtwin setup-source\` creates.`,
  flags: [
    CONFIG,
    variant(FROM, { help: 'the source, read (and its slot created)' }),
    variant(ARCHIVE_LOCATION, { help: `${ARCHIVE_LOCATION.help}; created when missing` }),
    TABLES,
    EXCLUDE,
    { name: 'once', help: "archive up to the source's WAL position at start, then exit 0" },
    { name: 'follow', help: 'keep archiving until stopped (the default)' },
    {
      name: 'new-base',
      help: "write a new base (a new slot and snapshot); the older slot's changes up to it are archived first when key and rules are unchanged",
    },
    {
      name: 'new-base-after',
      value: 'DURATION',
      default: '`archive.new_base_after`, or only when asked',
      help: 'write a new base when the newest is older than this (`7d`, `12h`); with --follow, also when it gets that old while streaming',
    },
    {
      name: 'file-size',
      value: 'SIZE',
      default: '`64MB`',
      help: 'a change file is stored at the first commit once it holds this much (before compression)',
    },
    { name: 'file-age', value: 'SECONDS', default: '`60`', help: '... or once its first transaction is this old' },
    { name: 'part-size', value: 'SIZE', default: '`256MB`', help: 'a base part file ends at the first row end after this much COPY text' },
    variant(JOBS, { help: 'tables copied into a base in parallel' }),
    PUBLICATION,
    {
      name: 'spool-dir',
      value: 'PATH',
      default: "the system's temporary directory",
      help: 'where files are written before they are stored',
    },
    JSON_OUTPUT,
  ],
  examples: [
    'pgtwin capture --from production --archive /backups/shop --once',
    'pgtwin capture --from production --archive s3://twin-archive/shop --follow',
    'pgtwin capture --from production --archive /backups/shop --follow --new-base-after 7d',
  ],
  exitCodes: `0 archived (with --once: up to the WAL position at start; otherwise stopped
by a signal), 1 failure, 2 usage or config error, another key or rules than
the archive's, 3 cannot connect, 4 a column added on the source without a rule.`,
};
