import type { SidecarKindSpec } from '../kind-spec.js';

/** A video in a small, seekable H.264 MP4, by short edge. */
export const proxy = {
  dir: 'proxies',
  formats: ['mp4'],
  variants: { scrub: 180, quick: 480, edit: 720 },
  from: ['video'],
  maxBytes: 64 * 1024 ** 3,
  made: 'generator',
  // DESIGN §7: proxies last.
  schedule: { priority: 50, concurrency: 1, timeout: { baseMs: 10 * 60_000, perMiBMs: 5_000, maxMs: 6 * 3600_000 } },
  policy: { alone: ['quick'], desktop: ['quick'], mobile: [] },
  prefetch: 'never',
  typicalMs: 120_000,
  needsModel: false,
  guest: ['scrub', 'quick'],
} as const satisfies SidecarKindSpec;
