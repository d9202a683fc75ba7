import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { ContentKind } from '../content/kinds.js';
import type { Library } from '../library/library.js';
import { parseMetadata } from '../media/media-metadata.js';

export interface ContentRecord {
  id: number;
  uuid: string;
  kind: ContentKind;
  mime: string;
  size: number;
  media_metadata: string | null;
}

export function contentRecord(lib: Library, contentUuid: string): ContentRecord | undefined {
  return lib.db.prepare('SELECT id, uuid, kind, mime, size, media_metadata FROM content_identities WHERE uuid = ?').get(contentUuid) as ContentRecord | undefined;
}

/**
 * A file of this content that is on this device now (DESIGN §4: "finds a current source entry"):
 * the first indexed path that still exists with the content's size. The generator re-reads it,
 * so a file changed since indexing is caught by its size here or by the decoder.
 */
export function findSourceFile(lib: Library, content: ContentRecord): string | undefined {
  const rows = lib.db.prepare(
    `SELECT l.path AS root, e.rel_path AS rel FROM entries e JOIN locations l ON l.id = e.location_id
     WHERE e.content_id = ? AND e.kind = 'file' AND l.device_id = ? ORDER BY e.id LIMIT 32`,
  ).all(content.id, lib.deviceId) as Array<{ root: string; rel: string }>;
  for (const r of rows) {
    const path = join(r.root, r.rel);
    try {
      const st = statSync(path);
      if (st.isFile() && st.size === content.size) return path;
    } catch { /* gone since indexing: try the next copy */ }
  }
  return undefined;
}

/**
 * The stored media metadata as generators see it (a plain record), through the one parser that
 * checks its version; unreadable or absent metadata is null.
 */
export function metadataOf(raw: string | null): Record<string, unknown> | null {
  return parseMetadata(raw) as unknown as Record<string, unknown> | null;
}
