/**
 * What a search answers (DESIGN §14, `vss search`, `GET /api/libraries/:lib/search`): the shapes
 * the daemon answers with, read by the app in web/ as they are. Types only: the app's type check
 * reads this file.
 */

/** Which text matched: the file name, an OCR page, a PDF's text layer, a transcript segment. */
export type SearchSource = 'name' | 'ocr' | 'pdf-text' | 'transcript';

export interface SearchLocator {
  /** 1-based page (ocr, pdf-text). */
  page?: number;
  /** The line holding the match: [x0, y0, x1, y1] from the page's top-left, in `unit`. */
  box?: [number, number, number, number];
  /** 'px' (image pixels) or 'pt' (PDF points). */
  unit?: string;
  /** Start of the matching transcript segment, seconds. */
  start_s?: number;
}

/** Where in the embedded text a chunk is: its index in the sidecar, and its characters if the file says. */
export interface SemanticLocator {
  chunk: number;
  start?: number;
  end?: number;
}

/** A match of the text index (src/search/search-query.ts). */
export interface TextSearchResult {
  content_uuid: string;
  kind: string;
  /** BM25 (SQLite's sign: lower is better) of the best-matching row. */
  score: number;
  /** The best row's text around the match, each match in [brackets] (for reading; text may hold brackets of its own). */
  snippet: string;
  /** Where the matches are in `snippet`: [start, end) of each one's text, its brackets at start − 1 and end. */
  marks: Array<[number, number]>;
  /** Which text matched: the file name, an OCR page, a PDF's text layer, a transcript segment. */
  source: SearchSource;
  /** Where in it: the page (and the box of the line holding the match) or the segment's start; absent for a name. */
  locator?: SearchLocator;
  paths: string[];
}

/** A result of a query that may be semantic: a text match, or a chunk nearest in meaning. */
export type SearchResult =
  | TextSearchResult
  | (Omit<TextSearchResult, 'source' | 'locator'> & { source: 'semantic'; locator: SemanticLocator });

/** A query's answer with how current it is. */
export interface SearchAnswer {
  results: SearchResult[];
  /** Contents still queued for indexing when it was answered (0: the index was current); their text may be missing from the results. */
  pending: number;
}
