import { VssError } from '../core/errors.js';
import { embeddings } from './kinds/embeddings.js';
import { faces } from './kinds/faces.js';
import { live_photo_video } from './kinds/live_photo_video.js';
import { ocr } from './kinds/ocr.js';
import { phash } from './kinds/phash.js';
import { proxy } from './kinds/proxy.js';
import { thumb } from './kinds/thumb.js';
import { thumbstrip } from './kinds/thumbstrip.js';
import { transcript } from './kinds/transcript.js';
import { xmp } from './kinds/xmp.js';
import type { MadeBy, SidecarKindSpec } from './kind-spec.js';

export type { SidecarKindSpec } from './kind-spec.js';

/**
 * The one table of sidecar kinds (DESIGN §2): one spec per kind, each in `kinds/<kind>.ts`, in the
 * order of DESIGN §7 (what is made first comes first). Everything that builds, parses, scans,
 * serves, schedules, prefetches or transfers a sidecar reads it from here; nothing else may spell
 * out a fact of a kind (test/architecture/kind-tables.ts looks for tables keyed by kinds elsewhere).
 */
export const SIDECAR_KINDS = {
  thumb,
  phash,
  thumbstrip,
  ocr,
  faces,
  transcript,
  embeddings,
  proxy,
  live_photo_video,
  xmp,
} as const satisfies Record<string, SidecarKindSpec>;

export type SidecarKind = keyof typeof SIDECAR_KINDS;

/** The ways a kind's spec says its sidecars come to be (a kind made variant by variant has both). */
type WaysOf<M> = M extends MadeBy ? M : M[keyof M];

/** Kinds a generator makes (some variants of): `generators/registry.ts` must have a generator for each. */
export type GeneratedKind = { [K in SidecarKind]: 'generator' extends WaysOf<(typeof SIDECAR_KINDS)[K]['made']> ? K : never }[SidecarKind];

/** Kinds the indexer finds beside the originals (some variants of): `indexer/finders.ts` must have a finder for each. */
export type FoundKind = { [K in SidecarKind]: 'finder' extends WaysOf<(typeof SIDECAR_KINDS)[K]['made']> ? K : never }[SidecarKind];

export type SidecarFormat = (typeof SIDECAR_KINDS)[SidecarKind]['formats'][number];

/** The media type a sidecar file is served as, for every format the table allows (a new format must add one). */
export const SIDECAR_FORMAT_MIME = {
  webp: 'image/webp',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  json: 'application/json',
  xmp: 'application/rdf+xml',
  bin: 'application/octet-stream',
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

/** How a variant of KIND comes to be, as its spec says. */
export function madeBy(kind: SidecarKind, variant: string): MadeBy {
  const made: SidecarKindSpec['made'] = SIDECAR_KINDS[kind].made;
  if (typeof made === 'string') return made;
  // A variant the kind lacks is refused by checkVariant; here it is taken as made, as the kind is.
  return Object.prototype.hasOwnProperty.call(made, variant) ? made[variant]! : 'generator';
}

/** Whether vss can make this sidecar itself for a content of this kind (engines aside): what a finder finds is the user's own. */
export function canMake(kind: SidecarKind, variant: string, contentKind: string): boolean {
  if (madeBy(kind, variant) === 'finder') return false;
  return (SIDECAR_KINDS[kind].from as readonly string[]).includes(contentKind);
}

/** The sidecar kind whose VARIANT a shared album's guest may be shown (the specs' `guest`), if any. */
export function guestKindOf(variant: string): SidecarKind | undefined {
  return SIDECAR_KIND_NAMES.find((k) => (SIDECAR_KINDS[k].guest as readonly string[]).includes(variant));
}
