/**
 * WAL positions (LSNs). They are unsigned 64-bit numbers, so they live in a
 * bigint: a JS number loses exactness above 2^53, and a position that is off
 * by one byte confirms a change that was never applied.
 */
import { SyncError, UsageError } from '../errors.js';

export type Lsn = bigint;

const MAX_LSN = 0xffff_ffff_ffff_ffffn;

/** Each half is 1 to 8 hex digits, as pg_lsn_in accepts; zero padding is allowed on input. */
const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** "16/B374D848" -> 0x16B374D848n. */
export function parseLsn(text: string): Lsn {
  const match = LSN_TEXT.exec(text);
  const high = match?.[1];
  const low = match?.[2];
  if (high === undefined || low === undefined) {
    throw new UsageError('LSN_INVALID', `${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)} is not a WAL position.`, {
      nextStep:
        'Give the position as PostgreSQL prints it: two hexadecimal numbers of at most 8 digits separated by a slash, e.g. 16/B374D848.',
    });
  }
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}

/** 0x16B374D848n -> "16/B374D848": uppercase, no zero padding, the way pg_lsn prints. */
export function formatLsn(lsn: Lsn): string {
  if (lsn < 0n || lsn > MAX_LSN) {
    // Only a bug can get here: every LSN comes from the server or from parseLsn.
    throw new SyncError('LSN_OUT_OF_RANGE', `${lsn} is outside the range of a WAL position (0 to 2^64-1).`);
  }
  // Each half fits a Number, whose toString(16) is much cheaper than BigInt's (two calls per archived transaction).
  return `${Number(lsn >> 32n)
    .toString(16)
    .toUpperCase()}/${Number(lsn & 0xffff_ffffn)
    .toString(16)
    .toUpperCase()}`;
}
