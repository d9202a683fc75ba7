/** The calendar of the grid's days (issue 32): what the scrubber beside the grid lists. */
import type { GridDay } from './types.js';

export interface Month {
  /** 1 to 12. */
  month: number;
  /** Its first day in the grid (an index of the days). */
  day: number;
}

export interface Year {
  year: string;
  day: number;
  months: Month[];
}

/** The years and months of DAYS (newest first, as the grid orders them), each at its first day; where the undated ones start. */
export function calendarOf(days: readonly GridDay[]): { years: Year[]; undated: number | null } {
  const years: Year[] = [];
  let undated: number | null = null;
  days.forEach((d, i) => {
    if (d.day === null) {
      undated ??= i;
      return;
    }
    const year = d.day.slice(0, 4);
    const month = Number(d.day.slice(5, 7));
    let y = years[years.length - 1];
    if (!y || y.year !== year) {
      y = { year, day: i, months: [] };
      years.push(y);
    }
    if (y.months[y.months.length - 1]?.month !== month) y.months.push({ month, day: i });
  });
  return { years, undated };
}
