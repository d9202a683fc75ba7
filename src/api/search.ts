import type { Library } from '../library/library.js';
import { followSidecars, indexContent, indexMissing, reindex, searchLibrary, type SearchOptions, type SearchResult, type SearchSource } from '../search/search-index.js';
import type { LibraryContext } from './library-api.js';

export type { SearchOptions, SearchResult, SearchSource };

/** Search over names, OCR, PDF text layers and transcripts (`vss search`, DESIGN §14). */
export class SearchApi {
  constructor(private readonly lib: Library, private readonly ctx: LibraryContext) {}

  /**
   * Contents matching QUERY (words, "phrases", prefix*), best first, one result per content.
   * Contents never indexed yet are indexed first when this library is open for writing.
   */
  query(query: string, opts: SearchOptions = {}): SearchResult[] {
    if (this.ctx.access === 'write') indexMissing(this.lib);
    return searchLibrary(this.lib, query, opts);
  }

  /** Rebuild the whole index from the sidecars and file names. */
  reindex(): { contents: number; rows: number } {
    return reindex(this.lib);
  }

  /** Index one content again; returns its rows. */
  indexContent(contentUuid: string): number {
    return indexContent(this.lib, contentUuid);
  }

  /** Keep the index current as searched sidecars become ready or go (batched); returns the stop. */
  follow(onError?: (err: unknown) => void): () => void {
    return followSidecars(this.lib, onError);
  }
}
