/**
 * Which files in a folder are the XMP sidecars of which original, by name alone.
 *
 * Two forms, `.xmp` in any case:
 * - NAME.EXT.xmp (digiKam's default, darktable's own): belongs to NAME.EXT, always.
 * - NAME.xmp (Lightroom, Bridge, Capture One; the XMP specification's form): belongs to the one
 *   original whose name minus its last extension is NAME. When several share that stem (IMG_1.CR2
 *   and IMG_1.JPG shot as RAW+JPEG; IMG_1.HEIC and IMG_1.MOV, a Live Photo), it belongs to the one
 *   of the highest rank: a proprietary raw (Lightroom writes NAME.xmp only for those: it keeps
 *   JPEG, TIFF, PSD and DNG metadata inside the file), then another still image, then a video. Two
 *   of the same top rank (IMG_1.CR2 and IMG_1.NEF, IMG_1.JPG and IMG_1.PNG): nobody's, since
 *   guessing would put one photo's rating on another.
 * - A name that is the first form of an existing file (a.tar.xmp beside a.tar) is never the second
 *   form of another (a.tar.gz).
 *
 * Not sidecars of the original: darktable's duplicates, NAME_01.EXT.xmp, which describe another
 * version with its own rating and tags.
 *
 * Where none exists, `vss xmp export` creates NAME.EXT.xmp (newXmpSidecarName): what digiKam and
 * darktable read and write, and tied to one file, so a RAW+JPEG pair never shares one. Lightroom
 * reads only NAME.xmp, and only for proprietary raws; a Lightroom user's own NAME.xmp is found
 * above and updated in place.
 */

/** Proprietary raw formats: Lightroom keeps their metadata in NAME.xmp. */
const RAW = new Set([
  '3fr', 'ari', 'arw', 'bay', 'cr2', 'cr3', 'crw', 'dcr', 'dcs', 'erf', 'fff', 'iiq', 'k25', 'kdc', 'mef', 'mos', 'mrw',
  'nef', 'nrw', 'orf', 'pef', 'raf', 'raw', 'rw2', 'rwl', 'sr2', 'srf', 'srw', 'x3f',
]);
const STILL = new Set([
  'jpg', 'jpeg', 'jpe', 'tif', 'tiff', 'png', 'heic', 'heif', 'avif', 'webp', 'gif', 'bmp', 'psd', 'psb', 'dng', 'jxl', 'jp2',
]);
const VIDEO = new Set(['mov', 'mp4', 'm4v', 'avi', 'mts', 'm2ts', 'mkv', '3gp', 'mpg', 'mpeg', 'wmv', 'webm']);

/** The sidecar name `vss xmp export` creates for FILENAME when it has none. */
export function newXmpSidecarName(fileName: string): string {
  return `${fileName}.xmp`;
}

export function isXmpName(name: string): boolean {
  return name.length >= 4 && name.slice(-4).toLowerCase() === '.xmp';
}

/** The XMP sidecars of FILENAME among SIBLINGS (names in one folder), full-name form first. */
export function xmpSidecarsOf(fileName: string, siblings: readonly string[]): string[] {
  const names = siblings.includes(fileName) ? siblings : [...siblings, fileName];
  return xmpSidecarsByOriginal(names).get(fileName) ?? [];
}

/**
 * Every original in NAMES (one folder's entries) that has XMP sidecars, with them: one pass over
 * the folder, for the indexer. Sidecars themselves are never originals.
 */
export function xmpSidecarsByOriginal(names: readonly string[]): Map<string, string[]> {
  const originals = new Set<string>();
  const byStem = new Map<string, string[]>();
  for (const name of names) {
    if (isXmpName(name) || originals.has(name)) continue;
    originals.add(name);
    const stem = stemOf(name);
    if (stem !== undefined) byStem.set(stem, [...(byStem.get(stem) ?? []), name]);
  }
  const out = new Map<string, string[]>();
  const add = (original: string, sidecar: string) => out.set(original, [...(out.get(original) ?? []), sidecar]);
  const stemForm: string[] = [];
  for (const name of names) {
    if (!isXmpName(name)) continue;
    const before = name.slice(0, -4);
    if (originals.has(before)) add(before, name);
    else stemForm.push(name);
  }
  for (const name of stemForm) {
    const owner = stemOwner(byStem.get(name.slice(0, -4)) ?? []);
    if (owner !== undefined) add(owner, name);
  }
  return out;
}

/** The original a NAME.xmp sidecar belongs to among CANDIDATES sharing its stem, if exactly one ranks highest. */
function stemOwner(candidates: readonly string[]): string | undefined {
  if (candidates.length <= 1) return candidates[0];
  let best: string | undefined;
  let bestRank = -1;
  let tied = false;
  for (const c of candidates) {
    const r = rank(c);
    if (r > bestRank) {
      best = c;
      bestRank = r;
      tied = false;
    } else if (r === bestRank) tied = true;
  }
  return tied ? undefined : best;
}

function rank(name: string): number {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  return RAW.has(ext) ? 3 : STILL.has(ext) ? 2 : VIDEO.has(ext) ? 1 : 0;
}

/** NAME minus its last extension; undefined for a name without one (its sidecar has only the first form). */
function stemOf(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : undefined;
}
