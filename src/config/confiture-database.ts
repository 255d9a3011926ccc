/**
 * Confiture's `confiture.yaml` describes an environment's server as
 * `database: {host, port, database, user, password}` or `database: {url}`.
 * pgtwin connects with one URL, so the parts are assembled into one here,
 * percent-encoded, and the result is what `environments.<name>.url` would
 * have held. Values are never echoed in problems (the password is one).
 */

import type { Ctx } from './draft.js';
import { isPostgresUrl } from './endpoints.js';
import type { Path } from './problems.js';

interface Parts {
  url?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  sslmode?: string;
}

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** The URL of a Confiture `database:` mapping, or undefined (with problems reported). */
export function readConfitureDatabase(ctx: Ctx, value: unknown, at: Path): string | undefined {
  const fields = ctx.read.record(value, at, 'a mapping with `url`, or `host`, `port`, `database`, `user` and `password`');
  if (fields === undefined) return undefined;
  const parts: Parts = {};
  const text =
    (key: 'url' | 'host' | 'database' | 'user' | 'password' | 'sslmode', what: string) =>
    (raw: unknown, p: Path): void => {
      const read = ctx.read.string(raw, p, what);
      if (read !== undefined) parts[key] = read;
    };
  ctx.read.keys(fields, at, {
    url: text('url', 'a postgres:// URL'),
    host: text('host', 'a host name, an IP address or a socket directory'),
    database: text('database', 'a database name'),
    user: text('user', 'a user name'),
    // The password of the server (not a masking secret): Confiture keeps it here.
    password: (raw, p) => {
      // A number-looking password in YAML is an integer; take its text.
      const read = typeof raw === 'number' || typeof raw === 'bigint' ? String(raw) : ctx.read.string(raw, p, 'a password');
      if (read !== undefined) parts.password = read;
    },
    port: (raw, p) => {
      const port = ctx.read.positiveInteger(raw, p);
      if (port !== undefined && port > 65535) ctx.read.report.problem(p, `expected a TCP port (1-65535), got ${port}`);
      else if (port !== undefined) parts.port = port;
    },
    sslmode: (raw, p) => {
      text('sslmode', 'an sslmode')(raw, p);
      if (parts.sslmode !== undefined && !SSL_MODES.includes(parts.sslmode)) {
        ctx.read.report.problem(p, `expected one of ${SSL_MODES.join(', ')}`);
        parts.sslmode = undefined;
      }
    },
  });
  if (parts.url !== undefined) {
    const others = (['host', 'port', 'database', 'user', 'password', 'sslmode'] as const).filter((key) => Object.hasOwn(fields, key));
    if (others.length > 0) {
      ctx.read.report.problem(at, `give either \`url\` or the parts (${others.map((k) => `\`${k}\``).join(', ')}), not both`);
      return undefined;
    }
    if (!isPostgresUrl(parts.url)) {
      ctx.read.report.problem([...at, 'url'], 'expected a postgres:// or postgresql:// URL (value not shown)');
      return undefined;
    }
    return parts.url;
  }
  if (parts.database === undefined && !Object.hasOwn(fields, 'database')) {
    ctx.read.report.problem(at, 'missing `database` (the database name) or `url`');
    return undefined;
  }
  return parts.database === undefined ? undefined : urlOf(parts);
}

/**
 * `postgresql://user:password@host:port/database`. A host that is a socket
 * directory goes into the `host` parameter, as the URL's authority cannot hold
 * a path; an IPv6 address gets its brackets.
 */
export function urlOf(parts: Parts): string {
  const params = new URLSearchParams();
  let host = parts.host ?? 'localhost';
  if (host.startsWith('/')) {
    params.set('host', host);
    host = '';
  } else if (host.includes(':') && !host.startsWith('[')) {
    host = `[${host}]`;
  }
  if (parts.sslmode !== undefined) params.set('sslmode', parts.sslmode);
  const user = parts.user === undefined ? '' : encodeURIComponent(parts.user);
  const password = parts.password === undefined ? '' : `:${encodeURIComponent(parts.password)}`;
  const credentials = user === '' && password === '' ? '' : `${user}${password}@`;
  const port = parts.port === undefined || host === '' ? '' : `:${parts.port}`;
  if (parts.port !== undefined && host === '') params.set('port', String(parts.port));
  const query = params.size > 0 ? `?${params.toString()}` : '';
  return `postgresql://${credentials}${host}${port}/${encodeURIComponent(parts.database ?? '')}${query}`;
}
