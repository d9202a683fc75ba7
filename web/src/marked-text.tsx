/**
 * Text with its matches in <mark>, built as React text nodes (never HTML): a file name or OCR
 * text with "<" in it stays text.
 */
import { Fragment, type ReactNode } from 'react';
import { fold } from './query-terms.js';

/**
 * A search snippet: the daemon puts each match in [brackets] and says where they are (`marks`,
 * [start, end) of the match's text), so brackets that are part of the text stay text.
 */
export function Snippet({ text, marks }: { text: string; marks: ReadonlyArray<readonly [number, number]> }) {
  const out: ReactNode[] = [];
  let pos = 0;
  for (const [start, end] of marks) {
    if (start < pos + 1 || end > text.length || end < start) continue; // not a mark of this text
    out.push(<Fragment key={out.length}>{text.slice(pos, start - 1)}</Fragment>, <mark key={out.length + 1}>{text.slice(start, end)}</mark>);
    pos = end + 1;
  }
  out.push(<Fragment key={out.length}>{text.slice(pos)}</Fragment>);
  return <>{out}</>;
}

/** TEXT with every occurrence of TERMS (folded words, see query-terms) marked. */
export function Highlighted({ text, terms }: { text: string; terms: readonly string[] }) {
  if (terms.length === 0) return <>{text}</>;
  // Matched on the folded text; folding keeps one character per base letter when the text is NFC
  // (marks removed), so map positions through a per-character fold.
  const chars = Array.from(text);
  const folded: string[] = chars.map((c) => fold(c));
  const joined = folded.join('');
  const starts: number[] = [];
  let pos = 0;
  for (const f of folded) { starts.push(pos); pos += f.length; }
  const marks = new Array<boolean>(chars.length).fill(false);
  for (const term of terms) {
    for (let at = joined.indexOf(term); at >= 0; at = joined.indexOf(term, at + 1)) {
      for (let i = 0; i < chars.length; i++) {
        const s = starts[i]!;
        const e = s + folded[i]!.length;
        if (e > at && s < at + term.length) marks[i] = true;
      }
    }
  }
  const out: ReactNode[] = [];
  let run = '';
  let runMarked = false;
  const flush = () => {
    if (run === '') return;
    out.push(runMarked ? <mark key={out.length}>{run}</mark> : <Fragment key={out.length}>{run}</Fragment>);
    run = '';
  };
  chars.forEach((c, i) => {
    if (marks[i] !== runMarked) { flush(); runMarked = marks[i]!; }
    run += c;
  });
  flush();
  return <>{out}</>;
}
