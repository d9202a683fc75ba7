/**
 * A camera RAW file's picture, as the camera rendered it: the largest JPEG it embedded
 * (ExifTool finds and extracts it), turned upright by the RAW's own orientation. No RAW decoder
 * from npm works here (see docs/decisions.md), so a RAW with no embedded preview has nothing to
 * show: it is said so, not failed.
 */
import { PREVIEW_TAGS, type EmbeddedPreview } from '../../media/exiftool-reader.js';
import { withExifTool } from '../../media/shared-exiftool.js';
import { GeneratorError } from '../types.js';
import { shrinkOnce, type Intermediate, type ShrinkOptions } from './intermediate.js';

/** Larger than any camera's full-size JPEG (a 100 MP one is about 40 MB): the bytes are held whole. */
export const RAW_PREVIEW_MAX_BYTES = 64 * 1024 * 1024;

export const NO_RAW_PREVIEW = 'no preview in this file (the camera embedded none, and vss cannot develop RAW data)';

/**
 * The RAW at PATH decoded from its largest embedded preview. METADATA (what the scan read of it)
 * names its previews and orientation when this vss read it; else ExifTool is asked now.
 */
export async function decodeRawPreview(
  path: string, metadata: Record<string, unknown> | null, shrink: Omit<ShrinkOptions, 'autoOrient' | 'orientation'>,
): Promise<Intermediate | { nothing: string }> {
  const found = knownPreviews(metadata) ?? await withExifTool((r) => r.embeddedPreviews(path)).catch((err: unknown) => {
    throw new GeneratorError(`${path}: ExifTool could not read the RAW file: ${err instanceof Error ? err.message : String(err)}`, { permanent: false, path, cause: err });
  });
  const previews = found.previews.filter((p) => p.bytes <= RAW_PREVIEW_MAX_BYTES);
  let last: unknown;
  // Largest first; one that does not decode (a truncated file, an odd JPEG) gives way to the next.
  for (const p of previews) {
    const bytes = await withExifTool((r) => r.previewBytes(path, p.tag)).catch((err: unknown) => (last = err, undefined));
    if (!bytes) continue;
    try {
      return await shrinkOnce(bytes, { ...shrink, autoOrient: false, orientation: found.orientation });
    } catch (err) {
      last = err;
    }
  }
  if (last === undefined) return { nothing: NO_RAW_PREVIEW };
  if (last instanceof GeneratorError) throw last;
  throw new GeneratorError(`${path}: no embedded preview could be read: ${last instanceof Error ? last.message : String(last)}`, { permanent: true, path, cause: last });
}

/** The previews and orientation the scan recorded (MediaMetadata `previews`), when it did. */
function knownPreviews(metadata: Record<string, unknown> | null): { previews: EmbeddedPreview[]; orientation: number } | undefined {
  const list = metadata?.previews;
  if (!Array.isArray(list)) return undefined;
  const previews = list.filter((p): p is EmbeddedPreview =>
    typeof p === 'object' && p !== null && (PREVIEW_TAGS as readonly unknown[]).includes(p.tag) && Number.isSafeInteger(p.bytes) && p.bytes > 0);
  const o = metadata?.orientation;
  return { previews: previews.sort((a, b) => b.bytes - a.bytes), orientation: typeof o === 'number' && Number.isInteger(o) && o >= 1 && o <= 8 ? o : 1 };
}
