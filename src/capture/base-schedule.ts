/**
 * When a capture writes a new base: the first time, when asked (--new-base,
 * once per run), and when the newest complete base is older than
 * --new-base-after (`archive.new_base_after`). A base's age counts from its
 * manifest's `createdAt`, so the schedule holds across restarts of capture.
 */
import type { BaseManifest } from '../archive/manifest.js';

export interface BaseSchedule {
  /** --new-base, not yet written by this run. */
  readonly requested: boolean;
  /** A new base once the newest is this old; undefined: only when asked. */
  readonly afterMs: number | undefined;
  readonly now: number;
}

/** Why a base is written now, or undefined when the archive streams on from `newest`. */
export function baseDue(newest: BaseManifest | undefined, schedule: BaseSchedule): string | undefined {
  if (newest === undefined) return 'the archive has no base yet';
  if (schedule.requested) return 'a new base was asked for (--new-base)';
  const wait = msUntilBaseDue(newest, schedule);
  if (wait !== undefined && wait <= 0) return `base ${newest.name} is older than the new-base schedule`;
  return undefined;
}

/** How long until `newest` is old enough to be followed by a new base; undefined without a schedule. */
export function msUntilBaseDue(newest: BaseManifest, schedule: BaseSchedule): number | undefined {
  if (schedule.afterMs === undefined) return undefined;
  return Date.parse(newest.createdAt) + schedule.afterMs - schedule.now;
}
