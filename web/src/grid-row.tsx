import { memo } from 'react';
import { count, dayLabel } from './format.js';
import type { GridStore } from './grid-store.js';
import { Thumb } from './thumb.js';

interface RowPosition {
  top: number;
  height: number;
}

/** A day's header row: the day as the heading, and how many contents it has. */
export const DayRow = memo(function DayRow({ day, items, top, height }: RowPosition & { day: string | null; items: number }) {
  return (
    <div className="grid-row day-row" style={{ height, transform: `translateY(${top}px)` }}>
      <h2>
        {day === null ? 'No date' : <time dateTime={day}>{dayLabel(day)}</time>}
        <span className="day-count">{count(items)} {items === 1 ? 'item' : 'items'}</span>
      </h2>
    </div>
  );
});

/**
 * A row of thumbnails. Its props are plain numbers so that React skips it while scrolling unless
 * something of it changed: its place, the focus in it, or how many of its items have arrived.
 */
export const ThumbRow = memo(function ThumbRow(props: RowPosition & {
  store: GridStore; libId: string; first: number; len: number; cell: number; gap: number;
  /** The item that Tab reaches, when it is in this row (else -1). */
  tabbable: number;
  loaded: number;
  /** The store's generation: its pages were read again. */
  generation: number;
}) {
  const { store, libId, first, len, cell, gap, tabbable, top, height } = props;
  const cells = [];
  for (let i = first; i < first + len; i++) {
    const item = store.item(i);
    cells.push(item
      ? <Thumb key={item.content_uuid} item={item} index={i} size={cell} tabbable={i === tabbable} libId={libId} />
      : <div key={`p${i}`} className="thumb placeholder" style={{ width: cell, height: cell }} />);
  }
  return (
    <div className="grid-row" style={{ height, transform: `translateY(${top}px)`, gap }}>
      {cells}
    </div>
  );
});
