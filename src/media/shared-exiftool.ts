import { MetadataReader } from './exiftool-reader.js';

/** The reader stays open this long after its last use: work comes in runs (a phone's uploads, a folder of RAW files), and ExifTool takes a moment to start. */
const IDLE_MS = 30_000;

let reader: Promise<MetadataReader> | undefined;
let idle: ReturnType<typeof setTimeout> | undefined;
let busy = 0;

/**
 * FN run with the process's one ExifTool for work outside a scan (an upload's capture month, a
 * RAW file's preview), opened on first use and closed once idle for a while. Its processes are
 * tied to this one: they end with it.
 */
export async function withExifTool<T>(fn: (reader: MetadataReader) => Promise<T>): Promise<T> {
  clearTimeout(idle);
  busy++;
  try {
    reader ??= MetadataReader.open({ concurrency: 2, timeoutMs: 20_000 }).catch((err: unknown) => {
      reader = undefined;
      throw err;
    });
    return await fn(await reader);
  } finally {
    busy--;
    if (busy === 0) {
      idle = setTimeout(() => void closeSharedExifTool(), IDLE_MS);
      idle.unref();
    }
  }
}

/** Close it now (a daemon stopping, a benchmark done); the next use opens another. */
export async function closeSharedExifTool(): Promise<void> {
  clearTimeout(idle);
  const r = reader;
  reader = undefined;
  await r?.then((x) => x.close()).catch(() => undefined);
}
