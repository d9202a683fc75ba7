import { sep } from 'node:path';
import type { Db } from '../db/connection.js';
import { describeFsError } from '../core/errors.js';
import { detectType } from '../content/detect-type.js';
import { hashFileForIdentity } from '../content/hash-file.js';
import { contentUuidFor } from '../content/identity.js';
import { yieldToEventLoop } from './batch-writer.js';

export interface IdentificationInput {
  db: Db;
  locationId: number;
  rootAbs: string;
  hashThresholdBytes: number;
  onSkip: (path: string, reason: string) => void;
  onProgress: (p: { done: number; total: number; doneBytes: number; totalBytes: number }) => void;
}

interface PendingFile {
  id: number;
  name: string;
  rel_path: string;
  size: number;
  inode: number;
  mtime_ms: number;
}

interface Identified {
  entryId: number;
  entry: PendingFile;
  casId: string;
  casVersion: number;
  kind: string;
  mime: string;
}

const PAGE = 500;

/**
 * Give every file without a content identity one: hash it (whole or sampled), detect its type,
 * and link the entry to the shared content row. Driven by the database, so a killed run simply
 * resumes with what is still unidentified.
 */
export async function identifyContents(input: IdentificationInput): Promise<{ hashed: number }> {
  const { db, locationId } = input;
  const totals = db
    .prepare("SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM entries WHERE location_id = ? AND kind = 'file' AND content_id IS NULL")
    .get(locationId) as { n: number; bytes: number };
  if (totals.n === 0) return { hashed: 0 };

  const page = db.prepare(
    `SELECT id, name, rel_path, size, inode, mtime_ms FROM entries
     WHERE location_id = ? AND kind = 'file' AND content_id IS NULL AND id > ? ORDER BY id LIMIT ?`,
  );
  const insertContent = db.prepare(
    `INSERT INTO content_identities (uuid, cas_id, cas_version, kind, mime, size, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(cas_id) DO NOTHING`,
  );
  const contentIdOf = db.prepare('SELECT id FROM content_identities WHERE cas_id = ?');
  // Guarded: if a concurrent change rewrote the entry since we read it, the stale hash is not linked.
  const link = db.prepare('UPDATE entries SET content_id = ? WHERE id = ? AND inode = ? AND size = ? AND mtime_ms = ?');
  const write = db.transaction((batch: Identified[]) => {
    const now = Date.now();
    for (const it of batch) {
      insertContent.run(contentUuidFor(it.casId), it.casId, it.casVersion, it.kind, it.mime, it.entry.size, now);
      const { id } = contentIdOf.get(it.casId) as { id: number };
      link.run(id, it.entryId, it.entry.inode, it.entry.size, it.entry.mtime_ms);
    }
  });

  let lastId = 0;
  let done = 0;
  let doneBytes = 0;
  let hashed = 0;
  let lastProgress = 0;
  for (;;) {
    const rows = page.all(locationId, lastId, PAGE) as PendingFile[];
    if (rows.length === 0) break;
    lastId = rows[rows.length - 1]!.id;
    const batch: Identified[] = [];
    for (const row of rows) {
      const abs = input.rootAbs + sep + row.rel_path.split('/').join(sep);
      try {
        const out = await hashFileForIdentity(abs, { size: row.size, mtimeMs: row.mtime_ms, inode: row.inode }, input.hashThresholdBytes);
        if (out.ok) {
          const type = await detectType(row.name, out.head);
          batch.push({ entryId: row.id, entry: row, casId: out.casId, casVersion: out.casVersion, kind: type.kind, mime: type.mime });
        } else {
          input.onSkip(row.rel_path, out.reason);
        }
      } catch (err) {
        input.onSkip(row.rel_path, describeFsError(err));
      }
      done++;
      doneBytes += row.size;
      const now = Date.now();
      if (now - lastProgress > 100) {
        lastProgress = now;
        input.onProgress({ done, total: totals.n, doneBytes, totalBytes: totals.bytes });
      }
    }
    write(batch);
    hashed += batch.length;
    await yieldToEventLoop();
  }
  input.onProgress({ done, total: totals.n, doneBytes, totalBytes: totals.bytes });
  return { hashed };
}
