/** Flags that several commands take, described once; a command changes a text with `variant`. */
import type { FlagDef } from '../definition.js';

export const CONFIG: FlagDef = {
  name: 'config',
  short: 'c',
  value: 'PATH',
  default: '`./pgtwin.yaml`, then `./pgtwin.yml`, then `./pgtwin.toml`; none is fine',
  help: 'the config file',
};

export const FROM: FlagDef = {
  name: 'from',
  value: 'ENV|URL',
  default: '`PGTWIN_SOURCE_URL`, then `source` in the config',
  help: 'the source: an environment of the config file or a `postgres://` URL',
};

export const TO: FlagDef = {
  name: 'to',
  value: 'ENV|URL',
  default: '`PGTWIN_TARGET_URL`, then `target` in the config, then `local`',
  help: 'the target',
};

export const TABLES: FlagDef = {
  name: 'tables',
  short: 't',
  value: 'LIST',
  default: '`tables.include`; if empty, every user table',
  help: "comma-separated names or patterns to include (`public.*`, `users`, `*_audit`); replaces the config's list",
};

export const EXCLUDE: FlagDef = {
  name: 'exclude',
  short: 'x',
  value: 'LIST',
  default: '`tables.exclude`',
  help: "comma-separated names or patterns to leave out (`*_log`); replaces the config's list",
};

export const CASCADE: FlagDef = {
  name: 'cascade',
  setting: 'options.cascade',
  help: 'also include the tables whose foreign keys point into the selection, repeatedly',
};

export const WHERE: FlagDef = {
  name: 'where',
  value: 'TABLE=CONDITION',
  repeatable: true,
  default: '`tables.filters.<table>.where`',
  help: 'copy only the rows of `TABLE` (a name or pattern) where the SQL condition holds; one per table; the table is what comes before the first `=`',
};

export const LIMIT: FlagDef = {
  name: 'limit',
  value: 'TABLE=N',
  repeatable: true,
  default: '`tables.filters.<table>.limit`',
  help: 'copy at most `N` rows of `TABLE`; one per table',
};

export const ALLOW_REMOTE_TARGET: FlagDef = {
  name: 'allow-remote-target',
  setting: 'options.allow_remote_target',
  help: 'allow a target that is not localhost, a loopback address or a local socket',
};

export const JOBS: FlagDef = {
  name: 'jobs',
  short: 'j',
  value: 'N',
  default: '`options.jobs`, else the number of CPUs',
  help: 'tables copied in parallel (1 or more)',
};

export const SPLIT_TABLES_LARGER_THAN: FlagDef = {
  name: 'split-tables-larger-than',
  value: 'SIZE',
  default: '`options.split_tables_larger_than`, else `256MB`',
  help: 'copy tables larger than this (`32MB`, `1GB`) in chunks, in parallel',
};

export const MASK_WORKERS: FlagDef = {
  name: 'mask-workers',
  value: 'N',
  default: '`options.mask_workers`, else the CPUs left after one for pgtwin and one per server on this machine',
  help: 'threads that mask rows; `0` masks on the copying thread ([guide](guide.md#masking-threads))',
};

export const YES: FlagDef = {
  name: 'yes',
  short: 'y',
  help: 'do not ask before changing the target tables; required when there is no terminal',
};

export const DRY_RUN: FlagDef = { name: 'dry-run', help: 'print what would be done; change nothing' };

export const JSON_OUTPUT: FlagDef = { name: 'json', help: 'print the result as JSON on stdout' };

export const RECREATE: FlagDef = {
  name: 'recreate',
  help: "drop the selected tables that exist on the target and create them again from the source's catalog; asks first (the question names them)",
};

export const SLOT: FlagDef = {
  name: 'slot',
  value: 'NAME',
  default: "`pgtwin_` and a hash of the twin's URL",
  help: "the twin's replication slot",
};

export const PUBLICATION: FlagDef = {
  name: 'publication',
  value: 'NAME',
  default: '`pgtwin`',
  help: 'the publication, shared by every twin of the source database',
};

/** Where an archive lives (capture, apply, archive verify and prune). */
export const ARCHIVE_LOCATION: FlagDef = {
  name: 'archive',
  value: 'LOCATION',
  default: '`archive` in the config',
  help: 'the archive: a directory (or `file://` URL), `sftp://user@host[:port]/path` or `s3://bucket/prefix`',
};
