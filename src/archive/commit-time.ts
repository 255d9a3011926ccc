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
  const seconds = unixMicros / 1_000_000n - (unixMicros % 1_000_000n < 0n ? 1n : 0n);
  const micros = unixMicros - seconds * 1_000_000n;
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${whole}.${micros.toString().padStart(6, '0')}Z`;
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
