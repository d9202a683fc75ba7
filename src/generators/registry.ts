import type { SidecarKind } from '../sidecars/kinds.js';
import { embeddingsGenerator } from './embeddings/embeddings-generator.js';
import { motionPhotoGenerator } from './motion-photo/motion-photo-generator.js';
import { ocrGenerator } from './ocr/ocr-generator.js';
import { proxyGenerator } from './proxy/proxy-generator.js';
import { thumbGenerator } from './thumb/thumb-generator.js';
import { thumbstripGenerator } from './thumbstrip/thumbstrip-generator.js';
import { transcriptGenerator } from './transcript/transcript-generator.js';
import type { Generator } from './types.js';

/** Every generator vss has, one per sidecar kind it makes. A new generator is one line here. */
export const GENERATORS: readonly Generator[] = [thumbGenerator, thumbstripGenerator, motionPhotoGenerator, ocrGenerator, transcriptGenerator, embeddingsGenerator, proxyGenerator];

export function generatorFor(kind: SidecarKind | string): Generator | undefined {
  return GENERATORS.find((g) => g.kind === kind);
}
