/** `pgtwin init`, `pgtwin scan` and `pgtwin keygen`: the first steps. */
import type { CommandDef } from '../definition.js';
import { variant } from '../definition.js';
import { CONFIG, EXCLUDE, FROM, JSON_OUTPUT, TABLES, TO } from './flags.js';

export const INIT: CommandDef = {
  name: 'init',
  summary: 'write a first `pgtwin.yaml` (no passwords in it), with rules from a scan of `--from`',
  description: `Writes a first pgtwin.yaml in the current directory: the source environment
(its password is never written: the file reads it from an environment
variable), the target (default: local, the embedded server pgtwin runs
itself), strict: true, and where the masking key goes. When --from is given
and reachable, the source is scanned as by \`pgtwin scan --write\`, and the
file gets a rule for every column that looks like personal data and a keep:
list of every other column. Only the source is read.`,
  flags: [
    variant(FROM, {
      default: 'none: `environments:` and `source:` are left commented',
      help: 'the production database: an environment name (the file reads its URL from `${<ENV>_DATABASE_URL}`) or a `postgres://` URL (written with its password replaced by `${PRODUCTION_PASSWORD}`)',
    }),
    variant(TO, { default: '`local`', help: "the twin; a URL's password becomes `${TWIN_PASSWORD}`" }),
    { name: 'force', help: 'replace an existing `pgtwin.yaml`' },
  ],
  examples: [
    'pgtwin init --from "postgres://reader:$PGPASSWORD@db.internal/app"',
    'PRODUCTION_DATABASE_URL=postgres://... pgtwin init --from production',
    'pgtwin init                      # environments left for you to fill in',
  ],
  exitCodes: `0 written (also when the source could not be reached: a warning
says so and the scan is left for later), 1 failure, 2 usage error (a URL whose
password cannot be taken out), 5 a config file already exists (--force).`,
};

export const SCAN: CommandDef = {
  name: 'scan',
  summary: 'find the columns that look like personal data; `--write` adds rules to `pgtwin.yaml`',
  description: `Finds the columns of the source that look like personal data. Reads the
catalog and up to N rows of each selected table (read-only transactions,
LIMIT N, no full scan), and judges each column by its name, its type and the
sampled values together: emails, phone and fax numbers, card numbers (Luhn),
SSNs and other national and tax ids, IBANs and bank accounts, IPs, people's
and company names, usernames, addresses, cities, postal codes, birth dates,
secrets, coordinates, personal web addresses, license plates, free text that
contains names, emails or phones, PII inside JSON. For each such column it
prints the kind, the confidence, the evidence (counts and shapes; never a
value) and a suggested masking rule: values of the column's own shape, and the
first rule that passes sync's checks on the column. Writes nothing unless
--write.

With --write, the suggestions are added to the config file (the one found or
given with --config, or a new ./pgtwin.yaml): a rule under anonymize: for each
column that looks like personal data, and every other column under keep:, so
strict mode passes. Comments and existing entries are kept; a column that
already has a rule or a keep: entry is left alone. Columns that reference a
masked column by foreign key inherit its rule and get neither.`,
  flags: [
    variant(CONFIG, { help: 'the config file (read, and edited with `--write`)' }),
    variant(FROM, { help: 'the source: an environment of the config file or a `postgres://` URL' }),
    variant(TABLES, { help: 'comma-separated names or patterns to scan (`public.*`, `users`, `*_audit`)' }),
    variant(EXCLUDE, { help: 'comma-separated names or patterns to leave out (`*_log`)' }),
    { name: 'sample', short: 'n', value: 'N', default: '`1000`', help: 'rows read per table (1 or more)' },
    { name: 'write', short: 'w', help: 'add the suggested rules and `keep:` entries to the config file' },
    variant(JSON_OUTPUT, { help: 'print the findings as JSON on stdout' }),
  ],
  examples: [
    'pgtwin scan --from production',
    'pgtwin scan --from "$PROD_URL" --tables \'public.*\' --sample 5000 --json',
    'pgtwin scan --write',
  ],
  exitCodes: `0 scanned (whatever was found), 1 failure, 2 usage or config error
(also: a selected table does not exist, the config file is TOML or cannot be
edited), 3 cannot connect, 130 interrupted (nothing was written).`,
};

export const KEYGEN: CommandDef = {
  name: 'keygen',
  summary: 'write a new masking key to a file only you can read',
  description: `Writes a new random masking key (256 bits, hex) to a file that only you can
read (mode 0600; its directory is created with mode 0700). The key is never
printed. Masking is deterministic under the key: the same key gives the same
masked values in every run, so keep it, keep it secret, and keep it out of
version control. Point pgtwin.yaml at it with \`secret_file: <path>\`, or put
its contents in the PGTWIN_SECRET environment variable.`,
  flags: [
    { name: 'output', short: 'o', value: 'PATH', default: '`.pgtwin/secret.key`', help: 'where to write the key' },
    { name: 'force', help: 'replace an existing key file (every masked value changes)' },
  ],
  examples: ['pgtwin keygen', 'pgtwin keygen --output ~/.config/pgtwin/shop.key'],
  exitCodes: `0 written, 2 usage error (the file cannot be created), 5 the file
already exists (pass --force to replace it).`,
};
