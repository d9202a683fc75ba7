/** Bounds on how big a PDF page may be rendered (pure, no pdfjs: shared by both sides of the worker). */

export interface PageSizeLimits {
  /** Longest rendered edge allowed whatever the caller asks (pixels). */
  maxEdgePx: number;
  /** Most pixels of one rendered page. */
  maxPixels: number;
  /** Longest page edge accepted, in points; PDF's own limit is 14,400 units × UserUnit. */
  maxPageEdgePt: number;
  /** Most elongated page accepted (long edge / short edge). */
  maxAspect: number;
}

export const DEFAULT_PAGE_LIMITS: PageSizeLimits = {
  maxEdgePx: 10_000,
  maxPixels: 50_000_000,
  maxPageEdgePt: 1_000_000,
  maxAspect: 200,
};

/**
 * The scale (rendered pixels per PDF point) that fits the page's long edge into MAXEDGE and, when
 * MAXDPI is given, renders no finer than that many dots per inch (a page is 72 points per inch).
 * Returns a reason string for a page that must not be rendered at all.
 */
export function renderScale(
  widthPt: number, heightPt: number, maxEdge: number, maxDpi: number | undefined, limits: PageSizeLimits = DEFAULT_PAGE_LIMITS,
): number | string {
  if (!(widthPt > 0 && heightPt > 0) || !Number.isFinite(widthPt) || !Number.isFinite(heightPt)) {
    return `page has no usable size (${widthPt} × ${heightPt} pt)`;
  }
  const long = Math.max(widthPt, heightPt);
  const short = Math.min(widthPt, heightPt);
  if (long > limits.maxPageEdgePt) return `page is absurdly large (${Math.round(widthPt)} × ${Math.round(heightPt)} pt)`;
  if (long / short > limits.maxAspect) return `page is absurdly elongated (${Math.round(widthPt)} × ${Math.round(heightPt)} pt)`;
  const edge = Math.min(Math.max(1, Math.floor(maxEdge)), limits.maxEdgePx);
  let scale = edge / long;
  if (maxDpi !== undefined && maxDpi > 0) scale = Math.min(scale, maxDpi / 72);
  // The pixel budget: an elongated page fitting maxEdge may still be many pixels.
  const pixels = widthPt * heightPt * scale * scale;
  if (pixels > limits.maxPixels) scale *= Math.sqrt(limits.maxPixels / pixels);
  return scale;
}
