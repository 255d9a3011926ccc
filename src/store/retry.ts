/**
 * Retrying a store call through transient network failures: a few attempts
 * with exponential backoff and jitter, so that a short outage or a throttled
 * server delays a capture instead of stopping it, while a server that is gone
 * still fails within seconds, with the last error.
 */
import { retryWithBackoff } from '../backoff.js';

export interface RetryPolicy {
  /** Attempts in all (1 = no retry). */
  readonly attempts: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
}

/** About 15 s of trying before a store counts as gone. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, firstDelayMs: 500, maxDelayMs: 8000 };

export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  isTransient: (error: unknown) => boolean,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<T> {
  // Store attempts count from 1; the backoff counts from 0.
  return retryWithBackoff(
    (attempt) => operation(attempt + 1),
    isTransient,
    { attempts: policy.attempts, baseDelayMs: policy.firstDelayMs, maxDelayMs: policy.maxDelayMs },
    undefined,
    signal,
  );
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTCONN',
]);

/** A socket-level failure that a new connection may not meet. */
export function isNetworkError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if ('code' in error && typeof error.code === 'string' && TRANSIENT_CODES.has(error.code)) return true;
  return false;
}
