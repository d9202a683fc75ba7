import { VARIANT_RE } from '../../sidecars/kinds.js';
import { GeneratorError, type Availability, type GeneratedOutput, type Generator, type GeneratorContext, type GeneratorSettings } from '../types.js';
import { embedInThread, type EmbedResult } from './embedding-engine.js';
import { findOnnxFile, modelDirProblem, modelVariant } from './model-info.js';
import { hasTextSource, sourceText, type TextSource } from './source-text.js';

export { readEmbeddingsModelInfo, modelVariant, type EmbeddingsModelInfo } from './model-info.js';

/**
 * Embeddings (DESIGN §2: kind embeddings, variant = the model id, json): the text of a content
 * — the file itself, its OCR text or its transcript — cut into chunks a sentence-embedding model
 * reads whole, and one normalized mean-pooled vector per chunk, from a model in a local folder
 * run with transformers.js and onnxruntime-node, fully offline.
 */

/** Word pieces repeated between neighbouring chunks. */
const OVERLAP_TOKENS = 32;
/** At most this many chunks per content (~130k word pieces, ~100k words at 256 per chunk). */
export const MAX_CHUNKS = 512;
const NO_MODEL = 'no embeddings model installed: run vss models add embeddings DIR';

/** The JSON written at sidecar://{uuid}/embeddings/{model}.json. */
export interface EmbeddingsFile {
  model: string;
  dims: number;
  /** Where the text came from. */
  source: TextSource[];
  /** Word pieces per chunk at most, with the model's start and end tokens. */
  max_tokens: number;
  /** The text had more than MAX_CHUNKS chunks; the rest is not embedded. */
  truncated: boolean;
  chunks: Array<{ text: string; vector: number[] }>;
}

type RegisteredModel = { id: string; dir: string };

export const embeddingsGenerator: Generator<'embeddings'> = {
  kind: 'embeddings',
  name: 'vss-embeddings-transformers',
  version: '1.0.0',

  accepts(content, variant) {
    return VARIANT_RE.test(variant) && hasTextSource(content.kind, content.mime);
  },

  availability(settings: GeneratorSettings): Availability {
    const models = settings.models.embeddings ?? [];
    if (models.length === 0) return { ok: false, reason: NO_MODEL };
    const problems = models.map((m) => modelDirProblem(m.dir));
    if (problems.every((p) => p !== undefined)) return { ok: false, reason: `${NO_MODEL} (${problems.join('; ')})` };
    return { ok: true };
  },

  async generate(ctx: GeneratorContext): Promise<GeneratedOutput[]> {
    const models = ctx.variants.map((variant) => ({ variant, model: modelFor(ctx.settings, variant) }));
    const text = await sourceText(ctx);
    if ('wait' in text) return ctx.variants.map((variant) => ({ variant, wait: text.wait }));
    if ('skip' in text) return ctx.variants.map((variant) => ({ variant, skip: text.skip }));
    const outputs: GeneratedOutput[] = [];
    for (const { variant, model } of models) {
      const result = await embedWith(model, text.text, ctx);
      const file: EmbeddingsFile = {
        model: variant,
        dims: result.dims,
        source: text.source,
        max_tokens: result.maxTokens,
        truncated: result.truncated,
        chunks: result.chunks.map((chunk, i) => ({ text: chunk, vector: vectorAt(result, i) })),
      };
      if (file.chunks.length === 0) outputs.push({ variant, skip: 'no text' });
      else outputs.push({ variant, format: 'json', data: Buffer.from(JSON.stringify(file)) });
    }
    return outputs;
  },
};

/** The registered model whose id gives VARIANT. */
function modelFor(settings: GeneratorSettings, variant: string): RegisteredModel {
  const models = settings.models.embeddings ?? [];
  const found = models.find((m) => {
    try {
      return modelVariant(m.id) === variant;
    } catch {
      return false;
    }
  });
  if (!found) {
    const known = models.map((m) => m.id).join(', ') || 'none';
    throw new GeneratorError(`no embeddings model ${JSON.stringify(variant)} is registered on this device (registered: ${known})`, { permanent: true });
  }
  return found;
}

async function embedWith(model: RegisteredModel, text: string, ctx: GeneratorContext): Promise<EmbedResult> {
  const problem = modelDirProblem(model.dir);
  if (problem) throw new GeneratorError(problem, { permanent: true, path: model.dir });
  const onnx = findOnnxFile(model.dir)!;
  try {
    return await embedInThread(
      { dir: model.dir, subfolder: onnx.subfolder, dtype: onnx.dtype, threads: Math.max(1, ctx.settings.threads), text, overlapTokens: OVERLAP_TOKENS, maxChunks: MAX_CHUNKS },
      ctx.signal,
    );
  } catch (err) {
    if (!(err instanceof GeneratorError)) throw err;
    // Name both the file being embedded and the model, whichever of the two is at fault.
    throw new GeneratorError(`embeddings of ${ctx.source.path} with model ${model.id} (${model.dir}): ${err.message}`, { permanent: err.permanent, path: ctx.source.path, cause: err });
  }
}

/**
 * Vector I as plain numbers, rounded to 7 decimals: float32 holds no more, and the JSON stays
 * about half the size of full double printing.
 */
function vectorAt(r: EmbedResult, i: number): number[] {
  const out = new Array<number>(r.dims);
  for (let d = 0; d < r.dims; d++) out[d] = Math.round(r.vectors[i * r.dims + d]! * 1e7) / 1e7;
  return out;
}
