/**
 * Text with its matches in <mark>, built as React text nodes (never HTML): a file name or OCR
 * text with "<" in it stays text.
 */
import { Fragment, type ReactNode } from 'react';
import { fold } from './query-terms.js';

/** A search snippet, whose matches the daemon put in [brackets]. */
export function Snippet({ text }: { text: string }) {
  const parts = text.split(/\[([^\]]*)\]/);
  return (
    <>
      {parts.map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : <Fragment key={i}>{part}</Fragment>))}
    </>
  );
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
