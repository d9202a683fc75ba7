/**
 * What a search answers (DESIGN §14, `vss search`, `GET /api/libraries/:lib/search`): the shapes
 * the daemon answers with, read by the app in web/ as they are. Types only: the app's type check
 * reads this file.
 */

/** Which text matched: the file name, an OCR page, a PDF's text layer, a transcript segment, the place a photo was taken. */
export type SearchSource = 'name' | 'ocr' | 'pdf-text' | 'transcript' | 'place';

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

/**
 * What a result's `score` is, so a client can read the number:
 * - `bm25`: the text ranking's, SQLite's BM25 of the best-matching row, lower is better (negative;
 *   for a query in Chinese, Japanese or Korean, matched without the word index, minus how often
 *   the words occur in the row: lower is better as well);
 * - `cosine`: a semantic match's cosine similarity, −1…1, higher is better;
 * - `rrf`: a hybrid query's fused reciprocal-rank score (both rankings found something), higher is better.
 * One query's results share one kind.
 */
export type ScoreKind = 'bm25' | 'cosine' | 'rrf';

/** A match of the text index (src/search/search-query.ts). */
export interface TextSearchResult {
  content_uuid: string;
  kind: string;
  /** How good a match this is; read it by `score_kind`. */
  score: number;
  /** What `score` is: here `bm25`; `rrf` once fused with a semantic ranking (see ScoreKind). */
  score_kind: Exclude<ScoreKind, 'cosine'>;
  /** The best row's text around the match, each match in [brackets] (for reading; text may hold brackets of its own). */
  snippet: string;
  /** Where the matches are in `snippet`: [start, end) of each one's text, its brackets at start − 1 and end. */
  marks: Array<[number, number]>;
  /** Which text matched: the file name, an OCR page, a PDF's text layer, a transcript segment; `filters` for a query of filters alone (no words: the content meets them). */
  source: SearchSource | 'filters';
  /** Where in it: the page (and the box of the line holding the match) or the segment's start; absent for a name. */
  locator?: SearchLocator;
  /** This device's copies, absolute. */
  paths: string[];
  /** Copies on paired devices, as `DEVICE:/location/path` (DESIGN §15); absent when there are none. */
  addresses?: string[];
}

/** A folder, or a file outside every location, that a query's filters or its name found (issue 59: one file system). */
export interface ObjectSearchResult extends Omit<TextSearchResult, 'content_uuid' | 'source' | 'locator'> {
  /** A file's content; null for a folder. */
  content_uuid: string | null;
  /** What its tags and metadata are kept under (a folder's own id). */
  object_uuid: string;
  /** `folder`, or a file's content kind (`file` where this library holds no copy of its content to tell it). */
  kind: string;
  /** Where it is: this device's absolute path, or `DEVICE:PATH` on another. */
  path: string;
  /** The device whose file system holds it, by name. */
  device: string;
  source: 'name' | 'filters';
}

/** A content a query found: a text match, or a chunk nearest in meaning. */
export type ContentSearchResult =
  | TextSearchResult
  | (Omit<TextSearchResult, 'source' | 'locator' | 'score_kind'> & { source: 'semantic'; score_kind: 'cosine' | 'rrf'; locator: SemanticLocator });

/** A result of a query that may be semantic: a content, or a folder or file found by its user data. */
export type SearchResult = ContentSearchResult | ObjectSearchResult;

/** A query's answer with how current it is. */
export interface SearchAnswer {
  results: SearchResult[];
  /** Contents still queued for indexing when it was answered (0: the index was current); their text may be missing from the results. */
  pending: number;
  /** Contents that left the library (an unpaired device's, say) whose rows were still to be removed: none of them is in the results. */
  removing: number;
}
