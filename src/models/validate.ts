import { VssError } from '../core/errors.js';
import type { ModelEngine } from './registry.js';

/**
 * Check that PATH really is a model the engine can load before it is registered, so a wrong path
 * is one clear error now instead of a failed job per file later. Returns a short description
 * and, for embeddings, the model's own id.
 */
export async function validateModel(engine: ModelEngine, path: string): Promise<{ id?: string; description: string }> {
  try {
    if (engine === 'whisper') {
      const { readWhisperModelInfo } = await import('../generators/transcript/model-info.js');
      return { description: describe(await readWhisperModelInfo(path)) };
    }
    const { readEmbeddingsModelInfo } = await import('../generators/embeddings/model-info.js');
    const { id, dir: _dir, ...facts } = readEmbeddingsModelInfo(path);
    // The id is printed as the one vss uses (which --id may set) and the folder is the path: neither is restated.
    return { id, description: describe(facts) };
  } catch (err) {
    if (err instanceof VssError) throw err;
    throw new VssError('MODEL_INVALID', `not a usable ${engine} model: ${(err as Error).message}`, { path, cause: err });
  }
}

function describe(info: unknown): string {
  if (!info || typeof info !== 'object') return '';
  return Object.entries(info as Record<string, unknown>)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
}
