/**
 * The thumbnail variants: size from the one table of kinds (DESIGN §2), WebP quality chosen
 * here. Small thumbnails are looked at in grids where artefacts do not show, so they trade a
 * little quality for size; the detail views are looked at closely.
 */
import { SIDECAR_KINDS } from '../../sidecars/kinds.js';

export const THUMB_FORMAT = 'webp';

export interface ThumbVariantSpec {
  variant: string;
  /** Longest edge in pixels (never more than the source's). */
  size: number;
  /** WebP quality, 1–100. */
  quality: number;
}

/** WebP quality by variant family (the part before "@"). */
const QUALITY: Readonly<Record<string, number>> = {
  icon: 75,
  grid: 75,
  detail: 80,
};
const DEFAULT_QUALITY = 80;

/** The spec of VARIANT, or undefined when the kinds table has no such thumb variant. */
export function thumbVariant(variant: string): ThumbVariantSpec | undefined {
  const sizes: Readonly<Record<string, number>> = SIDECAR_KINDS.thumb.variants;
  if (!Object.prototype.hasOwnProperty.call(sizes, variant)) return undefined;
  const family = variant.split('@')[0] ?? variant;
  return { variant, size: sizes[variant]!, quality: QUALITY[family] ?? DEFAULT_QUALITY };
}

/** Specs of the known variants among VARIANTS, largest first (the order they are made in). */
export function largestFirst(variants: readonly string[]): ThumbVariantSpec[] {
  const specs: ThumbVariantSpec[] = [];
  for (const v of new Set(variants)) {
    const spec = thumbVariant(v);
    if (spec) specs.push(spec);
  }
  return specs.sort((a, b) => b.size - a.size);
}
