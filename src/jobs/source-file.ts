import { existsSync, statSync } from 'node:fs';
import type { ContentKind } from '../content/kinds.js';
import { childLog } from '../core/log.js';
import { PathRefusedError } from '../library/confine.js';
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

const log = childLog('source-file');

/**
 * A file of this content that is on this device now (DESIGN §4: "finds a current source entry"):
 * the first indexed path that still exists with the content's size, inside a location this
 * device's user added and not through a symlink (a copy the library's rows point elsewhere with
 * is refused and logged). The generator re-reads it, so a file changed since indexing is caught
 * by its size here or by the decoder.
 */
export function findSourceFile(lib: Library, content: ContentRecord): SourceLookup {
  const rows = lib.db.prepare(
    `SELECT e.location_id AS loc, e.rel_path AS rel FROM entries e JOIN locations l ON l.id = e.location_id
     WHERE e.content_id = ? AND e.kind = 'file' AND l.device_id = ? ORDER BY e.id LIMIT 32`,
  ).all(content.id, lib.deviceId) as Array<{ loc: number; rel: string }>;
  let refused: string | undefined;
  let offline: string | undefined;
  for (const r of rows) {
    try {
      const root = lib.roots.location(r.loc);
      if (!existsSync(root.root)) {
        offline ??= root.root;
        continue;
      }
      const path = root.regularFile(r.rel);
      const st = statSync(path);
      if (st.isFile() && st.size === content.size) return { path };
    } catch (err) {
      if (err instanceof PathRefusedError) {
        log.warn({ path: err.path, reason: err.message }, 'source refused');
        refused ??= err.message;
      }
      // Gone since indexing, or refused: try the next copy.
    }
  }
  if (offline) return { reason: `the location folder ${offline} is not reachable now (an unplugged drive?)`, offline: true };
  if (refused) return { reason: `no copy vss may read: ${refused}`, offline: false };
  return { reason: 'no file with this content is on this device now (moved or deleted since indexing?)', offline: false };
}

/** A content's file to read, or why there is none (OFFLINE: its location's folder is not there now). */
export type SourceLookup = { path: string } | { path?: undefined; reason: string; offline: boolean };

/**
 * The stored media metadata as generators see it (a plain record), through the one parser that
 * checks its version; unreadable or absent metadata is null.
 */
export function metadataOf(raw: string | null): Record<string, unknown> | null {
  return parseMetadata(raw) as unknown as Record<string, unknown> | null;
}
