/**
 * What `--archive` (or `archive:` in pgtwin.yaml) names: a directory (a path,
 * relative to the working directory, `~/…`, or a `file://` URL), an SFTP
 * server (`sftp://user@host[:port]/path`) or an S3 bucket
 * (`s3://bucket/prefix`). Parsing is pure, so every form is unit-tested
 * without a server.
 *
 * Secrets never ride in the location: an SFTP URL with a password or an S3
 * URL with credentials is refused (keys and the AWS environment take their
 * place), so a location can be printed, logged and stored as it is.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';

export type StoreLocation =
  | { readonly kind: 'dir'; readonly path: string; readonly display: string }
  | {
      readonly kind: 'sftp';
      readonly user: string;
      readonly host: string;
      readonly port: number;
      /** Absolute ('/srv/archive') or relative to the login directory ('archive', from `/~/archive`). */
      readonly path: string;
      readonly display: string;
    }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string; readonly display: string };

export interface LocationContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The local user name, the SFTP user when the URL names none (as ssh does). */
  readonly localUser: string;
}

const ACCEPTED = 'a directory path, file:///path, sftp://user@host[:port]/path or s3://bucket/prefix';

function invalid(location: string, why: string, nextStep?: string): UsageError {
  return new UsageError('ARCHIVE_LOCATION_INVALID', `--archive ${location}: ${why}.`, {
    nextStep: nextStep ?? `Give --archive ${ACCEPTED}.`,
  });
}

export function parseStoreLocation(location: string, context: LocationContext): StoreLocation {
  const trimmed = location.trim();
  if (trimmed === '') throw invalid("''", 'the archive location is empty');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === 'sftp') return parseSftp(trimmed, context);
  if (scheme === 's3') return parseS3(trimmed);
  if (scheme === 'file') return parseFileUrl(trimmed);
  if (scheme !== undefined) throw invalid(trimmed, `${scheme}:// is not an archive store pgtwin knows`);
  // scp's user@host:path looks like a relative path; it is almost surely meant as SFTP.
  const scpLike = /^([^/@:]+)@([^/:]+):(.*)$/.exec(trimmed);
  if (scpLike !== null) {
    const [, user, host, path] = scpLike;
    throw invalid(
      trimmed,
      'scp-style locations are not accepted',
      `Write it as a URL: sftp://${user}@${host}/${(path ?? '').replace(/^\/+/, '')}`,
    );
  }
  return directory(expandHome(trimmed, context), context.cwd);
}

function expandHome(path: string, context: LocationContext): string {
  if (path !== '~' && !path.startsWith('~/')) return path;
  const home = context.env['HOME'];
  if (home === undefined || home === '')
    throw invalid(path, 'HOME is not set, so ~ cannot be expanded', 'Give the full path of the archive directory.');
  return home + path.slice(1);
}

function directory(path: string, cwd: string): StoreLocation {
  const absolute = isAbsolute(path) ? resolve(path) : resolve(cwd, path);
  return { kind: 'dir', path: absolute, display: absolute };
}

function parseFileUrl(location: string): StoreLocation {
  let path: string;
  try {
    path = fileURLToPath(location);
  } catch (error) {
    throw invalid(
      location,
      `not a local file URL (${error instanceof Error ? error.message : String(error)})`,
      'Write file:///absolute/path (three slashes), or give the path itself.',
    );
  }
  return { kind: 'dir', path, display: path };
}

function parseSftp(location: string, context: LocationContext): StoreLocation {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw invalid(redactPassword(location), 'not a valid sftp:// URL', 'Write sftp://user@host[:port]/path.');
  }
  if (url.password !== '') {
    const safe = redactPassword(location);
    throw new UsageError('ARCHIVE_URL_PASSWORD', `--archive ${safe}: pgtwin does not take SFTP passwords in the URL.`, {
      nextStep:
        'Remove the password and log in with a key: ssh-agent, ~/.ssh/id_ed25519 (or id_ecdsa, id_rsa), or archive.sftp.identity_file in pgtwin.yaml; install the public key with ssh-copy-id.',
    });
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw invalid(location, 'the URL names no host', 'Write sftp://user@host[:port]/path.');
  const port = url.port === '' ? 22 : Number(url.port);
  const user = url.username === '' ? context.localUser : decodeURIComponent(url.username);
  if (user === '') throw invalid(location, 'the URL names no user and the local user name is unknown', 'Write sftp://user@host/path.');
  const decoded = decodeURIComponent(url.pathname);
  // As in OpenSSH's sftp URLs, /~/path is relative to the login directory.
  const path = decoded.startsWith('/~/') ? decoded.slice(3) : decoded;
  const trimmedPath = path.replace(/\/+$/, '');
  if (trimmedPath === '' || trimmedPath === '~') {
    throw invalid(
      location,
      'the URL names no directory',
      'Add the archive directory: sftp://user@host/srv/archive (absolute) or sftp://user@host/~/archive (in the home directory).',
    );
  }
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const display = `sftp://${user}@${hostPart}${port === 22 ? '' : `:${port}`}${decoded.startsWith('/~/') ? '/~/' + trimmedPath : trimmedPath}`;
  return { kind: 'sftp', user, host, port, path: trimmedPath, display };
}

/** `sftp://user:secret@host/…` → `sftp://user:***@host/…`, for messages about a URL that carries a password. */
export function redactPassword(location: string): string {
  return location.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, '$1:***@');
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function parseS3(location: string): StoreLocation {
  const rest = location.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (bucket.includes('@')) {
    throw new UsageError('ARCHIVE_URL_PASSWORD', `--archive ${redactPassword(location)}: pgtwin does not take S3 credentials in the URL.`, {
      nextStep:
        'Remove them and set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or an AWS profile, or the instance role) in the environment.',
    });
  }
  if (!BUCKET.test(bucket)) {
    throw invalid(
      location,
      `"${bucket}" is not an S3 bucket name`,
      'Bucket names are 3 to 63 lowercase letters, digits, dots and hyphens: s3://bucket/prefix.',
    );
  }
  const prefix = (slash < 0 ? '' : rest.slice(slash + 1)).replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((part) => part === '.' || part === '..') || prefix.includes('//')) {
    throw invalid(location, 'the prefix has empty, "." or ".." parts', 'Write s3://bucket/some/prefix.');
  }
  return { kind: 's3', bucket, prefix, display: `s3://${bucket}${prefix === '' ? '' : '/' + prefix}` };
}
