/**
 * Reciprocal-rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): a content's fused score is
 * Σ 1 / (K + rank) over the rankings that have it (rank from 1). It needs no common scale between
 * BM25 and cosine similarity, and K = 60, the paper's value, keeps one list's top hit from
 * drowning a content both lists rank well.
 */
import type { ScoreKind } from '../search-query.js';

export const RRF_K = 60;

interface Ranked {
  content_uuid: string;
  score: number;
  score_kind: ScoreKind;
}

/**
 * RANKINGS (each best first, one entry per content) as one list, best fused score first, at most
 * LIMIT. A content keeps the entry (snippet, source) of the ranking that placed it highest; a tie
 * goes to the earlier ranking. Its score becomes the fused score (score_kind `rrf`).
 */
export function fuseRankings<T extends Ranked>(rankings: ReadonlyArray<readonly T[]>, limit: number): T[] {
  const fused = new Map<string, { score: number; bestRank: number; entry: T }>();
  for (const ranking of rankings) {
    ranking.forEach((entry, i) => {
      const rank = i + 1;
      const had = fused.get(entry.content_uuid);
      if (!had) return void fused.set(entry.content_uuid, { score: 1 / (RRF_K + rank), bestRank: rank, entry });
      had.score += 1 / (RRF_K + rank);
      if (rank < had.bestRank) {
        had.bestRank = rank;
        had.entry = entry;
      }
    });
  }
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || a.bestRank - b.bestRank || (a.entry.content_uuid < b.entry.content_uuid ? -1 : 1))
    .slice(0, limit)
    .map((f) => ({ ...f.entry, score: f.score, score_kind: 'rrf' as const }));
}
