import { UsageError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { followSidecars, indexContent, pendingCounts, reindex, type SearchFollower } from '../search/search-index.js';
import { checkLimit, checkSearch, searchLibrary, type SearchOptions as TextSearchOptions } from '../search/search-query.js';
import { hasFilters, metadataFilter, withSmartAlbums } from '../search/search-filters.js';
import { objectHits } from '../search/object-hits.js';
import { StackBook } from '../stacks/stack-book.js';
import type { SemanticOptions, SemanticSearch } from '../search/semantic/semantic-search.js';
import type { LibraryContext } from './library-api.js';
import type { SearchAnswer, SearchResult } from '../wire/search.js';

export type { ScoreKind, SearchAnswer, SearchLocator, SearchResult, SearchSource, SemanticLocator } from '../wire/search.js';
export type SearchOptions = TextSearchOptions & {
  /** Also search by meaning over the embeddings sidecars, fused with the text ranking (reciprocal rank). */
  semantic?: boolean;
  /** The embeddings model for `semantic` (its id); default the first one registered. */
  model?: SemanticOptions['model'];
  /**
   * How long (ms) to index contents queued for indexing (a scan just done) before answering with
   * what is indexed; default a few seconds (a one-shot process must index what it opened). The
   * daemon waits briefly: a search-as-you-type keystroke must not wait for a big scan.
   */
  wait?: number;
};

/** How long a query waits by default for contents queued for indexing (a scan just done) before it answers with what is indexed. */
const CATCH_UP_MS = 5_000;
/** The longest a query may be asked to wait. */
export const MAX_WAIT_MS = 60_000;

/** Search over names, OCR, PDF text layers and transcripts (`vss search`, DESIGN §14). */
export class SearchApi {
  private follower: SearchFollower | undefined;
  /** The promise, not the object: two first semantic queries at once share one index being built. */
  private semantic: Promise<SemanticSearch> | undefined;
  private closed = false;

  constructor(private readonly lib: Library, private readonly ctx: LibraryContext) {}

  /**
   * Contents matching QUERY (words, "phrases", prefix*), best first, one result per content.
   * Where this library is open for writing, contents queued for indexing are indexed first (in
   * slices, the event loop free), for at most a few seconds.
   * With `semantic`, also the contents nearest in meaning (see SemanticSearch.hybrid).
   */
  async query(query: string, opts: SearchOptions = {}): Promise<SearchResult[]> {
    return (await this.answer(query, opts)).results;
  }

  /** Where this library is open for writing, index what is queued first, for at most a few seconds (a smart album's search). */
  async caughtUp(): Promise<void> {
    if (this.ctx.access === 'write') await this.follower?.catchUp(Date.now() + CATCH_UP_MS);
  }

  /** As query, with how many contents were still queued for indexing (their text may be missing), and how many for removal. */
  async answer(query: string, opts: SearchOptions = {}): Promise<SearchAnswer> {
    const { semantic, model, wait, ...text } = opts;
    if (model !== undefined && !semantic) throw new UsageError('a model (--model) is for a semantic search: add --semantic');
    if (wait !== undefined && (!Number.isInteger(wait) || wait < 0 || wait > MAX_WAIT_MS)) throw new UsageError(`wait must be a whole number of milliseconds from 0 to ${MAX_WAIT_MS}, got ${wait}`);
    // A bad query is refused before any wait for indexing.
    const parsed = checkSearch(query, text.kind);
    checkLimit(text.limit);
    if (semantic && hasFilters(parsed)) throw new UsageError('filters (tag:, person:, album:, place:, kind:, date:, device:, is:, rating:) work with the text search (leave out --semantic)');
    if (this.ctx.access === 'write' && wait !== 0) await this.follower?.catchUp(Date.now() + (wait ?? CATCH_UP_MS));
    const found = searchLibrary(this.lib, query, text);
    const ranked = semantic ? await (await this.semanticSearch()).hybrid(query, found, { ...text, ...(model !== undefined ? { model } : {}) }) : found;
    // A stack is one result (issue 45): its best-ranked photo, whose page shows the others.
    const results: SearchResult[] = [...new StackBook(this.lib).onePerStack(ranked)];
    // Folders and files outside the locations that carry user data (issue 59), after the contents.
    if (!semantic) {
      const limit = checkLimit(text.limit) - results.length;
      const withAlbums = withSmartAlbums(this.lib, parsed);
      results.push(...objectHits(this.lib, withAlbums, metadataFilter(this.lib, withAlbums), withAlbums.kind ?? text.kind, limit));
    }
    const { indexing, removing } = pendingCounts(this.lib);
    return { results, pending: indexing, removing };
  }

  /** Loaded on the first semantic query: it brings the embedding engine's modules (a light command loads no engine). */
  private semanticSearch(): Promise<SemanticSearch> {
    this.semantic ??= import('../search/semantic/semantic-search.js').then(({ SemanticSearch }) => {
      const s = new SemanticSearch(this.lib, this.ctx.dataDir);
      if (this.closed) s.close();
      return s;
    }, (err: unknown) => {
      this.semantic = undefined; // tried again by the next query
      throw err;
    });
    return this.semantic;
  }

  /** Rebuild the whole index from the sidecars and file names. */
  reindex(): Promise<{ contents: number; rows: number }> {
    return reindex(this.lib);
  }

  /** Index one content again; returns its rows. */
  indexContent(contentUuid: string): number {
    return indexContent(this.lib, contentUuid);
  }

  /** Keep the index current as contents, copies and searched sidecars change (indexed in slices); returns the stop. */
  follow(onError?: (err: unknown) => void): () => void {
    const f = followSidecars(this.lib, onError);
    this.follower = f;
    return () => { f.stop(); if (this.follower === f) this.follower = undefined; };
  }

  /** Stop following the embeddings sidecars (the library is closing). */
  close(): void {
    this.closed = true;
    void this.semantic?.then((s) => s.close(), () => {});
  }
}
