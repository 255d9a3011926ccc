/**
 * Durations as people write them in configs and flags: `7d`, `12h`, `90m`,
 * `30s`, `1.5d`, or a plain number of seconds. A week is `7d` (no months: their
 * length varies).
 */
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** Milliseconds, or undefined when the text is not a duration above 0. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  if (match === null) return undefined;
  const unit = UNIT_MS[(match[2] ?? '').toLowerCase() || 's'];
  if (unit === undefined) return undefined;
  const ms = Math.round(Number(match[1]) * unit);
  return Number.isSafeInteger(ms) && ms > 0 ? ms : undefined;
}

export const DURATION_HINT = 'a duration such as 7d, 12h, 30m or 45s (units: s, m, h, d, w; a plain number is seconds)';
