import { UsageError } from '../core/errors.js';

/** Capture days from FROM to TO, both `YYYY-MM-DD` and inclusive (a day as the camera's clock wrote it). */
export interface DayRange {
  from: string;
  to: string;
}

const PART_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/**
 * What `date:` takes: a year (`date:2024`), a month (`date:2024-06`), a day (`date:2024-06-01`), or a
 * range of them (`date:2023..2024-06`: from the first day of the one to the last of the other; an
 * end left out is open: `date:2020..`).
 */
export function parseDateFilter(value: string): DayRange {
  const [a, b, ...rest] = value.split('..');
  if (value === '' || rest.length > 0) throw usage(value);
  if (b === undefined) return { from: first(a!, value), to: last(a!, value) };
  if (a === '' && b === '') throw usage(value);
  const range = { from: a === '' ? '0000-01-01' : first(a!, value), to: b === '' ? '9999-12-31' : last(b, value) };
  if (range.from > range.to) throw new UsageError(`date:${value.slice(0, 40)} ends before it starts`);
  return range;
}

function first(part: string, value: string): string {
  const [y, m, d] = split(part, value);
  return `${y}-${m ?? '01'}-${d ?? '01'}`;
}

function last(part: string, value: string): string {
  const [y, m, d] = split(part, value);
  // A day string compares as text: the 31st of any month is past its last day.
  return `${y}-${m ?? '12'}-${d ?? '31'}`;
}

function split(part: string, value: string): [string, string | undefined, string | undefined] {
  const m = PART_RE.exec(part);
  if (!m) throw usage(value);
  const [, y, mo, d] = m;
  if (mo !== undefined && (Number(mo) < 1 || Number(mo) > 12)) throw usage(value);
  if (d !== undefined && (Number(d) < 1 || Number(d) > 31)) throw usage(value);
  return [y!, mo, d];
}

function usage(value: string): UsageError {
  return new UsageError(`date:${value.slice(0, 40)} is not a date: date:2024, date:2024-06, date:2024-06-01, date:2023..2024-06 (either end may be left open)`);
}
