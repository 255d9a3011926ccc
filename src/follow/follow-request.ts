/** What a follow is asked to do, and who hears about it. */
import type { Settings } from '../config/index.js';
import type { CommittedBatch } from '../apply/applier.js';
import type { SyncObserver } from '../snapshot/observer.js';
import type { Lsn } from '../stream/lsn.js';

export interface FollowObserver extends SyncObserver {
  following?(slot: string, from: Lsn): void;
  committed?(batch: CommittedBatch): void;
  reconnecting?(reason: string, delayMs: number): void;
}

export interface FollowRequest {
  readonly settings: Settings;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal;
  /** Asked before the first snapshot truncates the twin's tables. */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly observer?: FollowObserver;
  readonly slot?: string | undefined;
  readonly publication?: string | undefined;
  readonly maxBatchChanges?: number;
  readonly maxBatchDelayMs?: number;
  readonly statusIntervalMs?: number;
  readonly sequencesIntervalMs?: number;
}
