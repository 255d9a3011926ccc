/**
 * Commit times as the archive writes them: ISO 8601 in UTC with microseconds
 * ("2026-12-03T15:04:05.123456Z"). pgoutput sends microseconds since
 * 2000-01-01 UTC; a Date holds only milliseconds, so the conversion is done
 * on the integer, both ways, without losing the last three digits.
 */
import { ArchiveError } from './errors.js';

/** 2000-01-01T00:00:00Z in microseconds since the Unix epoch. */
const PG_EPOCH_US = 946_684_800_000_000n;
const ISO_MICROS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})Z$/;

export function commitTimeText(microsSince2000: bigint): string {
  const unixMicros = microsSince2000 + PG_EPOCH_US;
  // Number arithmetic is exact below 2^53 µs (until the year 2255) and several times faster than
  // BigInt; a capture writes this twice per transaction.
  const small = Number(unixMicros);
  if (Number.isSafeInteger(small)) {
    const seconds = Math.floor(small / 1_000_000);
    return `${wholeSeconds(seconds)}.${String(small - seconds * 1_000_000).padStart(6, '0')}Z`;
  }
  const seconds = unixMicros / 1_000_000n - (unixMicros % 1_000_000n < 0n ? 1n : 0n);
  const micros = unixMicros - seconds * 1_000_000n;
  return `${wholeSeconds(Number(seconds))}.${micros.toString().padStart(6, '0')}Z`;
}

/** Consecutive transactions mostly commit within the same second: its text is kept. */
let lastSeconds = Number.NaN;
let lastText = '';

function wholeSeconds(seconds: number): string {
  if (seconds !== lastSeconds) {
    lastText = new Date(seconds * 1000).toISOString().slice(0, 19);
    lastSeconds = seconds;
  }
  return lastText;
}

export function parseCommitTime(text: string): bigint {
  const match = ISO_MICROS.exec(text);
  const whole = match?.[1];
  const micros = match?.[2];
  const ms = whole === undefined ? Number.NaN : Date.parse(`${whole}Z`);
  if (whole === undefined || micros === undefined || Number.isNaN(ms)) {
    throw new ArchiveError('ARCHIVE_BAD_RECORD', `${JSON.stringify(text)} is not a commit time (YYYY-MM-DDTHH:MM:SS.ffffffZ).`);
  }
  return BigInt(ms) * 1000n + BigInt(micros) - PG_EPOCH_US;
}
