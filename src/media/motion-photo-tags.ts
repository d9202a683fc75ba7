/** Reading "this still carries a movie" from metadata, for deep indexing and the motion-photo generator. */

/** ExifTool tag names (without group prefix) that say "this file carries a movie". */
const MOTION_KEYS = ['MotionPhoto', 'MicroVideo', 'MicroVideoOffset', 'EmbeddedVideoType', 'EmbeddedVideoFile', 'MotionPhotoVideo', 'MicroVideoPresentationTimestampUs', 'MotionPhotoPresentationTimestampUs'] as const;

function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === false) return false;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.trim() !== '0';
  return true;
}

/** Whether some value (string, struct, array of structs) names the MotionPhoto semantic. */
function mentionsMotionPhoto(v: unknown, depth = 0): boolean {
  if (depth > 4 || v === null || v === undefined) return false;
  if (typeof v === 'string') return v === 'MotionPhoto';
  if (Array.isArray(v)) return v.slice(0, 16).some((x) => mentionsMotionPhoto(x, depth + 1));
  if (typeof v === 'object') return Object.values(v as Record<string, unknown>).slice(0, 16).some((x) => mentionsMotionPhoto(x, depth + 1));
  return false;
}

/**
 * A cheap guess, from metadata already read, whether a still carries a movie — for the queueing
 * phase, so a job is queued only where one may be. Reads:
 * - `motion_photo` (boolean), if vss's own media metadata records it;
 * - ExifTool tags, with or without group prefix: MotionPhoto (0 = turned off), MicroVideo,
 *   MicroVideoOffset, MotionPhotoVideo, EmbeddedVideoType / EmbeddedVideoFile (Samsung trailer),
 *   the presentation timestamps, and ContainerDirectory / DirectoryItemSemantic naming a
 *   MotionPhoto item.
 * Returns true (likely), false (ExifTool's tags are there and none says so, or motion is off), or
 * undefined when the metadata cannot tell (not read, a record without these tags, or a Samsung
 * still read with ExifTool's -fast, which skips the trailer): then queue the job and let the
 * generator look at the file.
 */
export function looksLikeMotionPhoto(metadata: Record<string, unknown> | null | undefined): boolean | undefined {
  if (!metadata) return undefined;
  if (typeof metadata.motion_photo === 'boolean') return metadata.motion_photo;
  const tags = new Map<string, unknown>();
  for (const [k, v] of Object.entries(metadata)) tags.set(k.slice(k.lastIndexOf(':') + 1), v);
  const flag = tags.get('MotionPhoto');
  if (flag !== undefined && !truthy(flag) && !truthy(tags.get('MicroVideo'))) return false;
  if (MOTION_KEYS.some((k) => truthy(tags.get(k)))) return true;
  if (mentionsMotionPhoto(tags.get('ContainerDirectory')) || mentionsMotionPhoto(tags.get('DirectoryItemSemantic'))) return true;
  // An ExifTool read (it always reports these) that found no motion tags: a plain still — except
  // from a Samsung camera, whose movie sits in a trailer that ExifTool's -fast mode (the
  // exiftool-vendored default) does not read.
  if (tags.has('SourceFile') || tags.has('FileType') || tags.has('ExifToolVersion')) {
    const make = tags.get('Make');
    return typeof make === 'string' && /samsung/i.test(make) ? undefined : false;
  }
  return undefined;
}
