/**
 * The pgtwin.yaml that `pgtwin init` writes. No password is ever written: an
 * environment given by name reads its whole URL from `${<NAME>_DATABASE_URL}`,
 * and a URL given on the command line is written with its password replaced by
 * `${<NAME>_PASSWORD}`, so the file can be committed and reviewed.
 */
import { parse } from 'pg-connection-string';
import { isPostgresUrl, LOCAL_ENVIRONMENT } from '../config/index.js';
import { endpointProblem } from '../config/index.js';
import { sanitizeUrl } from '../config/index.js';
import { UsageError } from '../errors.js';

export interface StarterRequest {
  /** `--from`: an environment name or a postgres:// URL. */
  readonly from?: string | undefined;
  /** `--to`: default `local`, the built-in embedded server. */
  readonly to?: string | undefined;
  /** Whether a key file already exists at DEFAULT_SECRET_FILE (then `secret_file:` is written uncommented). */
  readonly secretFileExists?: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** One side written into `environments:`. */
export interface StarterEnvironment {
  readonly name: string;
  /** The URL as written in the file (`${...}` references, no password). */
  readonly written: string;
  /** The variable the file reads (the password, or the whole URL); undefined for a URL without a password. */
  readonly variable: string | undefined;
  readonly variableHolds: 'password' | 'url' | undefined;
  /** A URL to connect to now, when one is known (the command line's, or the variable's value). */
  readonly connectUrl: string | undefined;
}

export interface StarterConfig {
  readonly text: string;
  readonly source: StarterEnvironment | undefined;
  /** undefined: the built-in `local`. */
  readonly target: StarterEnvironment | undefined;
}

/** Where `pgtwin keygen` writes by default, relative to the working directory. */
export const DEFAULT_SECRET_FILE = '.pgtwin/secret.key';

const DEFAULT_SOURCE_NAME = 'production';
const DEFAULT_TARGET_NAME = 'twin';

export function starterConfig(request: StarterRequest): StarterConfig {
  const source = request.from === undefined ? undefined : environmentFor(request.from, DEFAULT_SOURCE_NAME, '--from', request.env);
  const target =
    request.to === undefined || request.to === LOCAL_ENVIRONMENT
      ? undefined
      : environmentFor(request.to, DEFAULT_TARGET_NAME, '--to', request.env);
  if (source !== undefined && source.name === LOCAL_ENVIRONMENT) {
    throw new UsageError('BAD_FLAGS', '--from local names the built-in twin on this machine, not a database to copy from.', {
      nextStep: 'Pass the production database: --from production (an environment name) or --from postgres://user@host/db.',
    });
  }
  if (source !== undefined && target !== undefined && source.name === target.name) {
    throw new UsageError('BAD_FLAGS', `--from and --to name the same environment "${source.name}"; the twin must be another database.`, {
      nextStep: 'Leave --to out for the built-in local twin, or name another database.',
    });
  }
  return { text: render(source, target, request.secretFileExists === true), source, target };
}

function environmentFor(value: string, defaultName: string, flag: string, env: StarterRequest['env']): StarterEnvironment {
  const problem = value.trim() === '' ? 'must not be empty' : endpointProblem(value);
  if (problem !== undefined)
    throw new UsageError('BAD_FLAGS', `${flag} ${problem}.`, { nextStep: `Pass an environment name or a postgres:// URL to ${flag}.` });
  if (isPostgresUrl(value)) {
    const variable = `${variableStem(defaultName)}_PASSWORD`;
    const written = withPasswordVariable(value, variable, flag);
    const uses = written.includes(`\${${variable}}`);
    return {
      name: defaultName,
      written,
      variable: uses ? variable : undefined,
      variableHolds: uses ? 'password' : undefined,
      connectUrl: value,
    };
  }
  const variable = `${variableStem(value)}_DATABASE_URL`;
  const fromEnv = env[variable];
  return {
    name: value,
    written: `\${${variable}}`,
    variable,
    variableHolds: 'url',
    connectUrl: fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined,
  };
}

/** `prod-eu` -> `PROD_EU`; a leading digit gets a prefix, as variable names cannot start with one. */
function variableStem(name: string): string {
  const stem =
    name
      .toUpperCase()
      .replace(/[^A-Z0-9_]+/g, '_')
      .replace(/^_+|_+$/g, '') || 'DB';
  return /^[0-9]/.test(stem) ? `DB_${stem}` : stem;
}

/**
 * The URL with `${variable}` in place of its password and every other `$`
 * doubled (the config file expands `${...}`, and `$$` is a literal dollar).
 * The result is parsed back and must name the same server, database and user;
 * a URL whose password cannot be separated that way (in a query parameter,
 * say) is refused rather than written with the password in it.
 */
function withPasswordVariable(url: string, variable: string, flag: string): string {
  const schemeEnd = (/^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? '').length;
  const at = url.lastIndexOf('@');
  const escape = (text: string): string => text.replace(/\$/g, '$$$$');
  let written = escape(url);
  if (at > schemeEnd) {
    const userinfo = url.slice(schemeEnd, at);
    const colon = userinfo.indexOf(':');
    const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
    written = colon === -1 ? escape(url) : `${escape(url.slice(0, schemeEnd))}${escape(user)}:\${${variable}}${escape(url.slice(at))}`;
  }
  const original = safeParse(url);
  const placeholder = 'pgtwin-placeholder';
  const reread = safeParse(written.replace(`\${${variable}}`, placeholder).replace(/\$\$/g, '$'));
  const same =
    original !== undefined &&
    reread !== undefined &&
    original.host === reread.host &&
    original.port === reread.port &&
    original.database === reread.database &&
    original.user === reread.user;
  const passwordGone = reread !== undefined && (reread.password === undefined || reread.password === '' || reread.password === placeholder);
  if (!same || !passwordGone) {
    throw new UsageError(
      'URL_NOT_WRITABLE',
      `pgtwin init cannot take the password out of ${sanitizeUrl(url)}, and never writes a password to pgtwin.yaml.`,
      {
        nextStep: `Put the password in the URL's user part (postgres://user:password@host/db), or pass an environment name to ${flag} and define its url with a \${VARIABLE} yourself.`,
      },
    );
  }
  return written;
}

function safeParse(url: string): ReturnType<typeof parse> | undefined {
  try {
    return parse(url);
  } catch {
    return undefined;
  }
}

function yamlKey(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) ? name : JSON.stringify(name);
}

