import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, VssError } from '../core/errors.js';
import type { Installation } from '../library/installation.js';
import { isModelEngine, MODEL_ENGINES, ModelRegistry, type ModelEngine, type RegisteredModel } from '../models/registry.js';
import type { LibraryApi } from './library-api.js';
import type { OpenLibraryOptions } from './vss.js';

export interface ModelInfo extends RegisteredModel {
  /** Whether the file or folder is still there. */
  present: boolean;
}

export interface AddedModel extends RegisteredModel {
  /** What the engine said about it (e.g. "whisper base.en, 74M parameters"). */
  info: string;
  /** Jobs queued in the library for the work the model makes possible. */
  queued: number;
}

/** Speech and embedding models on this device; vss never downloads one (`vss models`). */
export class ModelsApi {
  constructor(private readonly installation: Installation, private readonly open: (o: OpenLibraryOptions) => LibraryApi) {}

  list(): ModelInfo[] {
    return new ModelRegistry(this.installation.dataDir).list().map((m) => ({ ...m, present: existsSync(m.path) }));
  }

  /**
   * Check and register a whisper.cpp ggml file or an embeddings model folder, then queue, in the
   * given library or else the current one (if any), the work it makes possible (`queue: false`:
   * the caller queues it, in the library it holds open).
   */
  async add(engine: string, path: string, opts: { id?: string; library?: string; queue?: boolean } = {}): Promise<AddedModel> {
    const e = checkEngine(engine);
    const abs = resolve(path);
    if (!existsSync(abs)) throw new VssError('NOT_FOUND', 'no such file or folder', { path: abs });
    const [{ validateModel }, { modelVariant }, { checkVariant }] = await Promise.all([
      import('../models/validate.js'), import('../generators/embeddings/model-info.js'), import('../sidecars/kinds.js'),
    ]);
    const { id: ownId, description: info } = await validateModel(e, abs);
    // An embeddings model's id names its sidecars (the variant), so it must be a valid variant.
    let id = 'default';
    if (e === 'embeddings') {
      try {
        id = opts.id !== undefined ? modelVariant(opts.id) : (ownId ?? '');
      } catch (err) {
        throw new UsageError(`--id: ${(err as Error).message}`);
      }
      checkVariant('embeddings', id);
    }
    const added = new ModelRegistry(this.installation.dataDir).add({ engine: e, id, path: abs });
    let queued = 0;
    if (opts.queue !== false && (opts.library !== undefined || process.env.VSS_LIBRARY || this.installation.registry.current())) {
      const lib = this.open({ ...(opts.library !== undefined ? { path: opts.library } : {}), access: 'read' });
      try {
        queued = await lib.sidecars.queueForNewModels();
      } finally {
        lib.close();
      }
    }
    // The model's own name, when the user chose another id for it, so the two are not confused.
    const named = e === 'embeddings' && ownId !== undefined && ownId !== id ? `named ${ownId} by its config` : '';
    return { ...added, info: [info, named].filter(Boolean).join(', '), queued };
  }

  /** Forget a registered model (the file stays where it is); returns how many were removed. */
  remove(engine: string, id?: string): { removed: number } {
    return { removed: new ModelRegistry(this.installation.dataDir).remove(checkEngine(engine), id) };
  }
}

function checkEngine(v: string): ModelEngine {
  if (!isModelEngine(v)) throw new UsageError(`unknown model engine ${JSON.stringify(v)}; engines are ${MODEL_ENGINES.join(', ')}`);
  return v;
}
