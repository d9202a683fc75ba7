/**
 * Where the words of a query are in a text, for marking them (OCR pages, transcripts): matched
 * on the folded text (query-terms.ts: no case, no accents) and mapped back to the text's own
 * characters. Linear in the text (a whole PDF page, a one-letter word), and at most MAX_MARKS
 * marks: past that many the reader is not helped by more, and the page would be slow to draw.
 */
import { fold } from './query-terms.js';

export const MAX_MARKS = 2000;

/** [start, end) in TEXT's code units, in order, not overlapping, not touching: the parts to mark. */
export function markRanges(text: string, terms: readonly string[], max = MAX_MARKS): Array<[number, number]> {
  const words = terms.filter((t) => t !== '');
  if (words.length === 0 || text === '') return [];
  // Per character (code point) of TEXT: where it starts in TEXT, and where its fold starts in the folded text.
  const unitAt: number[] = [];
  const foldAt: number[] = [];
  let folded = '';
  const cache = new Map<string, string>();
  for (let u = 0; u < text.length;) {
    const code = text.codePointAt(u)!;
    const c = String.fromCodePoint(code);
    unitAt.push(u);
    foldAt.push(folded.length);
    let f: string | undefined;
    if (code < 0x80) f = c.toLowerCase();
    else if ((f = cache.get(c)) === undefined) cache.set(c, (f = fold(c)));
    folded += f;
    u += c.length;
  }
  const n = unitAt.length;
  unitAt.push(text.length);
  foldAt.push(folded.length);

  const marked = new Uint8Array(n);
  let count = 0;
  for (const word of words) {
    let until = 0; // characters before this are marked already for this word
    for (let at = folded.indexOf(word); at >= 0 && count < max; at = folded.indexOf(word, at + 1)) {
      // The characters whose folds overlap [at, at + word.length): from the one holding `at`.
      let i = Math.max(until, lastStartAtOrBefore(foldAt, n, at));
      const end = at + word.length;
      for (; i < n && foldAt[i]! < end; i++) marked[i] = 1;
      until = i;
      count++;
    }
  }
  // A character that folds to nothing (a combining accent in text that is not NFC) goes with the one before it.
  for (let i = 1; i < n; i++) if (marked[i - 1] === 1 && foldAt[i] === foldAt[i + 1]) marked[i] = 1;

  const out: Array<[number, number]> = [];
  for (let i = 0; i < n;) {
    if (marked[i] !== 1) { i++; continue; }
    const start = i;
    while (i < n && marked[i] === 1) i++;
    out.push([unitAt[start]!, unitAt[i]!]);
  }
  return out;
}

/** The last character (below N) whose fold starts at or before POS: a binary search, the starts rise. */
function lastStartAtOrBefore(foldAt: readonly number[], n: number, pos: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (foldAt[mid]! <= pos) lo = mid;
    else hi = mid - 1;
  }
  // Characters that fold to nothing share the start of the next: the last of them is the one with a fold.
  return lo;
}
