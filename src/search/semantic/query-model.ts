import { UsageError, VssError } from '../../core/errors.js';
import { modelVariant } from '../../generators/embeddings/model-info.js';
import { ModelRegistry, type RegisteredModel } from '../../models/registry.js';

export interface QueryModel {
  id: string;
  /** The model folder. */
  dir: string;
  /** The variant its sidecars have: embeddings/VARIANT.json. */
  variant: string;
}

export const NO_EMBEDDINGS_MODEL = 'semantic search needs an embeddings model and none is installed on this device: add one with `vss models add embeddings DIR`';

/**
 * The model a semantic query is embedded with, so it compares with the sidecars it made: ID when
 * given, else the first embeddings model registered on this device (the one `vss models list`
 * shows first; each registered model makes its own sidecars).
 */
export function queryModel(dataDir: string, id?: string): QueryModel {
  const models = embeddingsModels(dataDir);
  if (models.length === 0) throw new VssError('USAGE', NO_EMBEDDINGS_MODEL);
  const wanted = id === undefined ? undefined : variantOf(id);
  const found = id === undefined ? models[0]! : models.find((m) => wanted !== undefined && variantOf(m.id) === wanted);
  if (!found) throw new UsageError(`no embeddings model ${JSON.stringify(id)} is installed on this device (installed: ${models.map((m) => m.id).join(', ')})`);
  const variant = variantOf(found.id);
  if (variant === undefined) throw new VssError('MODEL_INVALID', `the registered embeddings model id ${JSON.stringify(found.id)} is not a valid name: add it again with \`vss models add embeddings DIR --id NAME\``, { path: found.path });
  return { id: found.id, dir: found.path, variant };
}

/** The variants of the embeddings models registered on this device. */
export function registeredVariants(dataDir: string): string[] {
  return embeddingsModels(dataDir).map((m) => variantOf(m.id)).filter((v): v is string => v !== undefined);
}

function embeddingsModels(dataDir: string): RegisteredModel[] {
  return new ModelRegistry(dataDir).list().filter((m) => m.engine === 'embeddings');
}

function variantOf(id: string): string | undefined {
  try {
    return modelVariant(id);
  } catch {
    return undefined;
  }
}
