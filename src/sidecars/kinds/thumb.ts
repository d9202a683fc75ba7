import type { SidecarKindSpec } from '../kind-spec.js';

/** Thumbnails of pictures, videos (a representative frame) and documents (page 1), by longest edge. */
export const thumb = {
  dir: 'thumbs',
  formats: ['webp'],
  variants: { 'icon@1x': 128, 'icon@2x': 256, 'grid@1x': 256, 'grid@2x': 512, 'detail@1x': 1024, 'detail@2x': 2048 },
  from: ['image', 'video', 'document'],
  maxBytes: 32 * 1024 ** 2,
  made: 'generator',
  // DESIGN §7: thumbnails before everything else.
  schedule: { priority: 10, concurrency: 2, timeout: { baseMs: 60_000, perMiBMs: 500, maxMs: 5 * 60_000 } },
  // A phone makes small thumbnails only.
  policy: { alone: ['grid@1x', 'grid@2x', 'detail@1x'], desktop: ['grid@1x', 'grid@2x', 'detail@1x'], mobile: ['icon@2x', 'grid@2x'] },
  prefetch: 'eager',
  typicalMs: 500,
  needsModel: false,
  guest: ['grid@1x', 'grid@2x', 'detail@1x'],
} as const satisfies SidecarKindSpec;
