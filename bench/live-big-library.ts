/**
 * test/support/big-library.ts builds a 100k-content library straight into the database: its
 * location folder is left empty and no sidecar file exists. A daemon started on that rescans the
 * empty folder (every entry is deleted, every content released ten seconds later) and reconciles
 * (every sidecar marked missing): it is no longer a 100k library once it settles. To measure a
 * daemon idling over a real one, the files are made here: each entry's file with its recorded
 * size (its inode and mtime written back to the row, so a rescan sees nothing changed) and each
 * ready sidecar's file (reconcile without --verify takes a present file as recorded).
 */
import { lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Library } from '../test/internals.js';

export interface Materialized {
  files: number;
  sidecars: number;
}

/**
 * SIDECAR_BYTES (optional) gives the bytes of each ready sidecar's file (by its index), say a
 * real thumbnail, and its recorded size follows; otherwise each is its recorded size of filler.
 */
export function materializeBigLibrary(lib: Library, locationId: number, locationPath: string, sidecarBytes?: (i: number) => Buffer): Materialized {
  const db = lib.db;
  const entries = db.prepare("SELECT id, rel_path, size FROM entries WHERE location_id = ? AND kind = 'file'").all(locationId) as Array<{ id: number; rel_path: string; size: number }>;
  const fill = Buffer.alloc(4096, 0x61);
  const made = new Set<string>();
  const setStat = db.prepare('UPDATE entries SET inode = ?, mtime_ms = ? WHERE id = ?');
  const stats: Array<[number, number, number]> = [];
  for (const e of entries) {
    const abs = join(locationPath, ...e.rel_path.split('/'));
    const dir = dirname(abs);
    if (!made.has(dir)) { mkdirSync(dir, { recursive: true }); made.add(dir); }
    writeFileSync(abs, fill.subarray(0, e.size));
    const st = lstatSync(abs);
    stats.push([st.ino, st.mtimeMs, e.id]);
  }
  db.transaction(() => { for (const s of stats) setStat.run(...s); })();

  const sidecars = db.prepare("SELECT id, rel_path, size FROM sidecars WHERE status = 'ready' AND rel_path IS NOT NULL").all() as Array<{ id: number; rel_path: string; size: number | null }>;
  const sizes: Array<[number, number]> = [];
  sidecars.forEach((s, i) => {
    const abs = join(lib.root, ...s.rel_path.split('/'));
    const dir = dirname(abs);
    if (!made.has(dir)) { mkdirSync(dir, { recursive: true }); made.add(dir); }
    const bytes = sidecarBytes ? sidecarBytes(i) : fill.subarray(0, s.size ?? 0);
    writeFileSync(abs, bytes);
    if (bytes.length !== s.size) sizes.push([bytes.length, s.id]);
  });
  const setSize = db.prepare('UPDATE sidecars SET size = ? WHERE id = ?');
  db.transaction(() => { for (const s of sizes) setSize.run(...s); })();
  return { files: entries.length, sidecars: sidecars.length };
}
