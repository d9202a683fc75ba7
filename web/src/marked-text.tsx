/**
 * Text with its matches in <mark>, built as React text nodes (never HTML): a file name or OCR
 * text with "<" in it stays text.
 */
import { Fragment, useMemo, type ReactNode } from 'react';
import { markRanges } from './highlight.js';

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

/** TEXT with every occurrence of TERMS (folded words, see query-terms) marked (the first MAX_MARKS of them). */
export function Highlighted({ text, terms }: { text: string; terms: readonly string[] }) {
  const ranges = useMemo(() => markRanges(text, terms), [text, terms]);
  if (ranges.length === 0) return <>{text}</>;
  const out: ReactNode[] = [];
  let pos = 0;
  for (const [start, end] of ranges) {
    if (start > pos) out.push(<Fragment key={out.length}>{text.slice(pos, start)}</Fragment>);
    out.push(<mark key={out.length}>{text.slice(start, end)}</mark>);
    pos = end;
  }
  if (pos < text.length) out.push(<Fragment key={out.length}>{text.slice(pos)}</Fragment>);
  return <>{out}</>;
}
