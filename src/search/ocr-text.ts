/**
 * Which OCR text search indexes. tesseract reads "text" in ordinary photos too (train.jpg's
 * leaves and rails read as `ro | 2 | ANE:`); such lines would make a short word find photos with
 * no writing in them. Each line (block) of the OCR JSON keeps its confidence, so search indexes
 * only the lines read confidently enough; the sidecar itself keeps every line (the detail view
 * shows them all). A PDF's text layer is exact (confidence 1) and always kept.
 */
/**
 * A line read by OCR with a lower confidence (0–1) is not indexed for search. Measured with
 * `node dist/bench/ocr-noise-threshold.js` over every image and PDF in ../shared/fixtures:
 * - in the files with a ground truth, the weakest line holding its words is at 0.74 (the scanned
 *   LinnSequencer brochure);
 * - the photos' noise lines with two letters or digits are at most at 0.55 (train.jpg `ANE:`), save
 *   one misreading of upside-down print at 0.78 (immich-IMG_2682.heic, `VSN NI 3avin`: above real
 *   text, so no threshold drops it without losing words).
 * 0.60 to 0.70 give the same result there: every ground-truth word still findable (1165 of 1181,
 * as with no rule) and 11 of the photos' 12 lines dropped. The lowest is taken: a photo of a real
 * sign or receipt reads less cleanly than these scans, and losing its words costs more than a
 * stray noise line. From 0.75 up, ground-truth words are lost (0.75: 2, 0.80: 8, 0.90: 85).
 */
export const MIN_OCR_LINE_CONFIDENCE = 0.6;
/**
 * A line with fewer letters or digits than this is not indexed either: tesseract's confident
 * noise is often one character (train.jpg reads a `2` at 0.86), and one character is not a word
 * anyone searches for. It drops 4 of the photos' 12 lines and no ground-truth word.
 */
export const MIN_OCR_LINE_CHARS = 2;

export interface OcrLineRule {
  minConfidence: number;
  /** Letters or digits a line needs. */
  minLetters: number;
}

const RULE: OcrLineRule = { minConfidence: MIN_OCR_LINE_CONFIDENCE, minLetters: MIN_OCR_LINE_CHARS };

type PageLike = { source?: unknown; text?: unknown; blocks?: unknown };
type BlockLike = { text?: unknown; confidence?: unknown } | null | undefined;

/** Whether search indexes BLOCK, a line of PAGE: every line of a text layer; an OCR line read confidently enough, with enough letters or digits. */
export function isSearchedLine(page: PageLike, block: BlockLike, rule: OcrLineRule = RULE): boolean {
  if (typeof block?.text !== 'string') return false;
  if (page.source === 'text-layer') return true;
  // A line without a confidence (not written by our OCR) cannot be judged: kept, as it was before the rule.
  if (typeof block.confidence === 'number' && !(block.confidence >= rule.minConfidence)) return false;
  return hasLetters(block.text, rule.minLetters);
}

/** Whether TEXT has at least N letters or digits (counting stops at N: a line is read for every page indexed). */
function hasLetters(text: string, n: number): boolean {
  if (n <= 0) return true;
  let seen = 0;
  for (const _ of text.matchAll(/[\p{L}\p{N}]/gu)) if (++seen >= n) return true;
  return false;
}

/**
 * The text of PAGE that search indexes, line by line: a text layer's whole text; an OCR page's
 * lines that pass the rule. A page without lines (a sidecar of an older shape) keeps its whole text.
 */
export function searchedLines(page: PageLike, rule: OcrLineRule = RULE): string[] {
  const text = typeof page.text === 'string' ? page.text : '';
  if (page.source === 'text-layer' || !Array.isArray(page.blocks)) return text.trim() === '' ? [] : [text];
  return (page.blocks as BlockLike[]).filter((b) => isSearchedLine(page, b, rule)).map((b) => (b as { text: string }).text);
}

/** The text of PAGE that search indexes, one line a line ('' when no line is). */
export function searchedText(page: PageLike): string {
  return searchedLines(page).join('\n');
}
