import { memo, useState } from 'react';
import { API } from './api-paths.js';
import { clock } from './format.js';
import type { GridItem } from './types.js';

/**
 * One content in the grid: a link to its detail holding its grid@1x thumbnail (by address, with
 * the checksum when known so the browser keeps it). A content with no thumbnail (audio, a file
 * vss cannot draw) shows its kind and name instead; the link is named after the file either way.
 */
export const Thumb = memo(function Thumb({ item, index, size, tabbable, libId }: { item: GridItem; index: number; size: number; tabbable: boolean; libId: string }) {
  const src = API.sidecar(libId, item.content_uuid, 'thumb', 'grid@1x', item.thumb_checksum);
  // The address that failed: a new thumbnail (a new checksum, so a new address) is tried again.
  const [brokenSrc, setBrokenSrc] = useState<string | null>(null);
  const failed = brokenSrc === src || !item.has_thumb;
  return (
    <a
      className={`thumb${failed ? ' no-image' : ''}`}
      href={`#/content/${item.content_uuid}`}
      data-uuid={item.content_uuid}
      data-i={index}
      tabIndex={tabbable ? 0 : -1}
      style={{ width: size, height: size }}
      title={item.name}
      aria-label={item.name}
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
      {item.live_photo && <span className="badge" aria-hidden="true">LIVE</span>}
      {item.kind === 'video' && item.duration_s !== null && <span className="badge" aria-hidden="true">{clock(item.duration_s)}</span>}
    </a>
  );
});
