import { basename, dirname } from 'node:path';
import { atMost } from '../../../core/at-most.js';
import { errnoCode } from '../../../core/errors.js';
import { partialIn, placeLandedMany, type LandedPlacing } from '../../../core/landing.js';
import { metaOf } from '../../../files/kept-meta.js';
import { copySymlink, dropPartial, keepTimesAndMode, linkAs, makeFifo, NotKept, sameSymlink } from '../../../storage/local-copy.js';
import { flushAll } from '../../../storage/local-flush.js';
import { factsAt, namesIn, type LocalFacts } from '../../../storage/local-tree.js';
import { copyVerified, fullBlake3, type Verified } from '../../../storage/local-verified-copy.js';
import type { FileOpItemRecord } from '../../../store/file-op-items.js';
import type { LibraryPlace } from '../../../files/places.js';
import type { HereTarget } from './here-target.js';
import type { Landed, PutContext } from './target.js';

/** Copies in flight at once: enough to keep a disk busy with small files (RESEARCH-21: ~8). */
const IN_FLIGHT = 8;
/** Copies whose xattrs are sent to the helper together (a batch's are sent as they are made, not all at its end). */
const XATTRS_AT_ONCE = 256;
/** A destination folder with more names than this is not listed: each of its names is looked up instead. */
const MAX_LISTED = 100_000;
/** Why an item was not copied under --on-conflict skip. */
export const ALREADY_THERE = 'its name is taken at the destination (--on-conflict skip)';
/** Why a name that is not UTF-8 is left where it is (its item's path shows it, \xNN for each byte that is not: it names nothing vss can open). */
export const UNNAMED = {
  file: 'its name is not valid UTF-8 (shown with \\xNN for each byte that is not): vss cannot name it, so it is left where it is; rename it to have vss move, copy or delete it',
  dir: 'a folder whose name is not valid UTF-8 (shown with \\xNN for each byte that is not): vss cannot name it, so it is left where it is with all it holds; rename it to have vss move, copy or delete it',
} as const;

/** The partial of item IDX of job JOB in DIR: a landing's, keyed by the job so a resumed run finds (and replaces) it. */
export function partialFor(dir: string, job: number, idx: number): string {
  return partialIn(dir, `${job}-${idx}`);
}

/** An item of a batch once copied (or found there already, skipped, or to be linked): what its placing needs. */
type Ready = { it: FileOpItemRecord; partial?: string; hash: string; final?: string; skipped?: boolean; note?: string | null; linkOf?: number; later?: boolean; special?: boolean; left?: Verified['left'] & { size: number } };

/**
 * Copy BATCH into partials beside their places, each verified by a full BLAKE3 of both sides
 * (several at once), given its source's mode, times and xattrs; nothing placed yet. Symlinks are
 * made as links (never followed), FIFOs as FIFOs; a second name of a hard-linked file becomes a
 * link to the first's copy once that is placed; anything else is left out with its reason.
 */
