/**
 * Where an OCR box lies on the picture. Boxes are in the page's units as read, after the page was
 * turned by `rotation` degrees clockwise to read it; the picture shown is not turned, so each box
 * is turned back, and given in fractions of the picture so it follows it at any size.
 */
import type { BBox, OcrJsonPage } from './types.js';

/** BBOX (page units, page as read) as fractions [left, top, right, bottom] of the picture as shown. */
export function toPicture([x0, y0, x1, y1]: BBox, page: Pick<OcrJsonPage, 'width' | 'height' | 'rotation'>): [number, number, number, number] {
  const w = page.width;
  const h = page.height;
  switch (page.rotation) {
    // Read turned 90° clockwise: the picture's point (px, py) was read at (H - py, px), so
    // px = y / h and py = 1 - x / w in fractions of the picture.
    case 90: return [y0 / h, 1 - x1 / w, y1 / h, 1 - x0 / w];
    case 180: return [1 - x1 / w, 1 - y1 / h, 1 - x0 / w, 1 - y0 / h];
    case 270: return [1 - y1 / h, x0 / w, 1 - y0 / h, x1 / w];
    default: return [x0 / w, y0 / h, x1 / w, y1 / h];
  }
}
