import { memo, useState } from 'react';
import { API } from './api-paths.js';
import { clock } from './format.js';
import type { GridDevice, GridItem } from './types.js';
import { useMay } from './may.js';
import { FavoriteAndRating, useUserFlags } from './user-meta-controls.js';

/**
 * Where a tile's content is, when the library spans devices (DESIGN §15): the device named on it
 * (the first that holds it, this one first; "+N" more), and whether none that holds it is
 * online now (then only what this device kept of it shows: its thumbnail, its facts).
 */
export function placeOf(item: GridItem, devices: readonly GridDevice[]): { label: string; offline: boolean } | null {
  if (devices.length < 2) return null;
  const byId = (id: string) => devices.find((d) => d.device_id === id);
  const first = item.devices[0];
  const name = first === undefined ? '?' : byId(first)?.name ?? first.slice(0, 8);
  const more = item.devices.length - 1;
  const offline = !item.local && !item.devices.some((id) => byId(id)?.online === true);
  return { label: more > 0 ? `${name} +${more}` : name, offline };
}

const noop = () => {};

/**
 * One content in the grid: a link to its detail holding its grid@1x thumbnail (by address, with
 * the checksum when known so the browser keeps it). A content with no thumbnail (audio, a file
 * vss cannot draw) shows its kind and name instead; the link is named after the file either way,
 * and after its device and its offline state when the library spans devices.
 */
export const Thumb = memo(function Thumb({ item, index, size, tabbable, libId, devices, selected }: {
  item: GridItem; index: number; size: number; tabbable: boolean; libId: string; devices: readonly GridDevice[];
  /** Picked for a bulk action (grid-selection.ts); undefined where nothing can be picked. */
  selected?: boolean;
}) {
  const src = API.sidecar(libId, item.content_uuid, 'thumb', 'grid@1x', item.thumb_checksum);
  // The address that failed: a new thumbnail (a new checksum, so a new address) is tried again.
  const [brokenSrc, setBrokenSrc] = useState<string | null>(null);
  const failed = brokenSrc === src || !item.has_thumb;
  const place = placeOf(item, devices);
  const flags = useUserFlags(item.content_uuid, item);
  const may = useMay();
  const stacked = item.stack ? `, a stack of ${item.stack.count} (${item.stack.kind === 'burst' ? 'a burst' : 'RAW and JPEG'})` : '';
  const label = `${place ? `${item.name}, on ${place.label}${place.offline ? ', offline' : ''}` : item.name}${stacked}${flags.hidden ? ', hidden' : ''}`;
  return (
    <div className={`tile${flags.hidden ? ' hidden-content' : ''}${selected !== undefined ? ' pickable' : ''}${selected ? ' selected' : ''}`} style={{ width: size, height: size }}>
    <a
      className={`thumb${failed ? ' no-image' : ''}${place?.offline ? ' offline' : ''}`}
      href={`#/content/${item.content_uuid}`}
      data-uuid={item.content_uuid}
      data-i={index}
      tabIndex={tabbable ? 0 : -1}
      style={{ width: size, height: size }}
      title={label}
      aria-label={label}
    >
      {item.has_thumb && <img
        alt={item.name}
        src={src}
        loading="lazy"
        decoding="async"
        draggable={false}
        width={size}
        height={size}
        onError={() => setBrokenSrc(src)}
      />}
      {failed && (
        <span className="thumb-fallback" aria-hidden="true">
          <span className="thumb-kind">{item.kind}</span>
          <span className="thumb-name">{item.name}</span>
        </span>
      )}
      {(item.live_photo || item.stack || (item.kind === 'video' && item.duration_s !== null)) && (
        <span className="badges" aria-hidden="true">
          {item.live_photo && <span className="badge">LIVE</span>}
          {item.stack && <span className="badge stack-badge" data-stack={item.stack.stack_id}>{item.stack.kind === 'raw+jpeg' ? 'RAW+JPEG' : `▤ ${item.stack.count}`}</span>}
          {item.kind === 'video' && item.duration_s !== null && <span className="badge">{clock(item.duration_s)}</span>}
        </span>
      )}
      {place && <span className={`device-badge${item.local ? ' here' : ''}`} aria-hidden="true">{place.label}{place.offline ? ' · offline' : ''}</span>}
      {flags.hidden && <span className="badge hidden-badge" aria-hidden="true">HIDDEN</span>}
    </a>
    {/* Beside the link, not in it (a button inside a link is neither): Tab reaches them from the focused tile. */}
    <div className="tile-meta" role="group" aria-label={`${item.name}: favourite and rating`}>
      <FavoriteAndRating libId={libId} uuid={item.content_uuid} flags={flags} tabbable={tabbable} readOnly={!may('metaSet')} />
    </div>
    {/* The grid handles its clicks (Shift picks a range): here it only shows the state. */}
    {selected !== undefined && (
      <input
        type="checkbox"
        className="tile-pick"
        aria-label={`Select ${item.name}`}
        checked={selected}
        data-pick={index}
        tabIndex={tabbable ? 0 : -1}
        onChange={noop}
      />
    )}
    </div>
  );
});
