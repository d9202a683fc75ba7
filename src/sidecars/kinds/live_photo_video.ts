import type { SidecarKindSpec } from '../kind-spec.js';

/**
 * A Live Photo's movie. `original` is always a reference to the user's own movie beside the still
 * (found by the indexer); `embedded` is cut out of a motion photo (made by a generator).
 */
export const live_photo_video = {
  dir: 'live_photos',
  formats: ['mov', 'mp4'],
  variants: { original: 0, embedded: 0 },
  from: ['image'],
  maxBytes: 16 * 1024 ** 3,
  made: { original: 'finder', embedded: 'generator' },
  // A byte copy, cheap and wanted with the thumbnail, so just after it.
  schedule: { priority: 15, concurrency: 2, timeout: { baseMs: 30_000, perMiBMs: 100, maxMs: 2 * 60_000 } },
  policy: { alone: ['embedded'], desktop: ['embedded'], mobile: [] },
  prefetch: 'never',
  typicalMs: 2_000,
  needsModel: false,
  guest: [],
} as const satisfies SidecarKindSpec;
