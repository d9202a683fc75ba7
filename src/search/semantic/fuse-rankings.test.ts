import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fuseRankings, RRF_K } from './fuse-rankings.js';

const r = (uuids: string[], source: string) =>
  uuids.map((content_uuid, i) => ({ content_uuid, score: 100 - i, score_kind: source === 'text' ? 'bm25' as const : 'cosine' as const, source }));

describe('fuseRankings', () => {
  it('ranks by the sum of 1/(60 + rank), keeping the entry of the ranking that placed a content highest', () => {
    const fused = fuseRankings([r(['a', 'b', 'c'], 'text'), r(['c', 'd', 'b'], 'semantic')], 10);
    // b: 1/62 + 1/63; c: 1/63 + 1/61; a: 1/61; d: 1/62.
    assert.deepEqual(fused.map((f) => f.content_uuid), ['c', 'b', 'a', 'd']);
    assert.equal(fused[0]!.source, 'semantic', 'c was first in the semantic ranking, third in the text one');
    assert.equal(fused[1]!.source, 'text');
    assert.ok(Math.abs(fused[0]!.score - (1 / (RRF_K + 3) + 1 / (RRF_K + 1))) < 1e-12);
    assert.equal(fused[3]!.score, 1 / (RRF_K + 2));
    // Every fused score is a reciprocal-rank sum, whichever ranking the entry came from (d was only in the semantic one).
    assert.deepEqual(fused.map((f) => f.score_kind), ['rrf', 'rrf', 'rrf', 'rrf']);
  });

  it('breaks ties by the best rank, then the earlier ranking, and keeps to the limit', () => {
    const fused = fuseRankings([r(['a', 'b'], 'text'), r(['b', 'a'], 'semantic')], 1);
    assert.equal(fused.length, 1);
    assert.equal(fused[0]!.content_uuid, 'a');
    assert.equal(fused[0]!.source, 'text');
    assert.deepEqual(fuseRankings([[], []], 5), []);
  });
});
