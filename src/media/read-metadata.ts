import { lstat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { describeFsError } from '../core/errors.js';
import type { Stores } from '../store/stores.js';
import { MediaToolUnavailableError, MetadataReader, type MediaKind, type ReadOutcome } from './exiftool-reader.js';
import { MEDIA_METADATA_VERSION, MEDIA_READER_REVISION, serializeMetadata } from './media-metadata.js';
import { ConfinedRoot, PathRefusedError } from '../library/confine.js';
import { needsSafeName, withSafeName } from './safe-name.js';

export interface MediaMetadataInput {
  store: Stores;
  locationId: number;
  rootAbs: string;
  onSkip: (path: string, reason: string) => void;
  onProgress: (p: { done: number; total: number }) => void;
  /** Files read at once (ExifTool processes). */
  concurrency?: number;
  /** Per-file limit. */
  timeoutMs?: number;
  /** Read every image and video of the location again, not only those never read. */
  force?: boolean;
}

interface PendingMedia {
  content_id: number;
  kind: MediaKind;
  rel_path: string;
  size: number;
  inode: number;
  mtime_ms: number;
}

const PAGE = 64;
/** Half the cores, 1 to 4: ExifTool is CPU-bound per file, and the machine should stay usable. */
const DEFAULT_CONCURRENCY = Math.min(4, Math.max(1, Math.floor(availableParallelism() / 2)));
const DEFAULT_TIMEOUT_MS = 20_000;

/**
 * Read the embedded metadata (capture time, dimensions, Live Photo identifiers) of every image
 * and video content of the location that has none yet, from one of its copies here. Driven by
 * the database like identification: a killed run resumes with what is still unread.
 *
 * A file ExifTool cannot make sense of is skipped with a reason and its content marked with
 * the error, so it is not re-read on every scan (its bytes cannot change under the same content
 * id). Timeouts and files that changed or vanished are skipped without a mark: the next scan
 * tries again.
 */
export async function readMediaMetadata(input: MediaMetadataInput): Promise<{ read: number }> {
  const { store, locationId, force = false } = input;
  const total = store.contents.pendingMediaCount(locationId, force, MEDIA_READER_REVISION);
  if (total === 0) return { read: 0 };
  const writer = store.batchWriter(500, 1000);

  let reader: MetadataReader;
  try {
    reader = await MetadataReader.open({ concurrency: input.concurrency ?? DEFAULT_CONCURRENCY, timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  } catch (err) {
    // Reported once for the location, not file by file (DESIGN §8); the rest of the scan goes on.
    if (err instanceof MediaToolUnavailableError) {
      input.onSkip('', err.message);
      return { read: 0 };
    }
    throw err;
  }

  let done = 0;
  let read = 0;
  let lastId = 0;
  const root = new ConfinedRoot(input.rootAbs, 'the location');
  // Gathered while ExifTool reads, written a batch at a time (no transaction is held while it reads).
  const record = (file: PendingMedia, outcome: ReadOutcome) => {
    done++;
    if (outcome.ok) {
      const metadata = serializeMetadata(outcome.metadata);
      writer.add(() => store.contents.setMediaMetadata(file.content_id, metadata, force, MEDIA_READER_REVISION));
      read++;
    } else {
      input.onSkip(file.rel_path, `media metadata: ${outcome.reason}`);
      if (outcome.permanent) {
        const failed = serializeMetadata({ v: MEDIA_METADATA_VERSION, error: outcome.reason });
        writer.add(() => store.contents.setMediaMetadata(file.content_id, failed, force, MEDIA_READER_REVISION));
      } else {
        writer.maybeFlush();
      }
    }
  };

  try {
    for (;;) {
      const rows = store.contents.pendingMediaPage(locationId, lastId, PAGE, force, MEDIA_READER_REVISION);
      if (rows.length === 0) break;
      lastId = rows[rows.length - 1]!.id;
      const files: PendingMedia[] = [];
      for (const r of rows) {
        const e = store.entries.byId(r.entry_id);
        // Gone since the page was read (a scan elsewhere): the next scan reads it.
        if (e === undefined || e.inode === null || e.mtime_ms === null) continue;
        files.push({ content_id: r.id, kind: r.kind as MediaKind, rel_path: e.rel_path, size: e.size, inode: e.inode, mtime_ms: e.mtime_ms });
      }
      // At most `concurrency` ExifTool processes read at once; the rest of the page waits in
      // its queue, so the page size bounds what is in flight.
      const outcomes = await Promise.all(files.map((f) => readOne(reader, root, f)));
      files.forEach((f, i) => record(f, outcomes[i]!));
      input.onProgress({ done, total });
    }
    writer.flush();
  } catch (err) {
    // What was read before the failure is kept.
    try {
      writer.flush();
    } catch {
      // The first error is the one to tell.
    }
    throw err;
  } finally {
    await reader.close();
  }
  return { read };
}

/** Read one file and make sure the bytes read are still the ones the entry (and content) describe. */
async function readOne(reader: MetadataReader, root: ConfinedRoot, f: PendingMedia): Promise<ReadOutcome> {
  let abs: string;
  try {
    // ExifTool follows symlinks: the path is checked to be a regular file inside the location first.
    abs = root.regularFile(f.rel_path);
  } catch (err) {
    return { ok: false, reason: describeFsError(err), permanent: err instanceof PathRefusedError };
  }
  let outcome: ReadOutcome;
  if (needsSafeName(abs)) {
    const safe = await withSafeName(abs, f, (name) => reader.read(name, f.kind));
    outcome = safe.ok ? safe.value : { ok: false, reason: safe.reason, permanent: false };
  } else {
    outcome = await reader.read(abs, f.kind);
  }
  try {
    const st = await lstat(abs);
    if (!st.isFile() || st.ino !== f.inode || st.size !== f.size || st.mtimeMs !== f.mtime_ms) {
      return { ok: false, reason: 'changed since discovery', permanent: false };
    }
  } catch (err) {
    return { ok: false, reason: describeFsError(err), permanent: false };
  }
  return outcome;
}
