/** Text comparison for OCR and transcript checks against ground truth. */

/** Lowercase, one space between words, no surrounding space: layout differences are not errors. */
export function normalizeText(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Character error rate of HYPOTHESIS against TRUTH, after normalizing whitespace. */
export function characterErrorRate(hypothesis: string, truth: string): number {
  const h = normalizeText(hypothesis);
  const t = normalizeText(truth);
  return t.length === 0 ? (h.length === 0 ? 0 : 1) : levenshtein(h, t) / t.length;
}
