import Database from 'better-sqlite3';
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomicSync } from '../core/fs-atomic.js';
import { MIGRATIONS, migrate } from './migrations.js';

/**
 * A new library's database begins as the empty database at the newest schema, made once, not by
 * running every migration again for each library (46 of them: ~70 ms of CPU and ~0.1 s of a
 * creation, every `library create`). The build writes it beside this module
 * (`empty-library-<migrations' digest>.sqlite`, `writeEmptyLibraryFile`); a process that finds no
 * file for its migrations makes it once in memory. Either way it is what `migrate` makes of an empty
 * database (empty-library.test.ts compares them), and each database made from it gets a sync epoch
 * of its own, as a migrated one does (migration 007 draws it).
 */

/** The migrations' digest: a file made by other migrations is never taken. */
function migrationsDigest(): string {
  const h = createHash('sha256');
  for (const m of MIGRATIONS) h.update(`${m.version}\0${m.name}\0${m.sql}\0`);
  return h.digest('hex').slice(0, 16);
}

const PREFIX = 'empty-library-';
const here = dirname(fileURLToPath(import.meta.url));

/** Where the build keeps the empty database for these migrations. */
export function emptyLibraryFile(): string {
  return join(here, `${PREFIX}${migrationsDigest()}.sqlite`);
}

/** The empty database at the newest schema, made in memory by the migrations themselves. */
export function migratedEmptyImage(): Buffer {
  const db = new Database(':memory:');
  try {
    db.pragma('foreign_keys = ON');
    migrate(db, ':memory:');
    return db.serialize();
  } finally {
    db.close();
  }
}

let image: Buffer | undefined;

/** The empty database's bytes: the build's file, else made once in this process. */
function emptyImage(): Buffer {
  if (image) return image;
  try {
    image = readFileSync(emptyLibraryFile());
  } catch {
    image = migratedEmptyImage();
  }
  return image;
}

/**
 * Write a new library's database at PATH (no file there yet): the empty database, flushed.
 * `migrate` after `openDatabase` finds it at the newest version; `newEpoch` gives it its own epoch.
 */
export function writeEmptyLibrary(path: string): void {
  const fd = openSync(path, 'wx');
  try {
    const bytes = emptyImage();
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A sync epoch of this database's own (migration 007's, drawn again: the empty database's is everyone's). */
export function newEpoch(db: Database.Database): void {
  db.prepare("UPDATE sync_meta SET value = ? WHERE key = 'epoch'").run(randomUUID());
}

/** The build's step: the empty database for these migrations beside this module, older ones removed. */
export function writeEmptyLibraryFile(): string {
  const file = emptyLibraryFile();
  for (const name of readdirSync(here)) if (name.startsWith(PREFIX) && name.endsWith('.sqlite') && join(here, name) !== file) rmSync(join(here, name), { force: true });
  writeFileAtomicSync(file, migratedEmptyImage());
  return file;
}
