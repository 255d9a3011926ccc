/**
 * Opening sessions on the source and target. Every session gets pgtwin's
 * settings before its first use (src/pg/session-settings.ts): the text forms
 * values are masked and compared in, no statement timeout, and for source
 * sessions read-only transactions for their whole life.
 */
import pg from 'pg';
import { ConnectError, messageOf } from '../errors.js';
import type { Endpoint } from './endpoint.js';
import { DEFAULT_RETRY, type RetryPolicy, sqlStateOf, withRetry } from './retry.js';
import { configureSession } from './session-settings.js';

export interface SessionOptions {
  /** Source sessions: every transaction is READ ONLY. */
  readonly readOnly: boolean;
  readonly applicationName?: string;
  readonly retry?: RetryPolicy;
  readonly signal?: AbortSignal;
  /** Called when a connection attempt failed and will be retried. */
  readonly onRetry?: (message: string) => void;
  /** Target sessions that write the twin's rows: its own triggers and rules stay quiet (src/pg/replica-session.ts). */
  readonly replicaRole?: boolean;
}

export type Client = pg.Client;

export async function openClient(endpoint: Endpoint, options: SessionOptions): Promise<Client> {
  const attempt = async (): Promise<Client> => {
    const client = new pg.Client({
      connectionString: endpoint.url,
      application_name: options.applicationName ?? 'pgtwin',
      connectionTimeoutMillis: 15_000,
    });
    // An idle client whose server goes away emits 'error'; without a listener
    // Node would crash the process. The failure surfaces on the next query.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await configureSession(client, options);
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  };
  try {
    return await withRetry(
      attempt,
      options.retry ?? DEFAULT_RETRY,
      (error, tryNo, delay) =>
        options.onRetry?.(`${endpoint.role} ${endpoint.display}: ${messageOf(error)}; retry ${tryNo} in ${delay} ms`),
      options.signal,
    );
  } catch (error) {
    throw connectError(endpoint, error);
  }
}

export async function withClient<T>(endpoint: Endpoint, options: SessionOptions, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await openClient(endpoint, options);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs fn inside BEGIN ... COMMIT, rolling back on any failure. */
export async function withTransaction<T>(client: Client, fn: () => Promise<T>, begin = 'BEGIN'): Promise<T> {
  await client.query(begin);
  try {
    const result = await fn();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

function connectError(endpoint: Endpoint, error: unknown): ConnectError {
  const where = `the ${endpoint.role} ${endpoint.display}`;
  const state = sqlStateOf(error);
  const nodeCode = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  if (state === '28P01' || state === '28000') {
    return new ConnectError('AUTH_FAILED', `Authentication failed for user "${endpoint.user}" at ${where}.`, {
      cause: error,
      nextStep: `Check the user and password of environment "${endpoint.name}" (the password is not shown).`,
    });
  }
  if (state === '3D000') {
    return new ConnectError('DATABASE_NOT_FOUND', `Database "${endpoint.database}" does not exist at ${where}.`, {
      cause: error,
      nextStep:
        endpoint.role === 'target'
          ? `Create it first (createdb ${endpoint.database}) or point the target at an existing database.`
          : 'Check the database name in the URL.',
    });
  }
  if (nodeCode === 'ENOTFOUND' || nodeCode === 'EAI_AGAIN') {
    return new ConnectError('HOST_NOT_FOUND', `Cannot resolve the host of ${where}.`, {
      cause: error,
      nextStep: 'Check the host name in the URL.',
    });
  }
  return new ConnectError('CONNECT_FAILED', `Cannot connect to ${where}: ${messageOf(error) || nodeCode}.`, {
    cause: error,
    nextStep: `Check that the server is running and accepts connections on ${endpoint.hosts.join(',')}:${endpoint.port}.`,
  });
}
