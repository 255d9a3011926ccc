/**
 * Which failures of a streaming mode (follow, capture) are a lost connection
 * that a new attempt may get past: what src/pg/retry.ts counts as transient,
 * a stream the server ended without being asked, and a slot still marked
 * active by the walsender of a run that was just cut off (it notices within
 * wal_sender_timeout).
 */
import { isRetryable, sqlStateOf } from '../pg/retry.js';

export function isLostConnection(error: unknown): boolean {
  return isRetryable(error) || sqlStateOf(error) === '55006';
}

/** The server ended the stream without being asked: treated as a lost connection (the mode reconnects). */
export function streamEndedError(): Error {
  return Object.assign(new Error('the replication stream ended unexpectedly'), { code: 'ECONNRESET' });
}
