import { UsageError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { followSidecars, indexContent, reindex, type SearchFollower, type SearchSource } from '../search/search-index.js';
import { searchLibrary, type SearchOptions as TextSearchOptions } from '../search/search-query.js';
import type { SearchLocator } from '../search/locator.js';
import type { HybridResult, SemanticOptions, SemanticSearch } from '../search/semantic/semantic-search.js';
import type { SemanticLocator } from '../search/semantic/vector-index.js';
import type { LibraryContext } from './library-api.js';

export type SearchResult = HybridResult;
export type SearchOptions = TextSearchOptions & {
  /** Also search by meaning over the embeddings sidecars, fused with the text ranking (reciprocal rank). */
  semantic?: boolean;
  /** The embeddings model for `semantic` (its id); default the first one registered. */
  model?: SemanticOptions['model'];
};
export type { SearchLocator, SearchSource, SemanticLocator };

/** How long a query waits for contents queued for indexing (a scan just done) before it answers with what is indexed. */
const CATCH_UP_MS = 5_000;

/** Search over names, OCR, PDF text layers and transcripts (`vss search`, DESIGN §14). */
export class SearchApi {
  private follower: SearchFollower | undefined;
  private semantic: SemanticSearch | undefined;

  constructor(private readonly lib: Library, private readonly ctx: LibraryContext) {}

  /**
   * Contents matching QUERY (words, "phrases", prefix*), best first, one result per content.
   * Where this library is open for writing, contents queued for indexing are indexed first (in
   * slices, the event loop free), for at most a few seconds.
   * With `semantic`, also the contents nearest in meaning (see SemanticSearch.hybrid).
   */
  async query(query: string, opts: SearchOptions = {}): Promise<SearchResult[]> {
    const { semantic, model, ...text } = opts;
    if (model !== undefined && !semantic) throw new UsageError('a model (--model) is for a semantic search: add --semantic');
    if (this.ctx.access === 'write') await this.follower?.catchUp(Date.now() + CATCH_UP_MS);
    const found = searchLibrary(this.lib, query, text);
    if (!semantic) return found;
    // Loaded on the first semantic query: it brings the embedding engine's modules (a light command loads no engine).
    this.semantic ??= new (await import('../search/semantic/semantic-search.js')).SemanticSearch(this.lib, this.ctx.dataDir);
    return this.semantic.hybrid(query, found, { ...text, ...(model !== undefined ? { model } : {}) });
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
    this.semantic?.close();
  }
}
