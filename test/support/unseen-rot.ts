import Database from 'better-sqlite3';
import { closeSync, openSync, readdirSync, statSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LIBRARY_SUFFIX } from '../../src/library/layout.js';

/**
 * Byte AT of the file at PATH set to BYTE as a disk's rot makes it: its size, mtime and ctime as
 * they were. A write cannot keep the ctime, so the index of the library in LIBS (the folder the
 * library was created in) is told the ctime the write left: the one fact real rot would not have
 * changed. The location must not be watched meanwhile (a watcher would take the write for an edit).
 */
export function rotUnseen(libs: string, path: string, at: number, byte: number): void {
  const st = statSync(path);
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.from([byte]), 0, 1, at);
  } finally {
    closeSync(fd);
  }
  utimesSync(path, st.atime, st.mtime);
  const ctime = statSync(path).ctimeMs;
  const [lib] = readdirSync(libs).filter((n) => n.endsWith(LIBRARY_SUFFIX));
  if (lib === undefined) throw new Error(`no library in ${libs}`);
  const db = new Database(join(libs, lib, 'database.db'), { fileMustExist: true, timeout: 10_000 });
  try {
    const rows = db.prepare(`UPDATE entries SET ctime_ms = ? WHERE kind = 'file' AND inode = ? AND size = ?`).run(ctime, st.ino, st.size).changes;
    if (rows === 0) throw new Error(`${path} is not in the index of ${lib}`);
  } finally {
    db.close();
  }
}
