/**
 * Emptying the trash (issue 45): the one step that cannot be undone, weighed by the Guardian as a
 * delete is (guardian/guard.ts `weighDrop`, the same witnesses asked), and as the permanent step
 * (DESIGN §21): every file here a content leans on is read whole first, whatever its size, as
 * nobody waits on this (the 30-day sweep least of all). A file in the trash is no
 * copy, but while it is there its bytes are its content's: emptying the last of them would lose
 * the content, so that is refused (the file is kept, and named) unless forced, or unless the user
 * deleted every copy of it (`deletedWhole`: a delete is never refused, so this is where a
 * content the user let go entirely goes); but for a
 * near-duplicate put there for the one kept in its place (`kept_as`), while that one has a file
 * here that counts now and was read whole just now (`keptHere`). A file that is not
 * as it went, or whose bytes were never identified, is bytes nobody has looked at: kept too.
 */
import { UsageError } from '../core/errors.js';
import { releaseOrphanContents } from '../indexer/release-orphans.js';
import { describeBelow, weighDrop } from '../guardian/guard.js';
import { copyHereVerdict, settleHere } from '../guardian/evidence.js';
import { readWhole } from '../guardian/read-again.js';
import type { Library } from '../library/library.js';
import { DAY_MS } from '../files/trash-bin.js';
import { MAX_TRASH_AT_ONCE, removeFromTrash, settleTrash, trashItem, trashRowsOf } from '../files/trash.js';
import type { LeavingFile } from '../files/plan.js';
import type { TrashPlaced } from '../store/trash.js';
import type { TrashEmptyResult } from '../wire/trash.js';
import type { OpHost } from './op.js';
import { witnessesOf } from './witnesses.js';
import { factsAt } from '../storage/local-tree.js';

export interface EmptyTrashInput {
  /** Only these (trash ids, or paths the files had); else everything (older than `olderThanDays`). */
  refs?: string[];
  /** Only files deleted more than this many days ago. */
  olderThanDays?: number;
  /** Empty even what the Guardian refuses (a content's last bytes). */
  force?: boolean;
  signal?: AbortSignal;
}

export async function emptyTrash(host: OpHost, input: EmptyTrashInput, now = Date.now()): Promise<TrashEmptyResult> {
  const { lib } = host;
  const days = input.olderThanDays;
  if (days !== undefined && (!Number.isFinite(days) || days < 0)) throw new UsageError(`--older-than takes a number of days (0 or more), not ${String(days)}`);
  settleTrash(lib);
  let rows: TrashPlaced[];
  if (input.refs && input.refs.length > 0) {
    const named = trashRowsOf(lib, input.refs);
    if (named.unknown.length > 0) throw new UsageError(`nothing in the trash by ${named.unknown.map((u) => JSON.stringify(u)).join(', ')}`);
    rows = named.rows;
  } else {
    rows = lib.store.trash.olderThan(days === undefined ? Number.MAX_SAFE_INTEGER : now - days * DAY_MS, MAX_TRASH_AT_ONCE + 1);
  }
  if (days !== undefined) rows = rows.filter((r) => r.deleted_at < now - days * DAY_MS);
  if (rows.length > MAX_TRASH_AT_ONCE) throw new UsageError(`more than ${MAX_TRASH_AT_ONCE} files: empty the trash in parts (--older-than DAYS)`);
  if (rows.length === 0) return { files: 0, bytes: 0, kept: [] };

  const kept: TrashEmptyResult['kept'] = [];
  let go = rows;
  let release = async () => undefined as void;
  if (input.force !== true) {
    const unknown = new Map<number, string>();
    for (const r of rows) {
      const why = unknownBytes(r);
      if (why) unknown.set(r.id, why);
    }
    // A near-duplicate trashed for the one kept in its place: no picture is lost while that one has a copy
    // here that counts now (looked at as the evidence rule says: DESIGN §19), not as the index last said.
    const keptAs = [...new Set(rows.flatMap((r) => (r.kept_as ? [r.kept_as] : [])))];
    const { vouched, not } = keptAs.length > 0 ? await keptHere(lib, keptAs, input.signal) : { vouched: new Set<string>(), not: new Map<string, string>() };
    const superseded = new Set(rows.filter((r) => r.kept_as !== null && vouched.has(r.kept_as)).map((r) => r.id));
    const weighed = rows.filter((r) => !unknown.has(r.id) && !superseded.has(r.id));
    const leaving: LeavingFile[] = weighed.map((r) => ({ locationId: r.location_id, rel: r.trash_rel, path: trashItem(r).in_trash_at, content_uuid: r.content_uuid!, trashed: true }));
    const hold = await weighDrop(lib, leaving, witnessesOf(host), { permanent: true, ...(input.signal ? { signal: input.signal } : {}) });
    release = hold.release;
    const refused = new Map(hold.below.map((b) => [b.content_uuid, describeBelow(b)]));
    const whole = new Set(deletedWhole(lib, [...refused.keys()]));
    go = [];
    for (const r of rows) {
      // A near-duplicate let go for another (kept_as) goes only as that one vouches, never as a content deleted whole.
      const letGo = r.content_uuid !== null && r.kept_as === null && whole.has(r.content_uuid);
      const why = superseded.has(r.id) ? undefined : unknown.get(r.id) ?? (r.content_uuid !== null && !letGo ? refused.get(r.content_uuid) : undefined);
      // Kept for a photo kept in its place that could not vouch: why not, too.
      const keptNot = r.kept_as !== null ? not.get(r.kept_as) : undefined;
      if (why === undefined) go.push(r);
      else kept.push({ trash_id: r.trash_id, path: trashItem(r).path, content_uuid: r.content_uuid, reason: keptNot !== undefined ? `${why}; the photo kept in its place does not vouch for it (${keptNot})` : why });
    }
  }
  try {
    const done = await removeFromTrash(lib, go);
    releaseOrphanContents(lib);
    return { ...done, kept };
  } finally {
    await release();
  }
}

