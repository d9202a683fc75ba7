import { matchesAny } from './query-terms.js';
import type { BBox, OcrPage } from './types.js';

/**
 * The boxes of the text read from the picture, drawn over it; those holding a word of the query
 * marked (`data-match`). Boxes are in the page's units as read, after the page was turned by
 * `rotation` degrees clockwise; the picture is not turned, so each box is turned back to it.
 */
export function OcrBoxes({ page, terms }: { page: OcrPage; terms: readonly string[] }) {
  if (!(page.width > 0 && page.height > 0)) return null;
  return (
    <div className="ocr-boxes" aria-hidden="true">
      {page.blocks.map((b, i) => {
        const [l, t, r, btm] = toPicture(b.bbox, page);
        const match = matchesAny(b.text, terms);
        return (
          <div
            key={i}
            className="ocr-box"
            data-ocr-box=""
            {...(match ? { 'data-match': '' } : {})}
            title={b.text}
            style={{ left: pct(l), top: pct(t), width: pct(r - l), height: pct(btm - t) }}
          />
        );
      })}
    </div>
  );
}

const pct = (f: number) => `${(Math.min(1, Math.max(0, f)) * 100).toFixed(3)}%`;

/** BBOX (page units, page as read) as fractions [left, top, right, bottom] of the picture as shown. */
export function toPicture([x0, y0, x1, y1]: BBox, page: Pick<OcrPage, 'width' | 'height' | 'rotation'>): [number, number, number, number] {
  const w = page.width;
  const h = page.height;
  switch (page.rotation ?? 0) {
    // Read turned 90° clockwise: a point (x, y) as read was (y, H - x) of the picture, in fractions (y/h, 1 - x/w).
    case 90: return [y0 / h, 1 - x1 / w, y1 / h, 1 - x0 / w];
    case 180: return [1 - x1 / w, 1 - y1 / h, 1 - x0 / w, 1 - y0 / h];
    case 270: return [1 - y1 / h, x0 / w, 1 - y0 / h, x1 / w];
    default: return [x0 / w, y0 / h, x1 / w, y1 / h];
  }
}
