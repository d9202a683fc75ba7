/**
 * `npm run bench:search-semantic` = `node dist/bench/search-semantic-bench.js [--vectors N] [--queries Q] [--k K]`
 *
 * What a semantic query costs past embedding it: VectorIndex.search (every chunk's dot product,
 * the best chunk per content, the top K contents) over N synthetic normalized vectors, at the
 * tiny test model's width and at 384 (all-MiniLM-L6-v2), with one chunk per content (the most
 * per-content work) and four. The anchor, measured in the same run over the same Float32Array,
 * is a bare loop of dot products keeping only the best score. Also: embedding a query with the
 * tiny real ONNX model (when the fixtures are here), and reading + checking one content's
 * embeddings JSON (what building the index costs per content).
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { embedQuery } from '../src/generators/embeddings/embed-query.js';
import { checkEmbeddings } from '../src/search/semantic/read-embeddings.js';
import { VectorIndex, type IndexedChunk } from '../src/search/semantic/vector-index.js';
import { HAVE_FIXTURES } from '../test/helpers.js';
import { buildTinyEmbeddingModel } from '../test/tiny-embedding-model.js';
import { benchArgs, freshDir, kilo, mb, num, ratio, rmrf, runMain } from './util.js';

/** buildTinyEmbeddingModel's default width. */
const TINY_DIMS = 8;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function unit(dims: number, random: () => number): Float32Array {
  const v = new Float32Array(dims);
  let sq = 0;
  for (let d = 0; d < dims; d++) {
    v[d] = random() * 2 - 1;
    sq += v[d]! * v[d]!;
  }
  const n = Math.sqrt(sq);
  for (let d = 0; d < dims; d++) v[d] = v[d]! / n;
  return v;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

/** The anchor: one pass of dot products over MATRIX, the best score kept (so the loop is not dropped). */
function bareDots(matrix: Float32Array, rows: number, dims: number, q: Float32Array): number {
  let best = -Infinity;
  for (let r = 0; r < rows; r++) {
    const base = r * dims;
    let dot = 0;
    for (let d = 0; d < dims; d++) dot += matrix[base + d]! * q[d]!;
    if (dot > best) best = dot;
  }
  return best;
}

function measure(label: string, vectors: number, dims: number, perContent: number, queries: number, k: number): void {
  const random = lcg(dims * 1000 + perContent);
  const index = new VectorIndex(dims, vectors);
  const matrix = new Float32Array(vectors * dims);
  for (let c = 0; c * perContent < vectors; c++) {
    const chunks: IndexedChunk[] = [];
    for (let i = 0; i < perContent && c * perContent + i < vectors; i++) {
      const v = unit(dims, random);
      matrix.set(v, (c * perContent + i) * dims);
      chunks.push({ vector: v, snippet: `content ${c} chunk ${i}`, locator: { chunk: i } });
    }
    index.set(`content-${c}`, 'text', chunks);
  }
  const qs = Array.from({ length: queries }, () => unit(dims, random));
  // Warm both up, so the JIT has compiled each loop before it is timed.
  for (let i = 0; i < 5; i++) {
    index.search(qs[i % queries]!, k);
    bareDots(matrix, vectors, dims, qs[i % queries]!);
  }
  const timedIndex: number[] = [];
  const timedBare: number[] = [];
  let sink = 0;
  for (const q of qs) {
    // Alternate, so both see the same machine load.
    let t = performance.now();
    sink += index.search(q, k)[0]!.score;
    timedIndex.push(performance.now() - t);
    t = performance.now();
    sink += bareDots(matrix, vectors, dims, q);
    timedBare.push(performance.now() - t);
  }
  if (!Number.isFinite(sink)) throw new Error('no scores');
  const p50 = percentile(timedIndex, 0.5);
  const p99 = percentile(timedIndex, 0.99);
  const b50 = percentile(timedBare, 0.5);
  const b99 = percentile(timedBare, 0.99);
  console.log(
    `${label.padEnd(34)} index p50 ${num(p50).padStart(5)} ms  p99 ${num(p99).padStart(5)} ms | bare dots p50 ${num(b50).padStart(5)} ms  p99 ${num(b99).padStart(5)} ms | ` +
    `${ratio(p50 / b50)} at p50, ${ratio(p99 / b99)} at p99 | ${mb(vectors * dims * 4)} of vectors`,
  );
}

async function measureEmbedding(queries: number): Promise<void> {
  if (!HAVE_FIXTURES) {
    console.log('query embedding: skipped (../shared/fixtures is absent: no tokenizer files)');
    return;
  }
  const dir = freshDir(tmpdir(), 'vss-semantic-bench-');
  try {
    buildTinyEmbeddingModel(join(dir, 'model'), { dims: TINY_DIMS });
    const model = { id: 'tiny', dir: join(dir, 'model') };
    const signal = new AbortController().signal;
    let t = performance.now();
    await embedQuery(model, 'warm up the thread and load the model', { signal });
    const first = performance.now() - t;
    const times: number[] = [];
    for (let i = 0; i < queries; i++) {
      t = performance.now();
      await embedQuery(model, `a morning walk by the river number ${i}`, { signal });
      times.push(performance.now() - t);
    }
    console.log(`query embedding, tiny model (${TINY_DIMS} dims): first ${num(first)} ms (thread + model load), then p50 ${num(percentile(times, 0.5))} ms  p99 ${num(percentile(times, 0.99))} ms`);
  } finally {
    rmrf(dir);
  }
}

function measureLoad(dims: number, chunks: number): void {
  const random = lcg(7);
  const doc = {
    model: 'm', dims, source: ['file'], max_tokens: 256, truncated: false,
    chunks: Array.from({ length: chunks }, (_, i) => ({ text: `chunk ${i} `.repeat(150), vector: Array.from(unit(dims, random), (x) => Math.round(x * 1e7) / 1e7) })),
  };
  const json = JSON.stringify(doc);
  const runs = Math.max(20, Math.round(4e6 / json.length));
  const t = performance.now();
  for (let i = 0; i < runs; i++) {
    const r = checkEmbeddings(JSON.parse(json), 'm', dims);
    if (typeof r === 'string') throw new Error(r);
  }
  const each = (performance.now() - t) / runs;
  console.log(`load one content (${chunks} chunks × ${dims} dims, ${mb(json.length)} JSON): ${num(each)} ms parse + check → ${kilo(1000 / each)} contents/s`);
}

runMain(import.meta.url, async () => {
  const args = benchArgs('search-semantic-bench [--vectors N] [--queries Q] [--k K]', {
    vectors: { default: 100_000, min: 1000 }, queries: { default: 200, min: 10 }, k: { default: 50, min: 1 },
  }, []);
  console.log(`semantic search: ${kilo(args.vectors)} vectors, ${args.queries} queries, top ${args.k}; node ${process.version}`);
  for (const dims of [TINY_DIMS, 384]) {
    for (const per of [1, 4]) measure(`${dims} dims, ${per} chunk${per > 1 ? 's' : ''}/content`, args.vectors, dims, per, args.queries, args.k);
  }
  measureLoad(TINY_DIMS, 4);
  measureLoad(384, 4);
  measureLoad(384, 512);
  await measureEmbedding(Math.min(args.queries, 100));
});
