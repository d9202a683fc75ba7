import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { calendarOf } from './grid-calendar.js';
import type { GridDay } from './types.js';

const monthName = new Intl.DateTimeFormat(undefined, { month: 'long', timeZone: 'UTC' });
const monthShort = new Intl.DateTimeFormat(undefined, { month: 'short', timeZone: 'UTC' });
const nameOf = (m: number, f: Intl.DateTimeFormat) => f.format(Date.UTC(2000, m - 1, 1));

/**
 * A slim bar beside the grid (issue 32): the years it holds, the months of the year on screen (or
 * the one pointed at or focused), and "No date" at the end; a press scrolls the grid there. Made
 * from the days the grid already read: nothing more is asked of the daemon. Drawn again only when
 * the year on screen changes (not at every frame of a scroll): ONJUMP must keep its identity.
 */
export const GridScrubber = memo(function GridScrubber({ days, currentYear, onJump }: { days: readonly GridDay[]; currentYear: string | null; onJump: (day: number) => void }) {
  const { years, undated } = useMemo(() => calendarOf(days), [days]);
  const [pointed, setPointed] = useState<string | null>(null);
  const ref = useRef<HTMLElement | null>(null);
  useBesideView(ref, years.length > 0);
  if (years.length === 0) return null;
  const open = pointed ?? currentYear;
  return (
    <nav ref={ref} className="scrubber" aria-label="Years and months" onMouseLeave={() => setPointed(null)}>
      <ul>
        {years.map((y) => (
          <li key={y.year} onMouseEnter={() => setPointed(y.year)} onFocus={() => setPointed(y.year)}>
            <button type="button" className={`scrub-year${y.year === currentYear ? ' current' : ''}`} aria-current={y.year === currentYear ? 'true' : undefined} onClick={() => onJump(y.day)}>
              {y.year}
            </button>
            {y.year === open && y.months.length > 1 && (
              <ul aria-label={`Months of ${y.year}`}>
                {y.months.map((m) => (
                  <li key={m.month}>
                    <button type="button" className="scrub-month" aria-label={`${nameOf(m.month, monthName)} ${y.year}`} onClick={() => onJump(m.day)}>
                      {nameOf(m.month, monthShort)}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
        {undated !== null && (
          <li>
            <button type="button" className="scrub-year" onClick={() => onJump(undated)}>No date</button>
          </li>
        )}
      </ul>
    </nav>
  );
});

/**
 * Keep the bar within the view that scrolls (its `main`), whatever lies above it: a header that
 * wraps, a note, errors, a phone's layout. Fixed to the window, it is placed from the view's box,
 * again when that box changes size.
 */
function useBesideView(ref: { current: HTMLElement | null }, shown: boolean): void {
  useLayoutEffect(() => {
    const bar = ref.current;
    const view = bar?.closest('main');
    if (!bar || !view) return;
    const place = () => {
      const r = view.getBoundingClientRect();
      bar.style.top = `${r.top + 8}px`;
      bar.style.maxHeight = `${Math.max(0, r.bottom - r.top - 16)}px`;
    };
    place();
    const seen = new ResizeObserver(place);
    seen.observe(view);
    window.addEventListener('resize', place);
    return () => {
      seen.disconnect();
      window.removeEventListener('resize', place);
    };
  }, [ref, shown]);
}
