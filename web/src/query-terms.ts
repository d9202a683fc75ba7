/**
 * The words of a search query, for marking them in text the search did not return a snippet for
 * (OCR blocks, pages): quotes, prefix stars and the query operators are not words.
 */
const OPERATORS = new Set(['and', 'or', 'not', 'near']);

export function queryTerms(q: string): string[] {
  const words = q.split(/[\s"()]+/).map((w) => fold(w.replace(/\*+$/, '').replace(/^[-+^]+/, ''))).filter((w) => w !== '' && !OPERATORS.has(w));
  return [...new Set(words)];
}

/** Lower case without accents: "Café" and "cafe" are the same word to a reader searching. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

export function matchesAny(text: string, terms: readonly string[]): boolean {
  if (terms.length === 0) return false;
  const f = fold(text);
  return terms.some((t) => f.includes(t));
}
