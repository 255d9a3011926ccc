/** Which failures of a follow are retried, and how a failure is recorded on the twin. */
import type { Client } from '../pg/connect.js';
import { isLostConnection } from '../stream/lost-connection.js';
import { messageOf } from '../errors.js';
import { recordFailedBatch, setFollowStatus } from './follow-state.js';

/** Lost connections (src/stream/lost-connection.ts): the follow reconnects. */
export function worthRetrying(error: unknown): boolean {
  return isLostConnection(error);
}

export async function recordFailure(control: Client, slot: string, error: unknown): Promise<void> {
  const text = messageOf(error);
  await recordFailedBatch(control, slot, text).catch(() => undefined);
  if (!worthRetrying(error)) await setFollowStatus(control, slot, 'failed', text).catch(() => undefined);
}
