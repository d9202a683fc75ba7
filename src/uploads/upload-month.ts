import type { MediaKind } from '../media/exiftool-reader.js';
import { withExifTool } from '../media/shared-exiftool.js';

/**
 * The `YYYY/MM` folder an upload goes in: the month it was taken (its capture time as the camera
 * wrote it, in the camera's own local time), else the month of MODIFIEDMS (the file's date, here).
 * A file ExifTool cannot read is filed by its date: never refused for it.
 */
export async function uploadMonth(path: string, kind: MediaKind, modifiedMs: number): Promise<string> {
  const taken = await capturedAt(path, kind).catch(() => undefined);
  const m = taken !== undefined ? /^(\d{4})-(\d{2})/.exec(taken) : null;
  if (m && Number(m[1]) >= 1900 && Number(m[2]) >= 1 && Number(m[2]) <= 12) return `${m[1]}/${m[2]}`;
  const d = new Date(modifiedMs);
  return `${d.getFullYear()}/${String(d.getMonth() + 1).padStart(2, '0')}`;
}

async function capturedAt(path: string, kind: MediaKind): Promise<string | undefined> {
  const out = await withExifTool((reader) => reader.read(path, kind));
  return out.ok ? out.metadata.captured_at : undefined;
}
