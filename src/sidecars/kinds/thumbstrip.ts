import type { SidecarKindSpec } from '../kind-spec.js';

/** A video's scrubber preview: one picture of 5 × 5 frames. */
export const thumbstrip = {
  dir: 'thumbstrips',
  formats: ['webp'],
  variants: { preview: 5 },
  from: ['video'],
  maxBytes: 32 * 1024 ** 2,
  made: 'generator',
  // The scrubber's thumbnails, so right after them. One at a time: up to a minute of video is
  // decoded whole, on all the cores ffmpeg is given.
  schedule: { priority: 12, concurrency: 1, timeout: { baseMs: 2 * 60_000, perMiBMs: 200, maxMs: 15 * 60_000 } },
  // A phone's scrubber can use the thumbstrip of a peer that made one.
  policy: { alone: ['preview'], desktop: ['preview'], mobile: [] },
  prefetch: 'never',
  typicalMs: 15_000,
  needsModel: false,
  guest: [],
} as const satisfies SidecarKindSpec;
