import type { SidecarKindSpec } from '../kind-spec.js';

/** What is said in a recording or a video, in timed segments (whisper). */
export const transcript = {
  dir: 'transcript',
  formats: ['json'],
  variants: { default: 0 },
  from: ['audio', 'video'],
  maxBytes: 256 * 1024 ** 2,
  made: 'generator',
  schedule: { priority: 30, concurrency: 1, timeout: { baseMs: 10 * 60_000, perMiBMs: 10_000, maxMs: 4 * 3600_000 } },
  // Made where a whisper model is installed.
  policy: { alone: ['default'], desktop: ['default'], mobile: [] },
  // Small text, fetched ahead: search finds what another device's recordings say while it is off.
  prefetch: 'eager',
  typicalMs: 60_000,
  needsModel: true,
  guest: [],
} as const satisfies SidecarKindSpec;
