import type { SidecarKindSpec } from '../kind-spec.js';

/** The text read from a picture or a document's pages (or its text layer), with where it was read. */
export const ocr = {
  dir: 'ocr',
  formats: ['json'],
  variants: { default: 0 },
  from: ['image', 'document'],
  maxBytes: 256 * 1024 ** 2,
  made: 'generator',
  schedule: { priority: 20, concurrency: 1, timeout: { baseMs: 5 * 60_000, perMiBMs: 2_000, maxMs: 30 * 60_000 } },
  policy: { alone: ['default'], desktop: ['default'], mobile: [] },
  // Small text, fetched ahead: search finds what another device's scans say while it is off (DESIGN §15).
  prefetch: 'eager',
  typicalMs: 5_000,
  needsModel: false,
  guest: [],
} as const satisfies SidecarKindSpec;