export async function copyAll(run: HereTarget, batch: readonly FileOpItemRecord[], ctx: PutContext): Promise<Ready[]> {
  const move = run.p.op === 'move';
  const ready: Ready[] = [];
  // Extended attributes (see storage/local-copy.ts) are sent in chunks as copies are made, so
  // the helper sets them meanwhile; all are answered before the flush.
  const xattrsAsked: Array<Promise<void>> = [];
  let forXattrs: Ready[] = [];
  const askXattrs = () => {
    const rs = forXattrs;
    forXattrs = [];
    if (rs.length === 0) return;
    xattrsAsked.push(run.xattrs.copy(rs.map((r) => [r.it.src, r.partial!] as const)).then((notKept) => {
      rs.forEach((r, i) => { if (notKept[i]) r.note = `xattrs not kept: ${notKept[i]}`; });
    }));
  };
  const mayHold = (path: string) => {
    const dir = dirname(path);
    let names = run.listed.get(dir);
    if (names === undefined) {
      const all = namesIn(dir) ?? [];
      names = all.length > MAX_LISTED ? null : new Set(all);
      run.listed.set(dir, names);
    }
    return names === null || names.has(basename(path));
  };
  // The folders written into, looked at now (not as the run found them): none swapped for a symlink out of its location since.
  run.places.confirmInside(batch.map((it) => dirname(it.dst!)));
  await atMost(batch, IN_FLIGHT, async (it) => {
    const dst = it.dst!;
    const unnamed = metaOf(it.meta).unnamed;
    // Never looked up: its path shows a name that is not UTF-8 and names nothing (or another file).
    if (unnamed) return void ready.push({ it, hash: '', skipped: true, note: UNNAMED[unnamed] });
    // Before any read: reading the source changes its access time.
    const st = factsAt(it.src);
    if (!st) {
      // A move killed after its source was removed: the copy in place is the item.
      if (move && factsAt(dst)) return void ready.push({ it, hash: '', final: dst });
      return run.goneSource(it, ctx, 'since it was planned');
    }
    const there = mayHold(dst) ? factsAt(dst) : undefined;
    const link = metaOf(it.meta).link;
    const first = link !== undefined ? run.items[link] : undefined;
    if (first && st.kind === 'file' && (first.state === 'todo' || first.final !== null)) {
      // One file with two names: linked to the first name's copy once that is in place.
      const firstThere = there && factsAt(first.final ?? first.dst!);
      if (there && firstThere && firstThere.inode === there.inode && firstThere.dev === there.dev) return void ready.push({ it, hash: first.blake3 ?? '', final: dst }); // linked by a run killed before it could say so
      if (there && run.p.on_conflict === 'skip') return void ready.push({ it, hash: '', skipped: true, note: ALREADY_THERE });
      return void ready.push({ it, hash: '', linkOf: link });
    }
    const same = there ? await sameThere(it, st, there, ctx.signal) : undefined;
    if (same !== undefined) return void ready.push({ it, hash: same, final: dst }); // there already (a resumed run placed it, or the user had it)
    if (there && run.p.on_conflict === 'skip') return void ready.push({ it, hash: '', skipped: true, note: ALREADY_THERE });
    const kind = specialKind(st);
    if (kind && st.kind !== 'symlink' && st.kind !== 'fifo') return void ready.push({ it, hash: '', skipped: true, note: `${kind}: not copied (vss copies files, folders, symlinks and FIFOs)` });
    run.places.makeFolder(dirname(dst));
    const partial = partialFor(dirname(dst), run.jobId, it.idx);
    run.partials.add(partial);
    let hash = '';
    let left: Ready['left'];
    if (st.kind === 'symlink') {
      copySymlink(it.src, partial);
    } else if (st.kind === 'fifo') {
      try {
        await makeFifo(partial, st.mode);
      } catch (err) {
        if (!(err instanceof NotKept)) throw err;
        return void ready.push({ it, hash: '', skipped: true, note: `a FIFO: not made (${err.reason})` });
      }
    } else {
      // The file looked at above, opened inside its location: never through a folder swapped for a symlink since.
      const source = { root: run.sourceRoot(it.src), path: it.src, checked: { dev: st.dev, inode: st.inode } };
      let proved: Verified;
      try {
        proved = await copyVerified(source, partial, { signal: ctx.signal, size: it.size, sparse: st.blocks * 512 < st.size, onBytes: (n) => ctx.moved(n), keep: st });
      } catch (err) {
        // Gone meanwhile: left out, as when it was gone before (looked at only now: a lookup a file costs a small-file copy dearly).
        if (errnoCode(err) !== 'ENOENT' || factsAt(it.src)) throw err;
        return run.goneSource(it, ctx, 'while it was copied');
      }
      hash = proved.hash;
      const want = run.expected(it);
      if (want !== undefined && hash !== want) {
        // A protect copies its content: bytes that are not it (rot below the filesystem) are no copy of it.
        run.partials.delete(partial);
        await dropPartial(partial);
        return void ctx.leaveOutRotten(it, hash, want, 'nothing was copied');
      }
      if (proved.left) left = { ...proved.left, size: proved.size };
    }
    if (st.kind !== 'file') keepTimesAndMode(partial, st, st.kind === 'symlink');
    const r: Ready = { it, partial, hash, special: st.kind !== 'file', ...(left ? { left } : {}) };
    ready.push(r);
    forXattrs.push(r);
    if (forXattrs.length >= XATTRS_AT_ONCE) askXattrs();
  });
  askXattrs();
  await Promise.all(xattrsAsked);
  return ready;
}

