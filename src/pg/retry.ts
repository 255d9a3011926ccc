/**
 * Which failures are worth trying again, and the backoff between tries. Only
 * connection-class and serialization failures are transient; everything else
 * (syntax, permissions, constraint violations) fails fast.
 */
import { retryWithBackoff, type RetryPolicy } from '../backoff.js';

const RETRYABLE_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (server starting up)
  '53300', // too_many_connections
]);

const RETRYABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

export function sqlStateOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

function nodeCodeOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

export function isRetryable(error: unknown): boolean {
  const state = sqlStateOf(error);
  if (state !== undefined) return state.startsWith('08') || RETRYABLE_SQLSTATES.has(state);
  const code = nodeCodeOf(error);
  if (code !== undefined && RETRYABLE_NODE_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  // node-postgres: a session whose server went away while it was idle fails its next query with the last of these.
  return /Connection terminated unexpectedly|connection timeout|Client has encountered a connection error and is not queryable/i.test(
    message,
  );
}

export type { RetryPolicy } from '../backoff.js';
export { backoffDelay } from '../backoff.js';

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 200, maxDelayMs: 3000 };

export async function withRetry<T>(
  action: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  return retryWithBackoff(action, isRetryable, policy, onRetry, signal);
}