function environmentLines(env: StarterEnvironment): string[] {
  const why =
    env.variableHolds === 'password'
      ? [`    # the password comes from the environment variable ${env.variable ?? ''}`]
      : env.variableHolds === 'url'
        ? [`    # the URL, password included, comes from the environment variable ${env.variable ?? ''}`]
        : [];
  return [`  ${yamlKey(env.name)}:`, ...why, `    url: ${JSON.stringify(env.written)}`];
}

function render(source: StarterEnvironment | undefined, target: StarterEnvironment | undefined, secretFileExists: boolean): string {
  const lines = [
    '# pgtwin configuration, written by `pgtwin init`. Reference: docs/config.md',
    '#',
    '# No password is stored in this file: `${NAME}` is replaced by the environment',
    '# variable NAME when pgtwin reads it, so the file can be committed and reviewed.',
    '',
  ];
  if (source === undefined && target === undefined) {
    lines.push('# environments:', '#   production:', '#     url: "${PRODUCTION_DATABASE_URL}"', '# source: production');
  } else {
    lines.push('environments:');
    if (source !== undefined) lines.push(...environmentLines(source));
    if (target !== undefined) lines.push(...environmentLines(target));
    lines.push('');
    lines.push(source === undefined ? '# source: production' : `source: ${yamlKey(source.name)}`);
  }
  if (target === undefined) {
    lines.push(
      '# `local` is the twin on this machine: an embedded PostgreSQL server that pgtwin',
      '# runs itself (127.0.0.1:54329, data in .pgtwin/local/); see `pgtwin local --help`.',
      'target: local',
    );
  } else {
    lines.push(`target: ${yamlKey(target.name)}`);
  }
  // strict: comes last so that the scan's anonymize: and keep: follow the text that explains them.
  lines.push(
    '',
    '# Masking needs a secret key, which never goes in this file. `pgtwin keygen`',
    `# writes one to ${DEFAULT_SECRET_FILE} (readable by you only; keep it out of version`,
    '# control). Point secret_file at it, or set PGTWIN_SECRET instead (CI):',
    `#   export PGTWIN_SECRET="$(cat ${DEFAULT_SECRET_FILE})"`,
    `${secretFileExists ? '' : '# '}secret_file: ${DEFAULT_SECRET_FILE}`,
    '',
    '# Every copied column must be masked (anonymize:) or listed as reviewed and',
    '# harmless (keep:). A column added to production later then stops the sync',
    '# until someone decides, instead of being copied unmasked. `pgtwin scan --write`',
    '# adds both lists from a sample of the source.',
    'strict: true',
    '',
  );
  return lines.join('\n');
}
