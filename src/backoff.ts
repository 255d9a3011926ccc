/**
 * Trying an operation again after a transient failure, with exponential
 * backoff and full jitter so that parallel workers do not retry in lockstep.
 * What counts as transient is the caller's: a database session (src/pg/retry.ts)
 * and an archive store (src/store/retry.ts) fail in different ways.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  /** Total tries, including the first. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** The wait before try `attempt + 1` (attempt counted from 0). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Runs `action` (attempt counted from 0) until it succeeds, fails for good, runs out of tries, or `signal` aborts. */
export async function retryWithBackoff<T>(
  action: (attempt: number) => Promise<T>,
  isTransient: (error: unknown) => boolean,
  policy: RetryPolicy,
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await action(attempt);
    } catch (error) {
      if (attempt + 1 >= policy.attempts || !isTransient(error) || signal?.aborted === true) throw error;
      const delay = backoffDelay(policy, attempt);
      onRetry?.(error, attempt + 1, delay);
      await sleep(delay, undefined, signal === undefined ? undefined : { signal });
    }
  }
}
