/** `pgtwin apply` and `pgtwin archive verify|prune`: twins from an archive that `pgtwin capture` writes. */
import type { CommandDef } from '../definition.js';
import { variant } from '../definition.js';
import { ALLOW_REMOTE_TARGET, CONFIG, JSON_OUTPUT, TO, YES, ARCHIVE_LOCATION } from './flags.js';

export const APPLY: CommandDef = {
  name: 'apply',
  summary: 'build or refresh the twin from an archive (no source credentials, no key)',
  description: `Builds the twin from an archive written by \`pgtwin capture\`, and keeps it
fresh from the archive's change files. Nothing here needs the source or the
masking key: every value in the archive is masked already.

On an empty twin, apply loads the newest complete base (its schema, then each
table's parts, then keys, indexes, sequences and ANALYZE, as sync does), then
applies every change file after the base's consistent point, in order,
through the same applier as follow. A base load that stops part way is
continued by the next apply (nothing loaded twice). Each change file is
applied in one twin transaction with the twin's position (the last file
and source commit), and only once the whole file has been read and its
digest and chain checked: a killed apply resumes after the last file it
committed, and a damaged, missing, reordered or foreign file applies
nothing (the files before it stay applied; the error names the file).
Schema changes recorded in the stream (a column added, dropped or retyped)
are carried out on the twin in order.

A twin records the archive, rules digest and key fingerprint of its base and
refuses any other (--recreate rebuilds it). One apply at a time writes a
twin: a second one is refused. With --follow, apply looks for new change
files every --interval seconds until SIGINT, SIGTERM or \`pgtwin stop\` (from
the same directory), which finish the file in hand.`,
  flags: [
    CONFIG,
    ARCHIVE_LOCATION,
    variant(TO, { help: 'the twin' }),
    variant(ALLOW_REMOTE_TARGET, { help: 'allow a twin that is not on this machine' }),
    { name: 'follow', help: 'keep applying new change files as they arrive, until stopped' },
    { name: 'interval', value: 'SECONDS', default: '`5`', help: 'with --follow: how often the archive is listed for new files' },
    {
      name: 'recreate',
      help: "drop the twin's tables of the base and build the twin again (another archive, key or rule set; asks first)",
    },
    variant(YES, { help: 'do not ask before --recreate drops tables; required when there is no terminal' }),
    variant(JSON_OUTPUT, { help: 'print the report as JSON on stdout' }),
  ],
  examples: [
    'pgtwin apply --archive /backups/shop --yes',
    'pgtwin apply --archive sftp://backup@archive.internal/backups/shop --to staging --follow',
  ],
  exitCodes: `0 applied (or nothing new), 1 failure (a damaged, missing or foreign file:
the files before it are applied), 2 usage or config error, 3 cannot connect,
4 a row for a partition the twin lacks (added on the source: create it on the
twin and run again), 5 refused (another archive, key or rule set; another apply running; not confirmed),
130 interrupted.`,
};

const VERIFY_ARCHIVE: CommandDef = {
  name: 'archive verify',
  summary: 'check every file of an archive: present, in order, checksums match',
  description: `Reads the whole archive without a database and reports every problem at once:
the archive manifest; each base (its manifest, every part's size and SHA-256);
each change file (gzip, records, whole transactions, the trailer's digest,
this archive's id, its number in the chain and the file it names before it).
Missing, reordered, altered, foreign and unknown-version files are all caught.`,
  flags: [CONFIG, ARCHIVE_LOCATION, variant(JSON_OUTPUT, { help: 'print the result as JSON on stdout' })],
  exitCodes: '0 no problem, 1 problems found (each listed), 2 usage error.',
};

const PRUNE_ARCHIVE: CommandDef = {
  name: 'archive prune',
  summary: 'remove older bases and the change files only they need',
  description: `Keeps the newest --keep-bases complete bases and removes the older ones, and
the change files that no kept base needs (those holding only transactions
before the oldest kept base's consistent point). Never removes a file a
kept base needs, nor a base still being written. Twins that apply from an
older position than the oldest kept base must be rebuilt (apply --recreate).`,
  flags: [
    CONFIG,
    ARCHIVE_LOCATION,
    { name: 'keep-bases', value: 'N', help: 'how many of the newest complete bases to keep (1 or more)' },
    { name: 'dry-run', help: 'list what would be removed; remove nothing' },
    variant(JSON_OUTPUT, { help: 'print the result as JSON on stdout' }),
  ],
  exitCodes: '0 pruned (or nothing to prune), 1 failure, 2 usage error.',
};

export const ARCHIVE: CommandDef = {
  name: 'archive',
  usage: 'pgtwin archive <verify|prune> [flags]',
  summary: 'look after an archive: `verify`, `prune`',
  description: 'Commands on an archive itself (no database): `verify` checks every file, `prune` removes old bases.',
  flags: [],
  exitCodes: 'those of the subcommand.',
  subcommands: [VERIFY_ARCHIVE, PRUNE_ARCHIVE],
};
