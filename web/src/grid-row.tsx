import { memo } from 'react';
import { count, dayLabel, shortDayLabel } from './format.js';
import type { Row, Segment } from './grid-layout.js';
import type { GridSelection } from './grid-selection.js';
import type { GridStore } from './grid-store.js';
import { Thumb } from './thumb.js';
import type { GridDay, GridDevice } from './types.js';

interface RowPosition {
  top: number;
  height: number;
}

/** The header row of a day with rows of its own: the day as the heading, and how many contents it has. */
export const DayRow = memo(function DayRow({ day, index, picked, mayPick, top, height }: RowPosition & { day: GridDay; index: number; picked: boolean; mayPick: boolean }) {
  return (
    <div className="grid-row day-row" style={{ height, transform: `translateY(${top}px)` }} data-day={index}>
      <h2>
        {day.day === null ? 'No date' : <time dateTime={day.day}>{dayLabel(day.day)}</time>}
        <span className="day-count">{count(day.count)} {day.count === 1 ? 'item' : 'items'}</span>
      </h2>
      {mayPick && <PickDay day={day} index={index} picked={picked} />}
    </div>
  );
});

/** The "select day" control of a day heading: picks all of the day's items (or unpicks them once all are); the grid handles its click. */
function PickDay({ day, index, picked }: { day: GridDay; index: number; picked: boolean }) {
  return (
    <button type="button" className="pick-day" data-pick-day={index} aria-pressed={picked} aria-label={`Select day ${dayLabel(day.day)}`} title={picked ? 'Unselect this day' : 'Select this day'}>
      <span aria-hidden="true">{picked ? '☑' : '☐'}</span>
    </button>
  );
}

/**
 * A row of thumbnails: one run of a big day's, or small days side by side under their headings.
 * Its props are plain values (the row object is the layout's, unchanged while the layout is) so
 * React skips it while scrolling unless something of it changed: its place, the focus in it, or
 * how many of its items have arrived.
 */
export const ThumbRow = memo(function ThumbRow(props: RowPosition & {
  row: Extract<Row, { type: 'items' }>;
  days: readonly GridDay[];
  store: GridStore;
  libId: string;
  /** The library's devices (one: no device is named on the tiles). */
  devices: readonly GridDevice[];
  cell: number;
  gap: number;
  /** Height of a small day's heading. */
  heading: number;
  /** The item that Tab reaches, when it is in this row (else -1). */
  tabbable: number;
  loaded: number;
  /** The store's generation: its pages were read again. */
  generation: number;
  /** What is picked; null where nothing may be picked (no box on the tiles, no "select day"). */
  selection: GridSelection | null;
  /** The selection's version: what is picked changed. */
  picks: number;
}) {
  const { row, days, store, libId, devices, cell, gap, heading, tabbable, top, height, selection } = props;
  return (
    <div className="grid-row" style={{ height, transform: `translateY(${top}px)`, gap }}>
      {row.segs.map((seg) => (
        <SegmentCells key={seg.first} seg={seg} day={row.headings ? days[seg.day]! : null} store={store} libId={libId} devices={devices} cell={cell} gap={gap} heading={heading} tabbable={tabbable} selection={selection} />
      ))}
    </div>
  );
});

function SegmentCells({ seg, day, store, libId, devices, cell, gap, heading, tabbable, selection }: {
  seg: Segment; day: GridDay | null; store: GridStore; libId: string; devices: readonly GridDevice[]; cell: number; gap: number; heading: number; tabbable: number; selection: GridSelection | null;
}) {
  const cells = [];
  // While pages of the old order show beside new ones, a content can stand twice: keys stay unique.
  const keys = new Set<string>();
  for (let i = seg.first; i < seg.first + seg.len; i++) {
    const item = store.item(i);
    const key = item && (keys.has(item.content_uuid) ? `${item.content_uuid}@${i}` : item.content_uuid);
    if (item) keys.add(item.content_uuid);
    cells.push(item
      ? <Thumb key={key} item={item} index={i} size={cell} tabbable={i === tabbable} libId={libId} devices={devices} {...(selection ? { selected: selection.has(item.content_uuid) } : {})} />
      : <div key={`p${i}`} className="thumb placeholder" style={{ width: cell, height: cell }} />);
  }
  if (!day) return <>{cells}</>;
  const width = seg.len * cell + (seg.len - 1) * gap;
  let picked = selection !== null;
  for (let i = seg.first; i < seg.first + seg.len && picked; i++) {
    const item = store.item(i);
    picked = item !== undefined && selection!.has(item.content_uuid);
  }
  return (
    <div className="segment" style={{ width }} data-day={seg.day}>
      <h2 style={{ height: heading }} title={`${dayLabel(day.day)}: ${count(day.count)} ${day.count === 1 ? 'item' : 'items'}`}>
        {day.day === null ? 'No date' : <time dateTime={day.day}>{seg.len > 1 ? dayLabel(day.day) : shortDayLabel(day.day)}</time>}
        {selection && <PickDay day={day} index={seg.day} picked={picked} />}
      </h2>
      <div className="segment-cells" style={{ gap }}>{cells}</div>
    </div>
  );
}
