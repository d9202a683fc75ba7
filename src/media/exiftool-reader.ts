import { createRequire } from 'node:module';
import { looksLikeMotionPhoto } from './motion-photo-tags.js';
import type { ExifDateTime as ExifDateTimeType, ExifTool as ExifToolType, Tags } from 'exiftool-vendored';
import { prepareToTie, tieToThisProcess } from '../core/child-lifetime.js';
import { VssError } from '../core/errors.js';
import { childLog } from '../core/log.js';
import {
  cleanDimension, cleanIdentifier, MEDIA_METADATA_VERSION, MEDIA_READER_REVISION, truncateText,
  type CapturedZone, type MediaMetadata,
} from './media-metadata.js';
import { cameraOf, exposureOf, gpsOf } from './camera-tags.js';
import { placeAt } from './places.js';
import { rawMimeForName } from '../content/raw-formats.js';

const log = childLog('exiftool');

export type MediaKind = 'image' | 'video';

export type ReadOutcome =
  | { ok: true; metadata: MediaMetadata }
  /** `permanent`: these bytes will never read better (store the error); otherwise try again next scan. */
  | { ok: false; reason: string; permanent: boolean };

/** ExifTool (run with the system perl) could not be started: metadata is unavailable for this scan. */
export class MediaToolUnavailableError extends VssError {
  constructor(reason: string, cause?: unknown) {
    super('IO', `media metadata unavailable: ExifTool could not start (${reason})`, { cause });
    this.name = 'MediaToolUnavailableError';
  }
}

export interface ReaderOptions {
  /** ExifTool processes, and so files read at once. */
  concurrency: number;
  /** A file not read within this is given up (for this scan). */
  timeoutMs: number;
}

// Capture-time tags in order of preference. Stills: the shutter time (with sub-seconds and
// offset when the MWG composite has them). Movies: Apple's Keys:CreationDate carries the zone;
// QuickTime CreateDate is UTC by the format's rule.
const STILL_TIME_TAGS = ['SubSecDateTimeOriginal', 'DateTimeOriginal', 'SubSecCreateDate', 'CreateDate'] as const;
const MOVIE_TIME_TAGS = ['CreationDate', 'CreateDate', 'MediaCreateDate'] as const;

type ExifToolModule = typeof import('exiftool-vendored');

/** Where cameras put a JPEG of the whole picture: Nikon and Panasonic JpgFromRaw, most others PreviewImage. */
export const PREVIEW_TAGS = ['JpgFromRaw', 'PreviewImage', 'OtherImage', 'ThumbnailImage'] as const;
export type PreviewTag = (typeof PREVIEW_TAGS)[number];
export interface EmbeddedPreview { tag: PreviewTag; bytes: number }

/** The previews TAGS name, largest first. */
export function previewsOf(tags: Record<string, unknown>): EmbeddedPreview[] {
  const previews: EmbeddedPreview[] = [];
  for (const tag of PREVIEW_TAGS) {
    const bytes = binarySize(tags[tag]);
    if (bytes !== undefined) previews.push({ tag, bytes });
  }
  return previews.sort((a, b) => b.bytes - a.bytes);
}

/**
 * A binary tag's size: "(Binary data 2287892 bytes, use -b option to extract)" as ExifTool
 * prints it, or exiftool-vendored's BinaryField of it. Anything else (a tag that holds text) is none.
 */
