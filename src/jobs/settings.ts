import { availableParallelism } from 'node:os';
import type { GeneratorSettings } from '../generators/types.js';
import type { Library } from '../library/library.js';
import { ModelRegistry } from '../models/registry.js';

/** Settings without any registered model (deep indexing when the caller did not name a data dir). */
export function defaultGeneratorSettings(lib: Library): GeneratorSettings {
  const { ocrLanguages, heicMaxBytes, pdfMaxBytes } = lib.config.settings;
  return {
    ocrLanguages, models: { embeddings: [] }, threads: Math.max(1, availableParallelism()),
    ...(heicMaxBytes !== undefined ? { heicMaxBytes } : {}), ...(pdfMaxBytes !== undefined ? { pdfMaxBytes } : {}),
  };
}

/** What the generators of this device may use: the library's OCR languages and this device's models. */
export function generatorSettings(lib: Library, dataDir: string): GeneratorSettings {
  const models = new ModelRegistry(dataDir).list();
  const whisper = models.find((m) => m.engine === 'whisper');
  return {
    ...defaultGeneratorSettings(lib),
    models: {
      ...(whisper ? { whisper: whisper.path } : {}),
      embeddings: models.filter((m) => m.engine === 'embeddings').map((m) => ({ id: m.id, dir: m.path })),
    },
  };
}
