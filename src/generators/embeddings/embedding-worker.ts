/**
 * The thread that owns transformers.js and onnxruntime-node for the whole process (see
 * embedding-engine.ts for why there is exactly one). It keeps each loaded model, cuts texts into
 * chunks with the model's own tokenizer and embeds them a batch at a time, checking between
 * batches whether the request was cancelled.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import { chunkText } from './chunk-text.js';
import type { EmbedReply, EmbedRequest, WorkerMessage } from './embedding-protocol.js';

// transformers.js warns on the console about things that are fine here (a missing optional file,
// the dtype it picked); the CLI's output is not the place for them.
for (const method of ['log', 'info', 'warn', 'debug'] as const) console[method] = () => {};

// Offline, always: files come from the registered folder or nowhere, and nothing is cached or
// written beside the package (its default cache dir is inside node_modules).
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.useFSCache = false;
env.useBrowserCache = false;
env.useCustomCache = false;

/** The most word pieces per chunk: sentence-transformers' limit for MiniLM-style models. */
const DEFAULT_MAX_TOKENS = 256;
/** Texts per inference call: big enough to amortize the call, small enough to cancel quickly. */
const BATCH = 8;

interface LoadedModel {
  extractor: FeatureExtractionPipeline;
  /** Word pieces a chunk may hold, including the start and end tokens. */
  maxTokens: number;
}

const models = new Map<string, Promise<LoadedModel>>();
const cancelled = new Set<number>();

class Cancelled extends Error {}

function loadModel(req: EmbedRequest): Promise<LoadedModel> {
  const key = `${req.dir}\0${req.subfolder}\0${req.dtype}`;
  let p = models.get(key);
  if (!p) {
    p = (async () => {
      const extractor = await pipeline('feature-extraction', req.dir, {
        local_files_only: true,
        device: 'cpu',
        dtype: req.dtype,
        subfolder: req.subfolder,
        // logSeverityLevel 3: errors only; onnxruntime's warnings go straight to the process's stderr.
        session_options: { intraOpNumThreads: req.threads, interOpNumThreads: 1, logSeverityLevel: 3 },
      });
      return { extractor, maxTokens: maxTokensOf(req.dir, extractor) };
    })();
    models.set(key, p);
    // A model that failed to load is tried again next time (the user may have fixed the folder).
    p.catch(() => models.delete(key));
  }
  return p;
}

/**
 * sentence-transformers' max_seq_length when the folder has its config, else 256; never more
 * than the tokenizer's own limit.
 */
function maxTokensOf(dir: string, extractor: FeatureExtractionPipeline): number {
  let max = DEFAULT_MAX_TOKENS;
  try {
    const st = JSON.parse(readFileSync(join(dir, 'sentence_bert_config.json'), 'utf8')) as { max_seq_length?: unknown };
    if (typeof st.max_seq_length === 'number' && st.max_seq_length >= 8) max = st.max_seq_length;
  } catch {
    /* no sentence-transformers config: the default */
  }
  const tokenizerMax: unknown = extractor.tokenizer.model_max_length;
  if (typeof tokenizerMax === 'number' && tokenizerMax >= 8 && tokenizerMax < max) max = tokenizerMax;
  return Math.floor(max);
}

async function embed(req: EmbedRequest): Promise<Extract<EmbedReply, { ok: true }>> {
  const { extractor, maxTokens } = await loadModel(req);
  const tokenizer = extractor.tokenizer;
  const { chunks, truncated } = chunkText(req.text, (w) => tokenizer.encode(w, { add_special_tokens: false }).length, {
    budget: maxTokens - 2,
    overlap: req.overlapTokens,
    maxChunks: req.maxChunks,
  });
  let dims = 0;
  let vectors = new Float32Array(0);
  for (let i = 0; i < chunks.length; i += BATCH) {
    if (cancelled.has(req.id)) throw new Cancelled();
    const out = await extractor(chunks.slice(i, i + BATCH), { pooling: 'mean', normalize: true });
    const [rows, width] = out.dims as [number, number];
    const expected = Math.min(BATCH, chunks.length - i);
    if (out.dims.length !== 2 || rows !== expected || !(width > 0) || (i > 0 && width !== dims)) {
      throw new Error(`the model gave values of shape [${out.dims.join(', ')}] for ${expected} texts: not a sentence-embedding model?`);
    }
    if (i === 0) {
      dims = width;
      vectors = new Float32Array(chunks.length * dims);
    }
    vectors.set(out.data as Float32Array, i * dims);
  }
  return { id: req.id, ok: true, dims, maxTokens, truncated, chunks, vectors };
}

parentPort!.on('message', (msg: WorkerMessage) => {
  if (msg.type === 'cancel') {
    cancelled.add(msg.id);
    return;
  }
  embed(msg).then(
    (reply) => {
      cancelled.delete(msg.id);
      parentPort!.postMessage(reply, [reply.vectors.buffer as ArrayBuffer]);
    },
    (err: unknown) => {
      cancelled.delete(msg.id);
      const message = err instanceof Cancelled ? 'cancelled' : err instanceof Error ? err.message : String(err);
      parentPort!.postMessage({ id: msg.id, ok: false, message } satisfies EmbedReply);
    },
  );
});
