import type { SidecarKindSpec } from '../kind-spec.js';

/** Always a reference to the XMP file another photo tool keeps beside the original (DESIGN §16). */
export const xmp = {
  dir: 'xmp',
  formats: ['xmp'],
  variants: { original: 0 },
  from: [],
  maxBytes: 8 * 1024 ** 2,
  made: 'finder',
  schedule: null,
  policy: null,
  prefetch: 'never',
  typicalMs: 0,
  needsModel: false,
  guest: [],
} as const satisfies SidecarKindSpec;
