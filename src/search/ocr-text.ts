import type { Library } from '../library/library.js';
import { readSidecarJson } from '../sidecars/sidecar-json-file.js';
/**
 * Which OCR text search indexes. tesseract reads "text" in ordinary photos too (train.jpg's
 * leaves and rails read as `ro | 2 | ANE:`); such lines would make a short word find photos with
 * no writing in them. Each line (block) of the OCR JSON keeps its confidence, so search indexes
 * only the lines read confidently enough; the sidecar itself keeps every line (the detail view
 * shows them all). A PDF's text layer is exact (confidence 1) and always kept.
 *
 * Changing MIN_OCR_LINE_CONFIDENCE or MIN_OCR_LINE_CHARS changes what existing indexes should
 * hold: every content with an OCR sidecar must be queued again for indexing, by a migration as
 * src/db/migrations/010-search-ocr-lines.ts does (otherwise old rows keep the old rule).
 */
/**
 * A line read by OCR with a lower confidence (0–1) is not indexed for search. Measured with
 * `npm run bench:ocr-noise` (bench/ocr-noise-threshold.ts): the ground-truth scans of
 * ../shared/fixtures (OCR pages only, each ground truth once: phototest, eurotext, simple, the linn
 * brochure; 442 words), eight worse copies of them made with sharp (downscaled to 50% and 30%,
 * blur, JPEG, noise, faded with grain, turned, a phone-photo mix), and the 11 photos with no
 * legible text plus three shared copies of each:
 * - the clean scans lose no word up to 0.70 (their weakest line holding words is at 0.74), so they
 *   cannot choose; the worse copies, whose lines are read at 0.4–0.8, can. Of the 3204 words
 *   read in them, a threshold loses 8 at 0.30, 15 (0.5%) at 0.40, 51 (1.6%) at 0.50, 141 (4.4%)
 *   at 0.60, 342 (11%) at 0.70;
 * - of the photos' 23 noise lines (with their copies) it keeps 10 at 0.30, 7 at 0.40, 4 at 0.50,
 *   1 at 0.60 (`VSN NI 3avin`, upside-down print at 0.78: real text, no threshold below 0.8 drops it).
 * 0.40 is the knee: up to it each noise line dropped costs at most 2.3 readable words of the
 * worse copies; from 0.40 to 0.50 it costs 12, from 0.50 to 0.60 30. A lost word leaves a
 * document unfindable by it; a kept noise line (`ANE:` at 0.55, `Smee` at 0.40) only adds a photo
 * to the results of a query that odd string matches. (No threshold keeps everything: tesseract
 * rates a correctly read tiny line, simple.png at 50%, at 0.00.)
 */
export const MIN_OCR_LINE_CONFIDENCE = 0.4;
/**
 * A line with fewer letters or digits than this is not indexed either: tesseract's confident
 * noise is often one character (train.jpg reads a `2` at 0.86), and one character is not a word
 * anyone searches for. It drops 4 of the photos' 12 lines (as they are) and no ground-truth word
 * of the clean scans.
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

/** A text sidecar read for its word count is at most this big (a bigger one is not read: no count). */
const MAX_COUNTED_BYTES = 8 * 1024 ** 2;

/**
 * How many words of CONTENT's OCR (or PDF text layer) search indexes: what the detail view weighs
 * before it shows an ordinary photo's "text" (a couple of confident words on a photo are noise);
 * null when no text was read.
 */
export function searchedWords(lib: Library, contentUuid: string): number | null {
  const ocr = readSidecarJson(lib, contentUuid, 'ocr', MAX_COUNTED_BYTES) as { pages?: unknown } | null;
  if (!ocr || !Array.isArray(ocr.pages)) return null;
  let words = 0;
  for (const p of ocr.pages as PageLike[]) {
    for (const line of searchedLines(p)) words += line.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
    if (words > 1000) break;
  }
  return words;
}