/**
 * Of UUIDS, the contents whose every copy the user deleted (DESIGN §21): a file of it went into
 * this device's trash as the only one known anywhere (`alone`), and no file or object of it is
 * known anywhere now either (none came back since, rotten, changed or offline ones included).
 * Emptying lets them go. A content that leaned on another copy, lost since by other means than a
 * delete (a drive that died, a bucket object gone), is not among them: it is kept.
 */
function deletedWhole(lib: Library, uuids: readonly string[]): string[] {
  const alone = lib.store.trash.deletedWhole(uuids);
  if (alone.size === 0) return [];
  const elsewhere = lib.store.guardian.knownElsewhere([...alone], lib.deviceId);
  return [...alone].filter((u) => !elsewhere.has(u));
}

/** Why vss does not know ROW's bytes now (never identified, or changed in the trash), else undefined. */
function unknownBytes(r: TrashPlaced): string | undefined {
  if (r.content_uuid === null) return 'its bytes were never identified: vss cannot tell whether they are anywhere else (--force empties it)';
  const st = factsAt(trashItem(r).in_trash_at);
  if (st && (st.size !== r.size || (r.mtime_ms !== null && st.mtimeMs !== r.mtime_ms))) {
    return 'it changed in the trash since it was deleted: vss cannot tell whether its bytes are anywhere else (--force empties it)';
  }
  return undefined;
}

/** What a kept file is held to besides its content's whole BLAKE3: nothing (a near-duplicate's bytes are others). */
const NOTHING_GOING = async () => null;

/**
 * The contents of UUIDS with a file on this device that counts as a copy now (the evidence rule:
 * there, unchanged since indexed, not rotten, its drive plugged in) and that was read whole just
 * now and matched (the first that does: one picture kept is enough); a rotten one is recorded as
 * rot, and the next is read. One only another device or a bucket holds does not vouch here: its
 * near-duplicate is weighed as its own content's bytes.
 */
async function keptHere(lib: Library, uuids: readonly string[], signal?: AbortSignal): Promise<{ vouched: Set<string>; not: Map<string, string> }> {
  const copies = lib.store.guardian.guardCopies(uuids, lib.deviceId).filter((c) => c.here === 1);
  settleHere(lib, copies);
  const vouched = new Set<string>();
  const not = new Map<string, string>();
  for (const c of copies) {
    if (vouched.has(c.content_uuid)) continue;
    const now = copyHereVerdict(c);
    const v = now.counts ? await readWhole(lib, c, NOTHING_GOING, signal) : now;
    if (v.counts) vouched.add(c.content_uuid);
    else if (!not.has(c.content_uuid)) not.set(c.content_uuid, v.why);
  }
  for (const u of vouched) not.delete(u);
  return { vouched, not };
}
