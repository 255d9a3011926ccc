/** Which failures of a follow are retried, and how a failure is recorded on the twin. */
import type { Client } from '../pg/connect.js';
import { isRetryable, sqlStateOf } from '../pg/retry.js';
import { messageOf } from '../errors.js';
import { recordFailedBatch, setFollowStatus } from './follow-state.js';

/**
 * Lost connections, and a slot still marked active by the walsender of a
 * follow that was just killed (it notices within wal_sender_timeout).
 */
export function worthRetrying(error: unknown): boolean {
  return isRetryable(error) || sqlStateOf(error) === '55006';
}

export async function recordFailure(control: Client, slot: string, error: unknown): Promise<void> {
  const text = messageOf(error);
  await recordFailedBatch(control, slot, text).catch(() => undefined);
  if (!worthRetrying(error)) await setFollowStatus(control, slot, 'failed', text).catch(() => undefined);
}

/** The server ended the stream without being asked: treated as a lost connection (the follow retries it). */
export function streamEndedError(): Error {
  return Object.assign(new Error('the replication stream ended unexpectedly'), { code: 'ECONNRESET' });
}
