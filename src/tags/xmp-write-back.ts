import { childLog } from '../core/log.js';
import type { Library } from '../library/library.js';
import { checkOp } from './shared-op.js';
import { exportXmp, type XmpExportResult } from './xmp-export.js';

const log = childLog('xmp');

/** Where the write-back has read the shared-data log up to (sync_meta). */
const CURSOR_KEY = 'xmp_write_back_seq';
/** Changes gathered this long before a pass writes them (a burst of taggings is one pass). */
const SETTLE_MS = 300;
/** Operations read from the log at once (a pass reads them page by page, to the end). */
const PAGE = 4096;
/** Contents a tag's rename or removal rewrites at most in one pass. */
const MAX_TAG_CONTENTS = 10_000;

/**
 * Keep the XMP sidecars of the locations that ask for it written back (issue 59 item 6, `vss xmp
 * write-back on LOCATION`): each change of shared data — made here or taken in from another device
 * — is read from the shared-data log after a cursor, the contents it touches (a tagging's, a
 * rating's or note's, every content of a tag renamed or removed) found, and their files' sidecars
 * in those locations written by `exportXmp`'s three-way merge, which changes only vss's own fields.
 * Started with the daemon's services (a change made while none ran is written at its next start:
 * the cursor says where it was). ONPROBLEM hears what could not be written.
 */
export function keepXmpWrittenBack(lib: Library, onProblem: (err: unknown) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const pass = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await writeBackOnce(lib).catch(onProblem);
      } while (again && !stopped);
    })().finally(() => { running = undefined; });
    return running;
  };
  const soon = () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void pass(), SETTLE_MS);
    timer.unref();
  };
  const offs = [
    lib.events.on('shared:changed', soon),
    // A drive back: what its locations missed while it was away is written now.
    lib.events.on('locations:changed', (e) => { if (e.change === 'online') soon(); }),
  ];
  soon();
  return () => {
    stopped = true;
    clearTimeout(timer);
    for (const off of offs) off();
  };
}

/** One pass: the log read from the cursor on, what it touched written back; the cursor moved past it. */
export async function writeBackOnce(lib: Library): Promise<XmpExportResult | undefined> {
  const asked = lib.store.locations.xmpWriteBackOf(lib.deviceId);
  // None asks: nothing to read (the cursor starts from the log as it is when one is turned on).
  if (asked.length === 0) return undefined;
  // A location whose drive is away is written nothing (its empty mount point is no folder of it):
  // the cursor then stays, and the next pass, once it is back, writes what it missed.
  const locations = new Set(asked.filter((id) => lib.store.locations.byId(id)?.online === 1));
  const allThere = locations.size === asked.length;
  let seq = Number(lib.store.syncMeta.get(CURSOR_KEY) ?? '0');
  // The log kept 30 days (shared-log.ts) went past the cursor (a drive away that long): which
  // changes it missed is no longer known, so every content with user data is written back.
  const oldest = lib.store.sharedOps.oldest();
  const head = lib.store.sharedOps.head();
  const missed = (oldest ?? head + 1) > seq + 1 && head > seq;
  const contents = new Set<string>();
  for (;;) {
    const rows = lib.store.sharedOps.since(seq, PAGE);
    for (const r of rows) {
      const op = checkOp(JSON.parse(r.op) as unknown);
      if ('refused' in op) continue;
      if (op.record === 'tagging') contents.add(op.content);
      else if (op.record === 'meta') contents.add(op.id);
      else if (op.record === 'tag') for (const c of lib.store.metadataTags.contentsOf(op.id).slice(0, MAX_TAG_CONTENTS)) contents.add(c);
    }
    if (rows.length === 0) break;
    seq = rows.at(-1)!.seq;
    if (rows.length < PAGE) break;
  }
  // Written whole: caught up to the log as it was when this pass began.
  if (missed) seq = Math.max(seq, head);
  const moved = () => {
    if (allThere) lib.store.syncMeta.set(CURSOR_KEY, String(seq));
  };
  if (locations.size === 0 || (contents.size === 0 && !missed)) {
    moved();
    return undefined;
  }
  const out = await exportXmp(lib, missed ? undefined : [...contents], { locations });
  moved();
  if (out.written.length + out.created.length > 0 || out.problems.length > 0) log.info({ written: out.written.length, created: out.created.length, problems: out.problems.slice(0, 5) }, 'XMP sidecars written back');
  return out;
}

/** Turn LOCATIONID's write-back on or off; turned on, it starts from the log as it is now (what came before is `vss xmp export`'s). */
export function setXmpWriteBack(lib: Library, locationId: number, on: boolean): void {
  lib.store.immediate(() => {
    const wasOn = lib.store.locations.xmpWriteBackOf(lib.deviceId).length > 0;
    lib.store.locations.setXmpWriteBack(locationId, on);
    if (on && !wasOn) lib.store.syncMeta.set(CURSOR_KEY, String(lib.store.sharedOps.head()));
  });
}
