import { UsageError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { followSidecars, indexContent, indexMissing, reindex, searchLibrary, type SearchOptions as TextSearchOptions, type SearchSource } from '../search/search-index.js';
import { SemanticSearch, type HybridResult, type SemanticOptions } from '../search/semantic/semantic-search.js';
import type { SemanticLocator } from '../search/semantic/vector-index.js';
import type { LibraryContext } from './library-api.js';

export type SearchResult = HybridResult;
export type SearchOptions = TextSearchOptions & {
  /** Also search by meaning over the embeddings sidecars, fused with the text ranking (reciprocal rank). */
  semantic?: boolean;
  /** The embeddings model for `semantic` (its id); default the first one registered. */
  model?: SemanticOptions['model'];
};
export type { SearchSource, SemanticLocator };

/** Search over names, OCR, PDF text layers and transcripts (`vss search`, DESIGN §14). */
export class SearchApi {
  private semantic: SemanticSearch | undefined;

  constructor(private readonly lib: Library, private readonly ctx: LibraryContext) {}

  /**
   * Contents matching QUERY (words, "phrases", prefix*), best first, one result per content.
   * Contents never indexed yet are indexed first when this library is open for writing.
   * With `semantic`, also the contents nearest in meaning (see SemanticSearch.hybrid).
   */
  async query(query: string, opts: SearchOptions = {}): Promise<SearchResult[]> {
    if (this.ctx.access === 'write') indexMissing(this.lib);
    const { semantic, model, ...text } = opts;
    if (model !== undefined && !semantic) throw new UsageError('a model (--model) is for a semantic search: add --semantic');
    const found = searchLibrary(this.lib, query, text);
    if (!semantic) return found;
    this.semantic ??= new SemanticSearch(this.lib, this.ctx.dataDir);
    return this.semantic.hybrid(query, found, { ...text, ...(model !== undefined ? { model } : {}) });
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

  /** Stop following the embeddings sidecars (the library is closing). */
  close(): void {
    this.semantic?.close();
  }
}
