/**
 * A library's database copied whole while it is in use (issue 45: the library's own work kept):
 * SQLite's online backup in a worker thread, through a read-only connection of its own, in one read
 * transaction (one moment's database; the WAL lets the library's connection write meanwhile, and
 * nothing of it waits: not a step, not the copy's final flush); then checked, marked with the
 * library it is of, made a single file (no WAL beside it), hashed and put in place durably. The
 * way back, a snapshot checked and made the library's database in one step, is `restore.ts`.
 */
import { existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { VssError } from '../core/errors.js';
import { blake3File } from '../core/file-blake3.js';
import { place, tempPathFor } from '../core/fs-atomic.js';
import type { Db } from '../db/connection.js';
import { currentSchemaVersion } from '../db/migrations.js';
import { readSnapshotMark } from '../db/snapshot-file.js';
import { Worker } from 'node:worker_threads';
import type { SnapshotFacts } from '../db/snapshot-file.js';
import type { SnapshotAnswer, SnapshotRequest } from './snapshot-check-worker.js';

/** The file name of every snapshot ends so: a person (and `library restore`) knows it for one. */
export const SNAPSHOT_SUFFIX = '.vss-library.db';

export type { SnapshotFacts };

export interface MadeSnapshot {
  /** Its name: the library's, its id's first characters, and when (UTC). */
  snapshot: string;
  path: string;
  bytes: number;
  blake3: string;
  made_at: number;
  /**
   * The copy's steps on the library's own connection and the longest (ms): how long a write of
   * the library waited for it at most. Now 1 and 0: the copy is read by a connection of its own.
   */
  steps: number;
  longest_step_ms: number;
}

/** The name of a snapshot of LIBRARY made at AT. */
export function snapshotName(library: { id: string; name: string }, at: number): string {
  const safe = library.name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^[-.]+|-+$/g, '').slice(0, 60) || 'library';
  const when = new Date(at).toISOString().replace(/[-:]/g, '');
  return `${safe}-${library.id.slice(0, 8)}-${when}`;
}

/**
 * Copy DB (the library's open database) to DIR/NAME.vss-library.db as it is now: the online
 * backup, then a quick check of the copy and its facts written into it. The folder must exist.
 */
export async function snapshotDatabase(db: Db, dir: string, facts: Omit<SnapshotFacts, 'schema_version'>): Promise<MadeSnapshot> {
  // Never over another snapshot: two made in the same millisecond get a number.
  const base = snapshotName({ id: facts.library_id, name: facts.library_name }, facts.made_at);
  let name = base;
  for (let n = 2; existsSync(join(dir, `${name}${SNAPSHOT_SUFFIX}`)); n++) name = `${base}-${n}`;
  const final = join(dir, `${name}${SNAPSHOT_SUFFIX}`);
  const tmp = tempPathFor(final);
  try {
    const schema = currentSchemaVersion(db);
    await copyInWorker(db.name, tmp, { ...facts, schema_version: schema });
    const { checksum, size } = await blake3File(tmp);
    await place(tmp, final);
    // One step, in a connection of its own: the library's writes were held by none of it.
    return { snapshot: name, path: final, bytes: size, blake3: checksum, made_at: facts.made_at, steps: 1, longest_step_ms: 0 };
  } catch (err) {
    try { unlinkSync(tmp); } catch { /* never made */ }
    throw err instanceof VssError ? err : new VssError('IO', `the library's database could not be copied to ${final}: ${(err as Error).message}`, { path: final, cause: err });
  }
}

/**
 * How long the snapshot thread is kept after its last copy: a start of a thread and its load of
 * SQLite cost ~80 ms of CPU, more than the copy of a small library (a backup before each restore,
 * a schedule's backups of several libraries, the safety model's backups are made one after the
 * other); an idle thread is let go, and never keeps the process from ending.
 */
const THREAD_IDLE_MS = 30_000;

interface SnapshotThread {
  worker: Worker;
  /** The copies asked of it and not answered yet, by id. */
  waiting: Map<number, { done: () => void; failed: (err: unknown) => void; path: string }>;
  idle: NodeJS.Timeout | undefined;
}

let thread: SnapshotThread | undefined;
let asked = 0;

/** The database at SOURCE copied to PATH, checked and marked in the snapshot thread (snapshot-check-worker.ts): the main thread goes on serving writes. */
function copyInWorker(source: string, path: string, facts: SnapshotFacts): Promise<void> {
  const t = (thread ??= startThread());
  if (t.idle !== undefined) clearTimeout(t.idle);
  t.idle = undefined;
  // While a copy is under way the thread keeps the process, as a thread of its own for it did.
  if (t.waiting.size === 0) t.worker.ref();
  const id = ++asked;
  return new Promise((done, failed) => {
    t.waiting.set(id, { done, failed, path });
    t.worker.postMessage({ id, source, path, facts } satisfies SnapshotRequest);
  });
}

function startThread(): SnapshotThread {
  const t: SnapshotThread = { worker: new Worker(new URL('./snapshot-check-worker.js', import.meta.url)), waiting: new Map(), idle: undefined };
  t.worker.on('message', (m: SnapshotAnswer) => {
    const w = t.waiting.get(m.id);
    if (!w) return;
    t.waiting.delete(m.id);
    if (t.waiting.size === 0) letIdle(t);
    if (m.ok) w.done();
    else w.failed(new VssError('IO', m.message, { path: w.path }));
  });
  // A thread that failed or ended answers nothing more: what it was asked fails, and the next copy starts another.
  const end = (reason: (path: string) => unknown) => {
    if (thread === t) thread = undefined;
    if (t.idle !== undefined) clearTimeout(t.idle);
    for (const w of t.waiting.values()) w.failed(reason(w.path));
    t.waiting.clear();
  };
  t.worker.once('error', (err) => end(() => err));
  t.worker.once('exit', (code) => end((path) => new VssError('IO', `the copy's check ended without an answer (exit ${code})`, { path })));
  return t;
}

/** Nothing asked of T now: it no longer keeps the process, and goes after THREAD_IDLE_MS unless asked again. */
function letIdle(t: SnapshotThread): void {
  t.worker.unref();
  t.idle = setTimeout(() => {
    if (thread === t) thread = undefined;
    void t.worker.terminate();
  }, THREAD_IDLE_MS);
  t.idle.unref();
}

/** What the snapshot at PATH is of, checked whole (db/snapshot-file.ts). */
export { readSnapshotMark as readSnapshot };
