/**
 * pdfjs text items → lines of text with bounding boxes (pure: unit-testable without a PDF).
 */

import type { BBox, TextBlock } from '../../wire/sidecar-json.js';

export type { BBox, TextBlock };

/** The parts of a pdfjs TextItem we read. */
export interface PdfTextItem {
  str: string;
  /** Text matrix in PDF user space [a, b, c, d, e, f]. */
  transform: number[];
  /** Advance width in user space (unrotated page units). */
  width: number;
  hasEOL: boolean;
  fontName: string;
}

export interface FontMetrics {
  ascent: number;
  descent: number;
}

/** Maps a PDF user-space point to the displayed page (pdfjs `viewport.convertToViewportPoint`). */
export type ToPage = (x: number, y: number) => [number, number];

/**
 * Group ITEMS (in content order) into lines: a line ends where pdfjs marks an end of line, or
 * where the next item's baseline is more than half a font size away (a missing EOL mark).
 * Coordinates go through TOPAGE; a box is rounded to 0.1 unit.
 */
export function textItemsToLines(items: readonly PdfTextItem[], fonts: Record<string, FontMetrics | undefined>, toPage: ToPage): TextBlock[] {
  const lines: TextBlock[] = [];
  let text = '';
  let box: BBox | undefined;
  let lastBaseline: { x: number; y: number; size: number } | undefined;
  const flush = () => {
    const t = joinSpacingAccents(text.replace(/\s+/g, ' ').trim());
    if (t !== '' && box) lines.push({ text: t, bbox: box.map((v) => Math.round(v * 10) / 10) as BBox, confidence: 1 });
    text = '';
    box = undefined;
  };
  for (const item of items) {
    const [a = 1, b = 0, c = 0, d = 1, e = 0, f = 0] = item.transform;
    const size = Math.hypot(c, d) || Math.hypot(a, b) || 1;
    if (lastBaseline && item.str.trim() !== '') {
      // Distance of this item's origin from the current line's baseline, across the text direction.
      const upLen = Math.hypot(c, d) || 1;
      const jump = Math.abs(((e - lastBaseline.x) * c + (f - lastBaseline.y) * d) / upLen);
      if (jump > Math.max(size, lastBaseline.size) * 0.5) flush();
    }
    if (item.str !== '') {
      text += item.str;
      if (item.str.trim() !== '') {
        const corners = itemCorners(item, fonts[item.fontName], a, b, c, d, e, f);
        for (const [x, y] of corners) {
          const [px, py] = toPage(x, y);
          box = box ? [Math.min(box[0], px), Math.min(box[1], py), Math.max(box[2], px), Math.max(box[3], py)] : [px, py, px, py];
        }
        lastBaseline = { x: e, y: f, size };
      }
    }
    if (item.hasEOL) {
      flush();
      lastBaseline = undefined;
    }
  }
  flush();
  return lines;
}

/** The four corners of an item's glyph box in user space: advance × (descent … ascent). */
function itemCorners(item: PdfTextItem, font: FontMetrics | undefined, a: number, b: number, c: number, d: number, e: number, f: number): Array<[number, number]> {
  const ascent = font && font.ascent > 0 ? font.ascent : 0.8;
  const descent = font && font.descent < 0 ? font.descent : -0.2;
  const runLen = Math.hypot(a, b) || 1;
  // Unit vector along the text and the (scaled) up vector of the text matrix.
  const ux = a / runLen;
  const uy = b / runLen;
  const w = item.width;
  const bottom: [number, number] = [e + c * descent, f + d * descent];
  const top: [number, number] = [e + c * ascent, f + d * ascent];
  return [bottom, [bottom[0] + ux * w, bottom[1] + uy * w], top, [top[0] + ux * w, top[1] + uy * w]];
}

/**
 * TeX's old font encodings draw an accent as its own glyph before the letter, so the text layer
 * holds "Grudzi´nski", "˙z", "˛a". Join a spacing accent with the letter after it where Unicode has
 * the composed letter (ń, ż, ą); leave everything else as it is.
 */
const SPACING_TO_COMBINING: Record<string, string> = {
  '\u00B4': '\u0301', // ´ acute
  '\u02DD': '\u030B', // ˝ double acute
  '\u02D9': '\u0307', // ˙ dot above
  '\u02DB': '\u0328', // ˛ ogonek
  '\u00B8': '\u0327', // ¸ cedilla
  '\u02C6': '\u0302', // ˆ circumflex
  '\u02DC': '\u0303', // ˜ tilde
  '\u00A8': '\u0308', // ¨ diaeresis
  '\u02C7': '\u030C', // ˇ caron
  '\u02D8': '\u0306', // ˘ breve
  '\u00AF': '\u0304', // ¯ macron
  '\u02DA': '\u030A', // ˚ ring
};
const SPACING_ACCENT_THEN_LETTER = /([\u00B4\u02DD\u02D9\u02DB\u00B8\u02C6\u02DC\u00A8\u02C7\u02D8\u00AF\u02DA])(\p{L})/gu;

export function joinSpacingAccents(text: string): string {
  return text.replace(SPACING_ACCENT_THEN_LETTER, (whole, accent: string, letter: string) => {
    const composed = (letter + SPACING_TO_COMBINING[accent]!).normalize('NFC');
    return composed.length === 1 ? composed : whole;
  });
}
