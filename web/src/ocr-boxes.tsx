import { matchesAny } from './query-terms.js';
import { toPicture } from './ocr-geometry.js';
import type { OcrJsonPage } from './types.js';

/**
 * The boxes of the text read from the picture, drawn over it (placed by ocr-geometry); those
 * holding a word of the query marked (`data-match`).
 */
export function OcrBoxes({ page, terms }: { page: OcrJsonPage; terms: readonly string[] }) {
  if (!(page.width > 0 && page.height > 0)) return null;
  const matches = page.blocks.map((b) => matchesAny(b.text, terms));
  return (
    <div className={`ocr-boxes${matches.includes(true) ? ' has-match' : ''}`} aria-hidden="true">
      {page.blocks.map((b, i) => {
        const [l, t, r, btm] = toPicture(b.bbox, page);
        const match = matches[i];
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
