import type { SidecarKindSpec } from '../kind-spec.js';

/**
 * A picture's perceptual fingerprint (issue 45: near-duplicates), of a photo or a video's poster
 * frame: a 32×32 grey grid, its aspect and a 64-bit pHash (`similar/perceptual-hash.ts`, 1036
 * bytes, versioned). Made from the thumbnail already made when there is one: a few ms each.
 */
export const phash = {
  dir: 'phash',
  formats: ['bin'],
  variants: { default: 0 },
  from: ['image', 'video'],
  maxBytes: 4096,
  made: 'generator',
  // Right after the thumbnails, whose bitmap it reads.
  schedule: { priority: 12, after: 'thumb', concurrency: 2, timeout: { baseMs: 60_000, perMiBMs: 500, maxMs: 5 * 60_000 } },
  policy: { alone: ['default'], desktop: ['default'], mobile: ['default'] },
  // A kilobyte each: every device knows the library's near-duplicates, whoever made them.
  prefetch: 'eager',
  typicalMs: 15,
  needsModel: false,
  guest: [],
} as const satisfies SidecarKindSpec;
