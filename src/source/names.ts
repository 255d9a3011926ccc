/**
 * Names pgtwin gives its objects on the source. One publication serves every
 * twin of a source (it only lists tables); each twin has its own slot, since a
 * slot's position is how far that one twin has applied.
 */
import { createHash } from 'node:crypto';

export const DEFAULT_PUBLICATION = 'pgtwin';

/** Slot names allow [a-z0-9_] and at most 63 bytes. */
const SLOT_NAME = /^[a-z0-9_]{1,63}$/;

export function isValidSlotName(name: string): boolean {
  return SLOT_NAME.test(name);
}

/**
 * The slot of the twin at `targetIdentity` (its display URL, without the
 * password): stable across runs, different for each twin of the same source.
 */
export function defaultSlotName(targetIdentity: string): string {
  return `pgtwin_${createHash('sha256').update(targetIdentity).digest('hex').slice(0, 12)}`;
}
