import type { GeneratedKind, SidecarKind } from '../sidecars/kinds.js';
import { embeddingsGenerator } from './embeddings/embeddings-generator.js';
import { facesGenerator } from './faces/faces-generator.js';
import { motionPhotoGenerator } from './motion-photo/motion-photo-generator.js';
import { ocrGenerator } from './ocr/ocr-generator.js';
import { phashGenerator } from './phash/phash-generator.js';
import { proxyGenerator } from './proxy/proxy-generator.js';
import { thumbGenerator } from './thumb/thumb-generator.js';
import { thumbstripGenerator } from './thumbstrip/thumbstrip-generator.js';
import { transcriptGenerator } from './transcript/transcript-generator.js';
import type { Generator } from './types.js';

/**
 * The generator of every kind whose spec (`sidecars/kinds/`) says a generator makes it: a kind
 * with none, or a generator of another kind in its place, does not compile. A new generator is
 * one line here. In the order jobs are queued for a content (the kinds' priorities).
 */
const BY_KIND: { readonly [K in GeneratedKind]: Generator<K> } = {
  thumb: thumbGenerator,
  phash: phashGenerator,
  thumbstrip: thumbstripGenerator,
  live_photo_video: motionPhotoGenerator,
  ocr: ocrGenerator,
  faces: facesGenerator,
  transcript: transcriptGenerator,
  embeddings: embeddingsGenerator,
  proxy: proxyGenerator,
};

/** Every generator vss has, one per sidecar kind it makes. */
export const GENERATORS: readonly Generator[] = Object.values(BY_KIND);

export function generatorFor(kind: SidecarKind | string): Generator | undefined {
  return Object.prototype.hasOwnProperty.call(BY_KIND, kind) ? BY_KIND[kind as GeneratedKind] : undefined;
}
