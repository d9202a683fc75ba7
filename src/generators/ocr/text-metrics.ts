/**
 * Measures of OCR quality against a known text, for tests and the benchmark.
 */

/** Whitespace runs to one space, ends trimmed, Unicode NFC (so "ń" and "n + ́" compare equal). */
export function normalizeText(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** Levenshtein distance (insertions, deletions, substitutions of UTF-16 units), two rows of memory. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** Character error rate of HYPOTHESIS against REFERENCE: edits / reference length, whitespace normalized. */
export function characterErrorRate(hypothesis: string, reference: string): number {
  const ref = normalizeText(reference);
  const hyp = normalizeText(hypothesis);
  if (ref.length === 0) return hyp.length === 0 ? 0 : 1;
  return levenshtein(hyp, ref) / ref.length;
}

/** Share of the reference's words (lower case, letters and digits only) found in the hypothesis, as a multiset. */
export function wordRecall(hypothesis: string, reference: string): number {
  const words = (t: string) => t.normalize('NFC').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
  const have = new Map<string, number>();
  for (const w of words(hypothesis)) have.set(w, (have.get(w) ?? 0) + 1);
  const ref = words(reference);
  if (ref.length === 0) return 1;
  let found = 0;
  for (const w of ref) {
    const n = have.get(w) ?? 0;
    if (n > 0) {
      found++;
      have.set(w, n - 1);
    }
  }
  return found / ref.length;
}
