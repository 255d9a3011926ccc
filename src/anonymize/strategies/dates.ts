/**
 * `date` and `timestamp`: a deterministic shift within ±`days` (never zero),
 * keyed on the value, so equal dates stay equal and the output is a valid value
 * of the column's type. Values are rewritten as text in PostgreSQL's ISO output
 * form (DateStyle ISO, which the snapshot session sets):
 *
 *   2024-02-29 · 2024-02-29 13:45:00.123456 · 2024-02-29 13:45:00+05:30 · 0044-03-15 BC
 *
 * Whatever follows the time (fraction, zone offset) is kept as written;
 * 'infinity' and '-infinity' pass through. `date` moves whole days (the time
 * of day stays); `timestamp` moves by whole seconds. Near the first or last
 * day the column's type can hold, the shift goes inward.
 */
import { top53 } from '../prf.js';
import type { Prf } from '../prf.js';
import { defineBuiltinStrategy } from '../strategy.js';
import { civilFromDays, daysFromCivil, daysInMonth } from './calendar.js';

const DATE_TIME = /^(\d{4,})-(\d{2})-(\d{2})(?:([ T])(\d{2}):(\d{2}):(\d{2}))?(.*?)( BC)?$/;
const SECONDS_PER_DAY = 86400;

interface DayRange {
  readonly first: number;
  readonly last: number;
}

// The first and last days PostgreSQL accepts: a value shifted past them is
// rejected by the target, so a shift that would cross one goes the other way.
const DATE_DAYS: DayRange = { first: daysFromCivil(-4713, 11, 24), last: daysFromCivil(5874897, 12, 31) };
const TIMESTAMP_DAYS: DayRange = { first: daysFromCivil(-4713, 11, 24), last: daysFromCivil(294276, 12, 31) };

/** A nonzero shift in [-max, -1] ∪ [1, max], keyed on `value`. */
function shiftFor(prf: Prf, value: string, max: number): number {
  prf.hash64(value);
  const k = Math.floor((top53(prf.out) / 2 ** 53) * 2 * max);
  return k < max ? k - max : k - max + 1;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function formatDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  // Astronomical year 0 is 1 BC; PostgreSQL writes BC dates with a suffix.
  const bc = year <= 0;
  return `${pad(bc ? 1 - year : year, 4)}-${pad(month, 2)}-${pad(day, 2)}${bc ? ' BC' : ''}`;
}

function shiftValue(value: string, prf: Prf, maxShift: number, unit: 'day' | 'second', range: DayRange): string {
  const m = DATE_TIME.exec(value);
  if (m === null) {
    if (value === 'infinity' || value === '-infinity') return value;
    throw new Error('the value is not an ISO date or timestamp (the source session must use DateStyle ISO)');
  }
  const bc = m[9] !== undefined;
  const yearText = Number(m[1]);
  const year = bc ? 1 - yearText : yearText;
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw new Error('the value is not a valid date');
  const days = daysFromCivil(year, month, day);
  const rest = m[8] ?? '';
  const shift = shiftFor(prf, value, maxShift);
  if (m[4] === undefined) {
    // A plain date: under `timestamp`, seconds round down to whole days.
    let dayShift = unit === 'day' ? shift : Math.floor(shift / SECONDS_PER_DAY) || (shift < 0 ? -1 : 1);
    if (days + dayShift > range.last || days + dayShift < range.first) dayShift = -dayShift;
    return insertBc(formatDate(days + dayShift), rest);
  }
  const start = days * SECONDS_PER_DAY + Number(m[5]) * 3600 + Number(m[6]) * 60 + Number(m[7]);
  let seconds = unit === 'day' ? shift * SECONDS_PER_DAY : shift;
  // The range ends are UTC instants and a zone offset moves the text by up to a
  // day, so on the first or last day only a move inward is sure to be accepted.
  const landing = Math.floor((start + seconds) / SECONDS_PER_DAY);
  if ((seconds > 0 && landing >= range.last) || (seconds < 0 && landing <= range.first)) seconds = -seconds;
  const total = start + seconds;
  const newDays = Math.floor(total / SECONDS_PER_DAY);
  const secs = total - newDays * SECONDS_PER_DAY;
  const time = `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}`;
  const date = formatDate(newDays);
  const isBc = date.endsWith(' BC');
  return `${isBc ? date.slice(0, -3) : date}${m[4]}${time}${rest}${isBc ? ' BC' : ''}`;
}

/** A plain date's BC suffix comes after anything else in the text. */
function insertBc(date: string, rest: string): string {
  return date.endsWith(' BC') ? `${date.slice(0, -3)}${rest} BC` : date + rest;
}

export const date = defineBuiltinStrategy({
  name: 'date',
  summary: 'shifts by a keyed nonzero number of days within ±days (default 30); time of day kept',
  acceptsTypes: ['date', 'timestamp'],
  options: (o) => ({ days: o.integer('days', 30, { min: 1, max: 36500 }) }),
  create: ({ options, prf, column }) => {
    const range = column.family === 'date' ? DATE_DAYS : TIMESTAMP_DAYS;
    return (value) => shiftValue(value, prf, options.days, 'day', range);
  },
});

export const timestamp = defineBuiltinStrategy({
  name: 'timestamp',
  summary: 'shifts by a keyed nonzero number of seconds within ±days (default 30); fraction and zone kept',
  acceptsTypes: ['timestamp', 'date'],
  options: (o) => ({ days: o.integer('days', 30, { min: 1, max: 36500 }) }),
  create: ({ options, prf, column }) => {
    const range = column.family === 'date' ? DATE_DAYS : TIMESTAMP_DAYS;
    return (value) => shiftValue(value, prf, options.days * SECONDS_PER_DAY, 'second', range);
  },
});