/**
 * The second half of a batch's copy: the partials of READY flushed in one pass, then placed
 * (the conflict policy applied there), their folders flushed once, and the items
 * confirmed together (the loop removes a move's sources then). A kill -9 before that redoes the
 * batch, finding placed files by their bytes. A second name whose first was not placed is copied
 * on its own afterwards.
 */
export async function land(run: HereTarget, ready: Ready[], ctx: PutContext, again: (items: FileOpItemRecord[]) => Promise<void>): Promise<void> {
  ctx.signal.throwIfAborted();
  // One flush for the batch before anything is placed (never one per file in the copy loop). A
  // symlink or FIFO has no bytes of its own: the folder's flush makes it durable.
  await flushAll(ready.filter((r) => r.partial && !r.special).map((r) => r.partial!));
  ctx.signal.throwIfAborted();
  // What this batch replaces goes only while what vouched for its other copies still holds.
  ctx.stillGuarded();
  // And again before anything is placed: a folder swapped while the batch was copied leads nowhere.
  run.places.confirmInside(ready.filter((r) => r.partial || r.linkOf !== undefined).map((r) => dirname(r.it.dst!)));
  // Each location placed into is found where its drive is once for the batch, not once a file:
  // a partial lies in the folder of its final name, so a drive that leaves while the batch is
  // placed takes its partials along, and their renames find nothing to place under the mount
  // point it left (ENOENT; looked at again then, so the job waits for the drive).
  const into = new Map<number, LibraryPlace>();
  for (const r of ready) {
    const place = r.partial || r.linkOf !== undefined ? run.places.placeOfFolder(dirname(r.it.dst!)) : undefined;
    if (place) into.set(place.locationId, place);
  }
  for (const place of into.values()) run.places.checkPresent(place);
  const placed = new Map<number, Ready>();
  const alone: FileOpItemRecord[] = [];
  ready.sort((x, y) => x.it.idx - y.it.idx);
  for (const r of ready) if (r.final) placed.set(r.it.idx, r);
  // Placed by the one landing of verified partials (core/landing.ts, as a peer's files are): the
  // files first, then each second name, linked to its first name's copy once that is in place.
  for (const links of [false, true]) {
    const group: Ready[] = [];
    const to: LandedPlacing[] = [];
    for (const r of ready) {
      if (r.linkOf !== undefined ? !links : links || !r.partial) continue;
      const dst = r.it.dst!;
      // Keep-both takes a free name as it places (core/landing.ts): only skip and replace ask what is there.
      const there = run.p.on_conflict === 'keep-both' ? undefined : factsAt(dst);
      if (there && run.p.on_conflict === 'skip') {
        r.skipped = true;
        r.note = ALREADY_THERE;
        continue;
      }
      if (r.linkOf !== undefined) {
        const first = placed.get(r.linkOf);
        const firstFinal = first ? first.final : run.items[r.linkOf]?.final;
        if (!firstFinal) {
          // The first name was skipped: this one is copied on its own, once this batch is done.
          alone.push(r.it);
          r.later = true;
          continue;
        }
        r.hash = (first ? first.hash : run.items[r.linkOf]?.blake3) ?? '';
        run.places.makeFolder(dirname(dst));
        r.partial = partialFor(dirname(dst), run.jobId, r.it.idx);
        run.partials.add(r.partial);
        linkAs(firstFinal, r.partial);
      }
      group.push(r);
      // A name taken by a folder is never replaced: the copy goes beside it, as keep-both puts it.
      to.push({ partial: r.partial!, to: { dir: dirname(dst), name: basename(dst), conflict: run.p.on_conflict === 'replace' && there?.kind !== 'dir' ? 'replace' : 'keep-both' } });
    }
    const out = await placeLandedMany(to);
    const failed = out.findIndex((o) => 'error' in o);
    for (const [i, o] of out.entries()) {
      if (!('final' in o)) continue;
      const r = group[i]!;
      run.partials.delete(r.partial!);
      r.final = o.final;
      placed.set(r.it.idx, r);
    }
    if (failed >= 0) {
      // A drive that left while the batch was placed took its partials along: the job waits for it.
      const folder = run.places.placeOfFolder(dirname(group[failed]!.it.dst!));
      if (folder) run.places.checkPresent(folder);
      throw (out[failed] as { error: Error }).error;
    }
  }
  // Partials of this batch not placed (skipped); the next batch's, being copied, stay.
  await Promise.all(ready.filter((r) => r.partial && run.partials.delete(r.partial)).map((r) => dropPartial(r.partial!)));
  await ctx.confirm(ready.filter((r) => !r.later).map((r) => ({ it: r.it, landed: landedOf(r) })));
  if (alone.length > 0) await again(alone.map((it) => ({ ...it, meta: null })));
}

