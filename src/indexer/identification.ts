import { sep } from 'node:path';
import type { Db } from '../db/connection.js';
import { identifyFile, type IdentifyOutcome } from '../content/identify-file.js';
import { contentUuidFor } from '../content/identity.js';
import { BatchWriter, yieldToEventLoop } from './batch-writer.js';

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

const PAGE = 500;

/**
 * Give every file without a content identity one: hash it (whole or sampled), detect its type,
 * and link the entry to the shared content row. Driven by the database: a killed run resumes
 * with whatever is still unidentified. (Worker threads were measured here and lost: on two cores
 * the database writes slowed by more than the reads gained.)
 */
export async function identifyContents(input: IdentificationInput): Promise<{ hashed: number }> {
  const { db, locationId } = input;
  const totals = db
    .prepare("SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM entries WHERE location_id = ? AND kind = 'file' AND content_id IS NULL")
    .get(locationId) as { n: number; bytes: number };
  if (totals.n === 0) return { hashed: 0 };

  // `+location_id` keeps SQLite on the rowid range (one pass over the table in all) instead of
  // the location index followed by a sort of every row, on every page.
  const page = db.prepare(
    `SELECT id, name, rel_path, size, inode, mtime_ms FROM entries
     WHERE id > ? AND +location_id = ? AND kind = 'file' AND content_id IS NULL ORDER BY id LIMIT ?`,
  );
  const insertContent = db.prepare(
    `INSERT INTO content_identities (uuid, cas_id, cas_version, kind, mime, size, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(uuid) DO NOTHING`,
  );
  const contentIdOf = db.prepare('SELECT id FROM content_identities WHERE uuid = ?');
  // Guarded: if a concurrent change rewrote the entry since we read it, the stale hash is not linked.
  const link = db.prepare('UPDATE entries SET content_id = ? WHERE id = ? AND inode = ? AND size = ? AND mtime_ms = ?');
  // Large, time-bounded transactions: content ids are random keys, so every commit rewrites many
  // index pages; fewer commits mean far less WAL traffic. A kill loses at most one batch.
  const writer = new BatchWriter(db, 50_000, 2000);

  let done = 0;
  let doneBytes = 0;
  let hashed = 0;
  let lastProgress = 0;
  const record = (rows: PendingFile[], results: IdentifyOutcome[]) => {
    writer.touch(results.length);
    const now = Date.now();
    results.forEach((r, i) => {
      const row = rows[i]!;
      done++;
      doneBytes += row.size;
      if (!r.ok) {
        input.onSkip(row.rel_path, r.reason);
        return;
      }
      const uuid = contentUuidFor(r.casId);
      insertContent.run(uuid, r.casId, r.casVersion, r.kind, r.mime, row.size, now);
      const { id } = contentIdOf.get(uuid) as { id: number };
      link.run(id, row.id, row.inode, row.size, row.mtime_ms);
      hashed++;
    });
    writer.maybeCommit();
    const t = Date.now();
    if (t - lastProgress > 100) {
      lastProgress = t;
      input.onProgress({ done, total: totals.n, doneBytes, totalBytes: totals.bytes });
    }
  };

  let lastId = 0;
  try {
    for (;;) {
      const rows = page.all(lastId, locationId, PAGE) as PendingFile[];
      if (rows.length === 0) break;
      lastId = rows[rows.length - 1]!.id;
      const results: IdentifyOutcome[] = [];
      for (const row of rows) {
        const abs = input.rootAbs + sep + row.rel_path.split('/').join(sep);
        results.push(await identifyFile({ id: row.id, abs, name: row.name, size: row.size, mtimeMs: row.mtime_ms, inode: row.inode }, input.hashThresholdBytes));
      }
      record(rows, results);
      await yieldToEventLoop();
    }
    writer.commit();
  } catch (err) {
    writer.rollback();
    throw err;
  }
  input.onProgress({ done, total: totals.n, doneBytes, totalBytes: totals.bytes });
  return { hashed };
}
