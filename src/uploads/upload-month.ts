import { MetadataReader, type MediaKind } from '../media/exiftool-reader.js';

/** The reader stays open this long after its last upload: a phone sends many files in a row, and ExifTool takes a moment to start. */
const IDLE_MS = 30_000;

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

let reader: Promise<MetadataReader> | undefined;
let idle: ReturnType<typeof setTimeout> | undefined;
let busy = 0;

async function capturedAt(path: string, kind: MediaKind): Promise<string | undefined> {
  clearTimeout(idle);
  busy++;
  try {
    // One ExifTool for the uploads of a while (its processes are tied to this one: they end with it).
    reader ??= MetadataReader.open({ concurrency: 1, timeoutMs: 20_000 }).catch((err: unknown) => {
      reader = undefined;
      throw err;
    });
    const out = await (await reader).read(path, kind);
    return out.ok ? out.metadata.captured_at : undefined;
  } finally {
    busy--;
    if (busy === 0) {
      idle = setTimeout(() => {
        const r = reader;
        reader = undefined;
        void r?.then((x) => x.close()).catch(() => undefined);
      }, IDLE_MS);
      idle.unref();
    }
  }
}
