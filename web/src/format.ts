/** How numbers, sizes, dates and times read in the app. */

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const countFormat = new Intl.NumberFormat();

/** "Sat, 3 Mar 2019" for "2019-03-03" (a calendar day, so read as UTC). */
export function dayLabel(day: string | null): string {
  if (day === null) return 'No date';
  const t = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(t) ? day : dayFormat.format(t);
}

const shortDayFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** "3 Mar 2019": the day where a heading has one thumbnail's width. */
export function shortDayLabel(day: string | null): string {
  if (day === null) return 'No date';
  const t = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(t) ? day : shortDayFormat.format(t);
}

export function dateTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const t = typeof value === 'number' ? value : Date.parse(value);
  return Number.isNaN(t) ? String(value) : dateTimeFormat.format(t);
}

const wallClock = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/**
 * A capture time as the camera's clock read it ("2021-04-10T11:44:00+01:00" → 10 Apr 2021, 11:44),
 * not moved into the browser's zone: a photo taken at 11:44 in Paris was taken at 11:44.
 */
export function capturedLabel(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?/.exec(iso);
  if (!m) return dateTime(iso);
  const t = Date.parse(`${m[1]}T${m[2]}${m[3] ?? ':00'}Z`);
  return Number.isNaN(t) ? iso : wallClock.format(t);
}

export function count(n: number): string {
  return countFormat.format(n);
}

/** N NOUN, the noun in the plural unless N is 1 (PLURAL where adding an s does not make it). */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${count(n)} ${n === 1 ? noun : plural}`;
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** "1:02:03" or "2:03" for seconds. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** The last part of a path, whichever separator it uses. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
