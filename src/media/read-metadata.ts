import { lstat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { describeFsError } from '../core/errors.js';
import type { Db } from '../db/connection.js';
import { BatchWriter } from '../store/batch-writer.js';
import { MediaToolUnavailableError, MetadataReader, type MediaKind, type ReadOutcome } from './exiftool-reader.js';
import { MEDIA_METADATA_VERSION, serializeMetadata } from './media-metadata.js';
import { ConfinedRoot, PathRefusedError } from '../library/confine.js';

export interface MediaMetadataInput {
  db: Db;
  locationId: number;
  rootAbs: string;
  onSkip: (path: string, reason: string) => void;
  onProgress: (p: { done: number; total: number }) => void;
  /** Files read at once (ExifTool processes). */
  concurrency?: number;
  /** Per-file limit. */
  timeoutMs?: number;
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
  const { db, locationId } = input;
  const pendingSql = `FROM content_identities c
    WHERE c.kind IN ('image', 'video') AND c.media_metadata IS NULL
      AND EXISTS (SELECT 1 FROM entries e WHERE e.content_id = c.id AND e.location_id = ? AND e.kind = 'file')`;
  const total = (db.prepare(`SELECT COUNT(*) AS n ${pendingSql}`).get(locationId) as { n: number }).n;
  if (total === 0) return { read: 0 };

  // One copy per content, by content id so paging never revisits a row.
  const page = db.prepare(
    `SELECT c.id AS content_id, c.kind,
       (SELECT e.id FROM entries e WHERE e.content_id = c.id AND e.location_id = ? AND e.kind = 'file' ORDER BY e.id LIMIT 1) AS entry_id
     ${pendingSql} AND c.id > ? ORDER BY c.id LIMIT ?`,
  );
  const entry = db.prepare('SELECT rel_path, size, inode, mtime_ms FROM entries WHERE id = ?');
  const store = db.prepare('UPDATE content_identities SET media_metadata = ? WHERE id = ? AND media_metadata IS NULL');
  const writer = new BatchWriter(db, 500, 1000);

  let reader: MetadataReader;
  try {
    reader = await MetadataReader.open({ concurrency: input.concurrency ?? DEFAULT_CONCURRENCY, timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  } catch (err) {
    // Reported once for the location, not file by file (DESIGN §8); the rest of the scan goes on.
    if (err instanceof MediaToolUnavailableError) {
      input.onSkip('.', err.message);
      return { read: 0 };
    }
    throw err;
  }

  let done = 0;
  let read = 0;
  let lastId = 0;
  const root = new ConfinedRoot(input.rootAbs, 'the location');
  const record = (file: PendingMedia, outcome: ReadOutcome) => {
    done++;
    if (outcome.ok) {
      writer.touch();
      store.run(serializeMetadata(outcome.metadata), file.content_id);
      read++;
    } else {
      input.onSkip(file.rel_path, `media metadata: ${outcome.reason}`);
      if (outcome.permanent) {
        writer.touch();
        store.run(serializeMetadata({ v: MEDIA_METADATA_VERSION, error: outcome.reason }), file.content_id);
      }
    }
    writer.maybeCommit();
  };

  try {
    for (;;) {
      const rows = page.all(locationId, locationId, lastId, PAGE) as Array<{ content_id: number; kind: MediaKind; entry_id: number }>;
      if (rows.length === 0) break;
      lastId = rows[rows.length - 1]!.content_id;
      const files = rows.map((r) => ({ ...(entry.get(r.entry_id) as Omit<PendingMedia, 'content_id' | 'kind'>), content_id: r.content_id, kind: r.kind }));
      // At most `concurrency` ExifTool processes read at once; the rest of the page waits in
      // its queue, so the page size bounds what is in flight.
      const outcomes = await Promise.all(files.map((f) => readOne(reader, root, f)));
      files.forEach((f, i) => record(f, outcomes[i]!));
      input.onProgress({ done, total });
    }
    writer.commit();
  } catch (err) {
    writer.rollback();
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
  const outcome = await reader.read(abs, f.kind);
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
