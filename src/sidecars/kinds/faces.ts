import type { SidecarKindSpec } from '../kind-spec.js';

/**
 * The faces in a picture or a video's poster frame (issue 31): `default` the boxes, landmarks,
 * scores and descriptors (JSON), `face@1x` a crop of each face side by side (WebP, 96 px each).
 */
export const faces = {
  dir: 'faces',
  formats: ['json', 'webp'],
  variants: { default: 0, 'face@1x': 96 },
  from: ['image', 'video'],
  maxBytes: 16 * 1024 ** 2,
  made: 'generator',
  // After OCR. Two at once: the model takes one picture at a time (single-threaded wasm, one
  // process: face-engine.ts), and the other job decodes its picture and cuts its crops meanwhile.
  schedule: { priority: 25, concurrency: 2, timeout: { baseMs: 2 * 60_000, perMiBMs: 1_000, maxMs: 10 * 60_000 } },
  policy: { alone: ['default', 'face@1x'], desktop: ['default', 'face@1x'], mobile: [] },
  // Small, fetched ahead like OCR text: people are known on every device while the one that found them is off.
  prefetch: 'eager',
  typicalMs: 1_500,
  needsModel: false,
  guest: [],
} as const satisfies SidecarKindSpec;
