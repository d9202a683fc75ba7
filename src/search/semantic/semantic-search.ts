import { UsageError, VssError } from '../../core/errors.js';
import { embedQuery } from '../../generators/embeddings/embed-query.js';
import { GeneratorError } from '../../generators/types.js';
import type { ContentSearchResult as HybridResult } from '../../wire/search.js';
import type { Library } from '../../library/library.js';
import { checkLimit, checkQuery, pathsOf, type SearchResult as TextResult } from '../search-query.js';
import { fuseRankings } from './fuse-rankings.js';
import { LibraryVectors } from './library-vectors.js';
import { queryModel, registeredVariants, type QueryModel } from './query-model.js';

/** A match by meaning alone, before any fusion: the wire's semantic result, its score a cosine. */
export type SemanticResult = Extract<HybridResult, { source: 'semantic' }> & { score_kind: 'cosine' };

export type { HybridResult };

export interface SemanticOptions {
  kind?: string;
  limit?: number;
  /** The embeddings model to compare with (its id); default the first one registered. */
  model?: string;
}

/**
 * Semantic search in one open library (DESIGN §14): the query embedded with a registered model
 * in the embedding thread, compared by cosine with every chunk of that model's sidecars, one
 * result per content (its nearest chunk). The vectors stay in memory once read, per model.
 */
export class SemanticSearch {
  private readonly byVariant = new Map<string, LibraryVectors>();

  constructor(private readonly lib: Library, private readonly dataDir: string) {}

  /** The contents nearest QUERY in meaning, nearest first. */
  async query(query: string, opts: SemanticOptions = {}): Promise<SemanticResult[]> {
    const limit = checkLimit(opts.limit);
    checkQuery(query, opts.kind);
    if (query.trim() === '') throw new UsageError('nothing to search for: give some words');
    const model = queryModel(this.dataDir, opts.model);
    this.forgetRemoved();
    const vector = await this.embed(model, query);
    const index = await this.vectorsOf(model.variant, vector.length).current();
    const hits = index.search(vector, limit, opts.kind);
    const paths = pathsOf(this.lib, hits.map((h) => h.contentUuid));
    return hits.map((h) => ({
      content_uuid: h.contentUuid, kind: h.kind, score: h.score, score_kind: 'cosine' as const, snippet: h.snippet, marks: [], source: 'semantic' as const, locator: h.locator,
      paths: paths.get(h.contentUuid) ?? [],
    }));
  }

  /**
   * TEXT_HITS (the FTS ranking of the same query) and the semantic ranking as one: when both
   * found something, fused by reciprocal rank (fuse-rankings.ts; every score is then the fused
   * score, score_kind `rrf`), else whichever found something, with its own score (`bm25` or `cosine`).
   */
  async hybrid(query: string, textHits: TextResult[], opts: SemanticOptions = {}): Promise<HybridResult[]> {
    const near = await this.query(query, opts);
    if (textHits.length === 0) return near;
    if (near.length === 0) return textHits;
    return fuseRankings<HybridResult>([textHits, near], checkLimit(opts.limit));
  }

  /** The vectors of the given model, loaded by now (for tests and the first query's wait). */
  vectors(variant: string): LibraryVectors | undefined {
    return this.byVariant.get(variant);
  }

  close(): void {
    for (const v of this.byVariant.values()) v.close();
    this.byVariant.clear();
  }

  /** Let go of the vectors of models no longer registered on this device (`vss models remove`). */
  private forgetRemoved(): void {
    if (this.byVariant.size === 0) return;
    const registered = new Set(registeredVariants(this.dataDir));
    for (const [variant, v] of this.byVariant) {
      if (registered.has(variant)) continue;
      v.close();
      this.byVariant.delete(variant);
    }
  }

  private vectorsOf(variant: string, dims: number): LibraryVectors {
    let v = this.byVariant.get(variant);
    // A model registered again under the same id with another width: its old files no longer compare.
    if (v && v.dims !== dims) {
      v.close();
      v = undefined;
    }
    if (!v) {
      v = new LibraryVectors(this.lib, variant, dims);
      this.byVariant.set(variant, v);
    }
    return v;
  }

  private async embed(model: QueryModel, query: string): Promise<Float32Array> {
    try {
      return await embedQuery(model, query, { signal: new AbortController().signal });
    } catch (err) {
      if (!(err instanceof GeneratorError)) throw err;
      // The query has no words to embed (embed-query.ts says so), or the model folder is gone or broken.
      if (/has no words to embed/.test(err.message)) throw new UsageError(err.message);
      throw new VssError('MODEL_INVALID', `embeddings model ${model.id}: ${err.message}`, { path: err.path ?? model.dir, cause: err });
    }
  }
}