/** How R landed: where, verified by which BLAKE3, and (a file) its facts once in place for the index. */
function landedOf(r: Ready): Landed {
  if (r.skipped) return { final: null, skipped: true, note: r.note ?? null };
  const final = r.final ?? null;
  // The copy as it was left once proved (a second name, a link, is looked up), with the ctime it
  // has now it is in place (the rename changed it) while it is still that file.
  const facts = final !== null ? factsAt(final) : undefined;
  const st = r.left ?? (facts?.kind === 'file' ? facts : undefined);
  const inPlace = facts?.kind === 'file' && st && facts.inode === st.inode && facts.size === st.size && facts.mtimeMs === st.mtimeMs ? { ctimeMs: facts.ctimeMs } : {};
  const known = st && r.hash ? { blake3: r.hash, size: st.size, mtimeMs: st.mtimeMs, inode: st.inode, ...inPlace } : undefined;
  return { final, blake3: r.hash || null, note: r.note ?? null, ...(known ? { known } : {}) };
}

/**
 * Whether what is at DST (THERE) is already the item: a file with the same bytes (its BLAKE3
 * answered), the same symlink or a FIFO ('' answered); undefined when it is not.
 */
async function sameThere(it: FileOpItemRecord, st: LocalFacts, there: LocalFacts, signal: AbortSignal): Promise<string | undefined> {
  if (st.kind === 'file') {
    if (there.kind !== 'file' || there.size !== st.size) return undefined;
    const [a, b] = await Promise.all([fullBlake3(it.src, undefined, signal), fullBlake3(it.dst!, undefined, signal)]);
    return a.hash === b.hash ? a.hash : undefined;
  }
  if (st.kind === 'symlink') return there.kind === 'symlink' && sameSymlink(it.src, it.dst!) ? '' : undefined;
  if (st.kind === 'fifo') return there.kind === 'fifo' ? '' : undefined;
  return undefined;
}

/** What a source that is not a regular file is, in words; undefined for a regular file. */
function specialKind(st: LocalFacts): string | undefined {
  switch (st.kind) {
    case 'file': return undefined;
    case 'symlink': return 'a symlink';
    case 'fifo': return 'a FIFO';
    case 'socket': return 'a socket';
    case 'device': return 'a device file';
    case 'dir': return 'not a file';
  }
}
