/**
 * A database endpoint as pgtwin reasons about it before connecting: where it is,
 * whether it is local, and a display form without the password.
 */
import { parse } from 'pg-connection-string';
import type { EnvironmentSettings } from '../config/index.js';
import { sanitizeUrl } from '../config/index.js';
import { UsageError } from '../errors.js';

export type EndpointRole = 'source' | 'target';

export interface Endpoint {
  readonly role: EndpointRole;
  /** Environment name, or the sanitized URL when a URL was given directly. */
  readonly name: string;
  readonly url: string;
  /** The URL with the password masked: the only form that may be printed. */
  readonly display: string;
  /** Host names or socket directories (libpq allows a comma-separated list). */
  readonly hosts: readonly string[];
  readonly port: number;
  readonly database: string;
  readonly user: string;
}

export function toEndpoint(
  env: EnvironmentSettings,
  role: EndpointRole,
  processEnv: Readonly<Record<string, string | undefined>>,
): Endpoint {
  const display = sanitizeUrl(env.url);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(env.url);
  } catch (error) {
    throw new UsageError('BAD_URL', `The ${role} URL of ${env.name} cannot be parsed: ${display}`, {
      cause: error,
      nextStep: 'Use the form postgres://user:password@host:5432/database.',
    });
  }
  const host = nonEmpty(parsed.host) ?? nonEmpty(processEnv['PGHOST']) ?? 'localhost';
  const user = nonEmpty(parsed.user) ?? nonEmpty(processEnv['PGUSER']) ?? nonEmpty(processEnv['USER']) ?? 'postgres';
  return {
    role,
    name: env.name,
    url: env.url,
    display,
    hosts: host.split(',').map((h) => h.trim()),
    port: Number(nonEmpty(parsed.port ?? undefined) ?? nonEmpty(processEnv['PGPORT']) ?? 5432),
    database: nonEmpty(parsed.database ?? undefined) ?? nonEmpty(processEnv['PGDATABASE']) ?? user,
    user,
  };
}

function nonEmpty(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}

const LOOPBACK_NAMES = new Set(['localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1', 'localhost.localdomain', 'ip6-localhost']);

/** True for a Unix socket directory, `localhost`, or a loopback address (127/8, ::1). */
export function isLocalHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  if (h.startsWith('/') || h.startsWith('@')) return true; // socket directory or abstract socket
  if (LOOPBACK_NAMES.has(h) || h.endsWith('.localhost')) return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  return /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export function isLocalEndpoint(endpoint: Endpoint): boolean {
  return endpoint.hosts.every(isLocalHost);
}

/**
 * Same server and database judged from the URLs alone (all local names count as
 * one host). The connected check in server-identity.ts catches the rest.
 */
export function looksLikeSameDatabase(a: Endpoint, b: Endpoint): boolean {
  if (a.port !== b.port || a.database !== b.database) return false;
  const key = (h: string): string => (isLocalHost(h) ? '<local>' : h.toLowerCase());
  return a.hosts.some((ha) => b.hosts.some((hb) => key(ha) === key(hb)));
}
