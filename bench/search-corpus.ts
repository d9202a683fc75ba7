/**
 * OCR-like documents for the search benchmark, each made from its number alone (so the same text
 * can be made twice without keeping 100k documents in memory): pages of short lines, words drawn
 * from a Zipf distribution (s = 1) over a vocabulary of common English words followed by made-up
 * words, with numbers, prices and dates among them, as scanned receipts, letters and forms read.
 */
import { mulberry32 } from './mulberry32.js';

const COMMON = (
  'the of and to a in for is on that by this with you it not or be are from at as your all have new more an was we will ' +
  'can us about if page has but our one other do no information time they site he up may what which their any there only so ' +
  'his when contact here business who also now help get view online first been would how were me some these its like service ' +
  'than find price date back top people had list name just over state year day into email two health world next used go work ' +
  'last most products music buy data make them should product system post her city add policy number such please available ' +
  'copyright support message after best software then jan good video well where info rights public books high school through ' +
  'each links she review years order very privacy book items company read group need many user said does set under general ' +
  'research university january mail full map reviews program life know games way days management part could great united hotel ' +
  'real item international center must store travel comments made development report off member details line terms before ' +
  'invoice total amount receipt account payment customer address tax due balance signature department meeting office'
).split(' ');

const SYLLABLES = 'ka ri to mu ne sa lo vi de pa zu ho me ga ti ru no be fi la so du ke wa ni po ya re mi go'.split(' ');

/** The vocabulary, most frequent first: COMMON, then made-up words of 2–4 syllables. */
export function vocabulary(size: number): string[] {
  const words = [...COMMON];
  const seen = new Set(words);
  const rnd = mulberry32(7);
  while (words.length < size) {
    const n = 2 + Math.floor(rnd() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(rnd() * SYLLABLES.length)];
    if (!seen.has(w)) { seen.add(w); words.push(w); }
  }
  return words;
}

/** Draws ranks 0..n-1 with probability ∝ 1/(rank+1). */
export function zipf(n: number): (rnd: () => number) => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1);
  return (rnd) => {
    const x = rnd() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export interface BenchDoc {
  name: string;
  /** Each page: its lines (an OCR block per line). */
  pages: string[][];
}

export class Corpus {
  readonly words: string[];
  private readonly draw: (rnd: () => number) => number;

  constructor(vocabularySize = 50_000) {
    this.words = vocabulary(vocabularySize);
    this.draw = zipf(this.words.length);
  }

  /** Document I: 1 page (60 %), 2 (25 %) or 3–4, of 60–300 words in lines of 3–12. */
  doc(i: number): BenchDoc {
    const rnd = mulberry32(i * 2654435761 + 1);
    const r = rnd();
    const pageCount = r < 0.6 ? 1 : r < 0.85 ? 2 : 3 + Math.floor(rnd() * 2);
    const pages: string[][] = [];
    for (let p = 0; p < pageCount; p++) {
      const lines: string[] = [];
      let left = 60 + Math.floor(rnd() * 240);
      while (left > 0) {
        const n = Math.min(left, 3 + Math.floor(rnd() * 10));
        const line: string[] = [];
        for (let k = 0; k < n; k++) line.push(this.token(rnd));
        lines.push(line.join(' '));
        left -= n;
      }
      pages.push(lines);
    }
    return { name: `scan-${String(i).padStart(6, '0')}.${['tif', 'png', 'jpg', 'pdf'][i % 4]}`, pages };
  }

  private token(rnd: () => number): string {
    const r = rnd();
    if (r < 0.04) return String(Math.floor(rnd() * 10_000));
    if (r < 0.06) return `${Math.floor(rnd() * 500)}.${String(Math.floor(rnd() * 100)).padStart(2, '0')}`;
    if (r < 0.07) return `${1 + Math.floor(rnd() * 28)}/${1 + Math.floor(rnd() * 12)}/20${10 + Math.floor(rnd() * 16)}`;
    const w = this.words[this.draw(rnd)]!;
    return r < 0.12 ? w[0]!.toUpperCase() + w.slice(1) : w;
  }
}