function binarySize(v: unknown): number | undefined {
  const n = typeof v === 'object' && v !== null && 'bytes' in v ? (v as { bytes: unknown }).bytes
    : typeof v === 'string' ? Number(/^\(Binary data (\d+) bytes/.exec(v)?.[1]) : NaN;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * One ExifTool for a whole metadata pass: a small pool of long-running `exiftool -stay_open`
 * processes, each file a request. Always `close()` it, or the processes outlive the scan.
 */
export class MetadataReader {
  private constructor(private readonly et: ExifToolType, private readonly mod: ExifToolModule) {}

  static async open(opts: ReaderOptions): Promise<MetadataReader> {
    // Loaded here, not at the top: only deep scans need it, and every CLI command would pay for it.
    // Required, not imported: the CLI's bundle runs from V8's code cache, which loses a dynamic import on Node 20.
    const mod = createRequire(import.meta.url)('exiftool-vendored') as ExifToolModule;
    prepareToTie();
    const et = new mod.ExifTool({
      maxProcs: Math.max(1, opts.concurrency),
      taskTimeoutMillis: opts.timeoutMs,
      // A file that timed out once is not tried again in this scan: bounded work per file.
      taskRetries: 0,
      // Its warnings go to our structured log, never straight to the user's terminal.
      logger: () => exiftoolLogger,
    });
    // `-stay_open` perl keeps waiting for input after its stdin closes: when vss is killed it
    // would run on forever (measured), so each one is tied to this process.
    const untie = new Map<number, () => void>();
    et.on('childStart', (p) => untie.set(p.pid, tieToThisProcess(p.pid, { group: false })));
    et.on('childEnd', (p) => {
      untie.get(p.pid)?.();
      untie.delete(p.pid);
    });
    try {
      await et.version();
    } catch (err) {
      await et.end().catch(() => undefined);
      throw new MediaToolUnavailableError(err instanceof Error ? err.message : String(err), err);
    }
    return new MetadataReader(et, mod);
  }

  /** Read one file; every failure becomes a reason, never an exception. */
  async read(absPath: string, kind: MediaKind): Promise<ReadOutcome> {
    let tags: Tags;
    try {
      tags = await this.et.read(absPath);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // batch-cluster reports a timeout as "waited Nms"; a busy disk may do better next time.
      if (/waited \d+ms|timeout/i.test(message)) return { ok: false, reason: `ExifTool timed out reading it`, permanent: false };
      if (/file not found/i.test(message)) return { ok: false, reason: 'vanished (no longer exists)', permanent: false };
      return { ok: false, reason: `ExifTool cannot read it: ${truncateText(message)}`, permanent: true };
    }
    const metadata = this.toMetadata(tags as unknown as Record<string, unknown>, kind);
    if (!hasAnything(metadata)) {
      // A real photo or movie has at least dimensions or a duration: ExifTool found no media here.
      const warning = firstWarning(tags);
      const fileType = typeof tags.FileType === 'string' ? tags.FileType : 'unknown';
      return { ok: false, reason: `ExifTool cannot read it: ${warning ?? `no ${kind} data found (ExifTool sees ${fileType})`}`, permanent: true };
    }
    return { ok: true, metadata };
  }

  /**
   * The JPEG previews a camera embedded in a RAW file (their tag and size, largest first) and
   * the RAW's own orientation, which the previews follow (their own tags, when any, are not the
   * camera's word). Nothing is extracted here.
   */
  async embeddedPreviews(absPath: string): Promise<{ previews: EmbeddedPreview[]; orientation: number }> {
    const tags = (await this.et.readRaw(absPath, { readArgs: ['-n', ...PREVIEW_TAGS.map((t) => `-${t}`), '-Orientation'] })) as Record<string, unknown>;
    const o = tags.Orientation;
    return { previews: previewsOf(tags), orientation: typeof o === 'number' && o >= 1 && o <= 8 ? o : 1 };
  }

  /** The bytes of one embedded preview (a tag `embeddedPreviews` listed). */
  async previewBytes(absPath: string, tag: PreviewTag): Promise<Buffer> {
    return this.et.extractBinaryTagToBuffer(tag, absPath);
  }

  async close(): Promise<void> {
    await this.et.end();
  }

  private toMetadata(tags: Record<string, unknown>, kind: MediaKind): MediaMetadata {
    const m: MediaMetadata = { v: MEDIA_METADATA_VERSION };
    const time = this.captureTime(tags, kind === 'video' ? MOVIE_TIME_TAGS : STILL_TIME_TAGS);
    if (time) Object.assign(m, time);
    const width = cleanDimension(tags.ImageWidth) ?? cleanDimension(tags.ExifImageWidth);
    const height = cleanDimension(tags.ImageHeight) ?? cleanDimension(tags.ExifImageHeight);
    if (width && height) { m.width = width; m.height = height; }
    if (kind === 'image' && typeof tags.Orientation === 'number' && tags.Orientation >= 1 && tags.Orientation <= 8) m.orientation = tags.Orientation;
    if (kind === 'video' && typeof tags.Duration === 'number' && Number.isFinite(tags.Duration) && tags.Duration > 0) {
      m.duration_s = Math.round(tags.Duration * 1000) / 1000;
    }
    // Without -G, ExifTool names the still's Apple MakerNote tag 0x11 and the movie's Keys tag
    // both ContentIdentifier (older ExifTool called the still's MediaGroupUUID).
    if (kind === 'image') {
      const motion = looksLikeMotionPhoto(tags as unknown as Record<string, unknown>);
      if (motion !== undefined) m.motion_photo = motion;
    }
    const contentId = cleanIdentifier(tags.ContentIdentifier);
    if (contentId) m.content_identifier = contentId;
    const groupId = cleanIdentifier(tags.MediaGroupUUID);
    if (groupId) m.media_group_uuid = groupId;
    const gps = gpsOf(tags);
    if (gps) {
      m.gps = gps;
      const place = placeAt(gps.lat, gps.lon);
      if (place) m.place = place;
    }
    const camera = cameraOf(tags);
    if (camera) m.camera = camera;
    const exposure = exposureOf(tags);
    if (exposure) m.exposure = exposure;
    if (kind === 'image') {
      // ExifTool's FileType is the format by content ("NEF", "CR3", "GPR"): the same names as the extensions.
      if (typeof tags.FileType === 'string' && rawMimeForName(`x.${tags.FileType}`)) m.previews = previewsOf(tags);
      const burst = cleanIdentifier(tags.BurstUUID);
      if (burst) m.burst_uuid = burst;
    }
    if (hasAnything(m)) m.r = MEDIA_READER_REVISION;
    return m;
  }

  private captureTime(tags: Record<string, unknown>, names: readonly string[]): Pick<MediaMetadata, 'captured_at' | 'captured_ms' | 'captured_zone'> | null {
    for (const name of names) {
      const v = tags[name];
      // Zero dates ("0000:00:00 00:00:00") and other unparsable values stay strings: skipped.
      if (!(v instanceof this.mod.ExifDateTime) || !v.isValid) continue;
      const ms = epochMs(v);
      const iso = v.toISOString();
      if (ms === undefined || !iso) continue;
      const zone: CapturedZone = !v.hasZone ? 'unknown' : v.inferredZone ? 'inferred' : 'explicit';
      return { captured_at: truncateText(iso), captured_ms: ms, captured_zone: zone };
    }
    return null;
  }
}

/** The instant, or for a time without a zone its wall clock read as UTC (never the machine's zone). */
function epochMs(v: ExifDateTimeType): number | undefined {
  const ms = v.hasZone
    ? v.toMillis()
    : Date.UTC(v.year, v.month - 1, v.day, v.hour, v.minute, v.second, v.millisecond ?? 0);
  return Number.isFinite(ms) ? ms : undefined;
}

function hasAnything(m: MediaMetadata): boolean {
  return m.width !== undefined || m.duration_s !== undefined || m.captured_ms !== undefined
    || m.content_identifier !== undefined || m.media_group_uuid !== undefined;
}

function firstWarning(tags: Tags): string | undefined {
  const w = (tags as { warnings?: unknown }).warnings;
  return Array.isArray(w) && typeof w[0] === 'string' ? truncateText(w[0]) : undefined;
}

const exiftoolLogger = {
  trace: (msg: string) => log.trace(msg),
  debug: (msg: string) => log.debug(msg),
  info: (msg: string) => log.info(msg),
  warn: (msg: string, ...rest: unknown[]) => log.warn({ detail: rest }, msg),
  error: (msg: string, ...rest: unknown[]) => log.error({ detail: rest }, msg),
};
