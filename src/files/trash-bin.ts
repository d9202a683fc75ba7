/**
 * The trash (issue 45): a delete moves each file aside on its own drive, into its location's
 * `.vss-trash/BATCH/` under the path it had, instead of removing it; it can be put back for
 * 30 days. A rename, never a copy: a file that cannot be renamed there (a drive mounted inside
 * its location) is left where it is and said so. The trash holds the content (its sidecars,
 * tags and albums stay) but is no copy of it: the Guardian does not count it.
 */
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { crashPoint } from '../core/crash-point.js';
import type { Library } from '../library/library.js';
import { factsAt } from '../storage/local-tree.js';
import { identityNow } from '../content/indexed-identity.js';
import { flushFolders, moveWithinDrive } from '../storage/local-trash.js';
import type { ConfinedRoot } from '../library/confine.js';
import type { NewTrashRecord } from '../store/trash.js';
import { placeKey } from '../store/guard-copies.js';

/** The folder at a location's root the trash keeps its files in (`.vss-*` is never scanned or watched). */
export const TRASH_FOLDER = '.vss-trash';
/** Days a file stays restorable before the trash's upkeep empties it (when the Guardian lets it). */
export const TRASH_DAYS = 30;

export const DAY_MS = 24 * 3600 * 1000;

/** One file to trash: its location, its path there, and the location's confined root. */
export interface ToTrash {
  locationId: number;
  rel: string;
  root: ConfinedRoot;
}

export type Trashed = { trashed: true; trash_id: string } | { gone: true } | { kept: string };

const OTHER_DRIVE = 'it is on another drive than its location (a drive mounted inside it): the trash is a rename, never a copy, so it is left where it is (--permanent deletes it)';

/**
 * Files moved into the trash under one batch folder (one a delete run): `BATCH` names it for a
 * person looking in the folder (when, and which job).
 */
export class TrashBin {
  readonly batch: string;

  constructor(private readonly lib: Library, jobId: number, now = Date.now()) {
    this.batch = `${new Date(now).toISOString().replace(/[:.]/g, '-')}-job${jobId}`;
  }

  /**
   * Move FILES into the trash, in order. Their rows are written first (one transaction), then each
   * file renamed, then each folder touched flushed once: a kill before a rename leaves its file in
   * place and a row the upkeep drops (`settleTrash`); after it, a row that finds it. GOING: the
   * other files the same delete takes (their `placeKey`s; FILES' own are always), which are no
   * copy left behind.
   * WHOLE: the user deletes these as such, so a content of which no other copy is known is
   * recorded deleted whole (`alone`); false for files let go for another (`similar keep`).
   */
  async put(files: readonly ToTrash[], now = Date.now(), going: ReadonlySet<string> = new Set(), whole = true): Promise<Trashed[]> {
    const { store } = this.lib;
    const out: Trashed[] = new Array(files.length);
    const rows: Array<NewTrashRecord & { at: number; src: string; dst: string; root: ConfinedRoot }> = [];
    for (const [i, f] of files.entries()) {
      const src = f.root.inFolder(f.rel);
      const st = factsAt(src);
      if (!st) {
        out[i] = { gone: true };
        continue;
      }
      // Its content only while the file is the one the index read it from: a file changed since
      // (edited by a tool vss has not heard from yet) holds bytes no one identified, and a row
      // pairing its facts now with the old content would bring it back as that content (a restore
      // trusts a file unchanged since it went) and let the trash's empty weigh it as such.
      const entry = store.entries.fileAt(f.locationId, f.rel);
      const asIndexed = entry?.content_uuid && identityNow(entry, st) === 'same';
      const content = asIndexed ? store.contents.byUuid(entry.content_uuid!) : undefined;
      const trashRel = `${TRASH_FOLDER}/${this.batch}/${f.rel}`;
      rows.push({
        at: i, src, dst: f.root.path(trashRel), root: f.root,
        trash_id: randomUUID(), location_id: f.locationId, rel_path: f.rel, trash_rel: trashRel,
        content_uuid: content?.uuid ?? null, cas_id: content?.cas_id ?? null, cas_version: content?.cas_version ?? null,
        size: st.size, mtime_ms: st.mtimeMs, inode: st.inode, deleted_at: now,
      });
    }
    if (rows.length === 0) return out;
    if (whole) for (const r of this.alone(rows, new Set([...going, ...rows.map((r) => placeKey(r.location_id, r.rel_path))]))) r.alone = 1;
    store.trash.addMany(rows);
    crashPoint('trash:after-rows');
    const dirs = new Set<string>();
    const undo: string[] = [];
    try {
      for (const r of rows) {
        const moved = moveWithinDrive(r.root, r.src, r.dst);
        if (moved === 'moved') {
          dirs.add(dirname(r.src));
          dirs.add(dirname(r.dst));
          out[r.at] = { trashed: true, trash_id: r.trash_id };
        } else {
          out[r.at] = moved === 'gone' ? { gone: true } : { kept: OTHER_DRIVE };
          undo.push(r.trash_id);
        }
      }
    } catch (err) {
      // The rows of the files not moved go; what was moved before the failure stays moved, and found.
      const moved = new Set(rows.filter((r) => out[r.at] !== undefined && 'trashed' in out[r.at]!).map((r) => r.trash_id));
      this.forget(rows.filter((r) => !moved.has(r.trash_id)).map((r) => r.trash_id));
      await flushFolders(dirs);
      throw err;
    }
    this.forget(undo);
    await flushFolders(dirs);
    crashPoint('trash:after-renames');
    return out;
  }

  /**
   * Of ROWS, those whose content has no file or object known anywhere but the ones GOING: on no
   * device, in no bucket, counting rotten, changed and offline ones (the Guardian's copies, not
   * only those that count now). Emptying the trash lets such a content go: the user deleted every
   * copy of it. One that leaned on another copy, gone since by other means, is kept.
   */
  private alone<R extends NewTrashRecord>(rows: readonly R[], going: ReadonlySet<string>): R[] {
    const uuids = [...new Set(rows.flatMap((r) => (r.content_uuid ? [r.content_uuid] : [])))];
    const elsewhere = this.lib.store.guardian.knownElsewhere(uuids, this.lib.deviceId, going);
    return rows.filter((r) => r.content_uuid !== null && !elsewhere.has(r.content_uuid));
  }

  private forget(trashIds: readonly string[]): void {
    if (trashIds.length === 0) return;
    const { store } = this.lib;
    store.trash.removeMany(store.trash.byTrashIds(trashIds).map((r) => r.id));
  }
}
