import { VssError } from '../core/errors.js';
import type { ContentKind } from '../content/kinds.js';

/**
 * The one table of sidecar kinds (DESIGN §2). Everything that builds, parses, scans, serves or
 * transfers a sidecar reads it from here; nothing else may spell out a kind's folder or format.
 */
export interface SidecarKindSpec {
  /** Folder under the content's sidecar folder. */
  dir: string;
  /** Allowed file formats (extensions); the first is the default. */
  formats: readonly string[];
  /** Fixed variants with their size parameter, or 'open' where the variant is a name (a model id). */
  variants: Readonly<Record<string, number>> | 'open';
  /** Content kinds this sidecar can be made from; empty where it only ever exists as a reference. */
  from: readonly ContentKind[];
  /** The largest file of this kind vss accepts from another device (an announced size above it is a lie). */
  maxBytes: number;
}

export const SIDECAR_KINDS = {
  thumb: { dir: 'thumbs', formats: ['webp'], variants: { 'icon@1x': 128, 'icon@2x': 256, 'grid@1x': 256, 'grid@2x': 512, 'detail@1x': 1024, 'detail@2x': 2048 }, from: ['image', 'video', 'document'], maxBytes: 32 * 1024 ** 2 },
  thumbstrip: { dir: 'thumbstrips', formats: ['webp'], variants: { preview: 5 }, from: ['video'], maxBytes: 32 * 1024 ** 2 },
  proxy: { dir: 'proxies', formats: ['mp4'], variants: { scrub: 180, quick: 480, edit: 720 }, from: ['video'], maxBytes: 64 * 1024 ** 3 },
  ocr: { dir: 'ocr', formats: ['json'], variants: { default: 0 }, from: ['image', 'document'], maxBytes: 256 * 1024 ** 2 },
  transcript: { dir: 'transcript', formats: ['json'], variants: { default: 0 }, from: ['audio', 'video'], maxBytes: 256 * 1024 ** 2 },
  embeddings: { dir: 'embeddings', formats: ['json'], variants: 'open', from: ['text', 'document', 'image', 'audio', 'video'], maxBytes: 1024 ** 3 },
  // `original` is always a reference to the user's own movie; `embedded` is cut out of a motion photo.
  live_photo_video: { dir: 'live_photos', formats: ['mov', 'mp4'], variants: { original: 0, embedded: 0 }, from: ['image'], maxBytes: 16 * 1024 ** 3 },
  // Always a reference to the XMP file another photo tool keeps beside the original (DESIGN §16).
  xmp: { dir: 'xmp', formats: ['xmp'], variants: { original: 0 }, from: [], maxBytes: 8 * 1024 ** 2 },
} as const satisfies Record<string, SidecarKindSpec>;

export type SidecarKind = keyof typeof SIDECAR_KINDS;

export type SidecarFormat = (typeof SIDECAR_KINDS)[SidecarKind]['formats'][number];

/** The media type a sidecar file is served as, for every format the table allows (a new format must add one). */
export const SIDECAR_FORMAT_MIME = {
  webp: 'image/webp',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  json: 'application/json',
  xmp: 'application/rdf+xml',
} as const satisfies Record<SidecarFormat, string>;

export function mimeOfFormat(format: string): string {
  return Object.prototype.hasOwnProperty.call(SIDECAR_FORMAT_MIME, format) ? SIDECAR_FORMAT_MIME[format as SidecarFormat] : 'application/octet-stream';
}

export const SIDECAR_KIND_NAMES = Object.keys(SIDECAR_KINDS) as SidecarKind[];

/** DESIGN §2: the only shape a variant (and so a file name) may have. */
export const VARIANT_RE = /^[a-z0-9][a-z0-9@._-]{0,127}$/;

export function isSidecarKind(value: string): value is SidecarKind {
  return Object.prototype.hasOwnProperty.call(SIDECAR_KINDS, value);
}

/** The kind named VALUE, or a clear error listing the kinds there are. */
export function sidecarKind(value: string): SidecarKind {
  if (!isSidecarKind(value)) {
    throw new VssError('USAGE', `unknown sidecar kind ${JSON.stringify(value)}; kinds are ${SIDECAR_KIND_NAMES.join(', ')}`);
  }
  return value;
}

/** The kind whose folder is DIR, for parsing paths and URIs. */
export function kindForDir(dir: string): SidecarKind | undefined {
  return SIDECAR_KIND_NAMES.find((k) => SIDECAR_KINDS[k].dir === dir);
}

export function variantsOf(kind: SidecarKind): string[] | 'open' {
  const v = SIDECAR_KINDS[kind].variants;
  return v === 'open' ? 'open' : Object.keys(v);
}

/** Refuse a variant that is not in the table (or, for open kinds, not of the allowed shape). */
export function checkVariant(kind: SidecarKind, variant: string): void {
  if (!VARIANT_RE.test(variant)) {
    throw new VssError('USAGE', `invalid sidecar variant ${JSON.stringify(variant)}: variants are lowercase letters, digits and @._- and start with a letter or digit`);
  }
  const known = variantsOf(kind);
  if (known !== 'open' && !known.includes(variant)) {
    throw new VssError('USAGE', `${kind} has no variant ${JSON.stringify(variant)}; its variants are ${known.join(', ')}`);
  }
}

export function checkFormat(kind: SidecarKind, format: string): void {
  const formats: readonly string[] = SIDECAR_KINDS[kind].formats;
  if (!formats.includes(format)) {
    throw new VssError('USAGE', `${kind} sidecars are ${formats.join(' or ')}, not ${JSON.stringify(format)}`);
  }
}

/** Whether vss can make this sidecar itself for a content of this kind (engines aside). */
export function canMake(kind: SidecarKind, variant: string, contentKind: string): boolean {
  if (kind === 'live_photo_video' && variant === 'original') return false;
  return (SIDECAR_KINDS[kind].from as readonly string[]).includes(contentKind);
}
