import { GeneratorError } from '../types.js';
import { embedInThread } from './embedding-engine.js';
import { findOnnxFile, modelDirProblem } from './model-info.js';

/**
 * The vector of a search query with a registered model, from the same thread, tokenizer and
 * pooling as the sidecars, so it can be compared with their vectors by a dot product (all are
 * normalized). Use this, never transformers.js directly: onnxruntime-node may only live in the
 * embedding thread (see embedding-engine.ts). A query longer than one chunk is cut at the first.
 */
export async function embedQuery(model: { id: string; dir: string }, text: string, options: { signal: AbortSignal; threads?: number }): Promise<Float32Array> {
  const problem = modelDirProblem(model.dir);
  if (problem) throw new GeneratorError(problem, { permanent: true, path: model.dir });
  const onnx = findOnnxFile(model.dir)!;
  const r = await embedInThread(
    { dir: model.dir, subfolder: onnx.subfolder, dtype: onnx.dtype, threads: Math.max(1, options.threads ?? 1), text, overlapTokens: 0, maxChunks: 1 },
    options.signal,
  );
  if (r.chunks.length === 0) throw new GeneratorError(`the query ${JSON.stringify(text.slice(0, 80))} has no words to embed`, { permanent: true });
  return r.vectors.slice(0, r.dims);
}
