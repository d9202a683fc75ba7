import type { SidecarKindSpec } from '../kind-spec.js';

/** Vectors for semantic search, one variant per embeddings model (its id). */
export const embeddings = {
  dir: 'embeddings',
  formats: ['json'],
  variants: 'open',
  from: ['text', 'document', 'image', 'audio', 'video'],
  maxBytes: 1024 ** 3,
  made: 'generator',
  schedule: { priority: 40, concurrency: 1, timeout: { baseMs: 5 * 60_000, perMiBMs: 0, maxMs: 5 * 60_000 } },
  // `*`: every model registered on the device.
  policy: { alone: ['*'], desktop: ['*'], mobile: [] },
  prefetch: 'lazy',
  typicalMs: 2_000,
  needsModel: true,
  guest: [],
} as const satisfies SidecarKindSpec;
