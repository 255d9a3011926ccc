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

/**
 * The backoff between attempts of a long-running mode (follow, capture --follow)
 * after a lost connection: quick at first, then at most every 30 s, for as
 * long as it takes (a restarted server, a network outage).
 */
export const RECONNECT: RetryPolicy = { attempts: Number.POSITIVE_INFINITY, baseDelayMs: 1000, maxDelayMs: 30_000 };

export interface AttemptLoop {
  /** The stop: no new attempt once it is aborted, and the wait between attempts ends at once. */
  readonly signal: AbortSignal;
  /** A failure after which a new attempt may succeed (a lost connection); any other ends the loop with it. */
  readonly isTransient: (error: unknown) => boolean;
  /**
   * A failure still reported when it comes after the stop was asked for. By
   * default none is: stopping closes connections, and what fails then is the stop itself.
   */
  readonly failsAfterStop?: (error: unknown) => boolean;
  readonly policy: RetryPolicy;
  /** A transient failure, and the wait before the next attempt. */
  readonly onRetry?: (error: unknown, delayMs: number) => void;
}

/**
 * Runs `attempt` again and again: until it resolves true (the work is done),
 * the stop is asked for, or it fails for good. After a transient failure the
 * next attempt waits a backoff that grows with the failures in a row; an
 * attempt that ends normally, or calls `progressed` (it got somewhere before
 * failing), starts the count again.
 */
export async function runAttempts(attempt: (progressed: () => void) => Promise<boolean>, loop: AttemptLoop): Promise<void> {
  const { signal, policy } = loop;
  let failures = 0;
  const progressed = (): void => void (failures = 0);
  for (;;) {
    try {
      if ((await attempt(progressed)) || signal.aborted) return;
      failures = 0;
    } catch (error) {
      if (signal.aborted && loop.failsAfterStop?.(error) !== true) return;
      if (!loop.isTransient(error) || failures + 1 >= policy.attempts) throw error;
      if (signal.aborted) return;
      // Capped so that 2 ** failures stays a number through a week of outage.
      const delayMs = backoffDelay(policy, Math.min(failures, 30));
      failures++;
      loop.onRetry?.(error, delayMs);
      await sleep(delayMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
    }
  }
}
