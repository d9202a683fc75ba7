import { lstatSync, readdirSync, readFileSync, type BigIntStats } from 'node:fs';
import { basename } from 'node:path';
import { describeFsError, VssError } from '../core/errors.js';
import { childLog } from '../core/log.js';
import { createFileExclusive, replaceFileKeeping } from '../core/fs-atomic.js';
import type { Library } from '../library/library.js';
import { PathRefusedError } from '../library/confine.js';
import { XMP_PROPERTY_KEYS } from '../media/xmp/xmp-properties.js';
import { readXmpRaw } from '../media/xmp/xmp-sidecar-read.js';
import { newXmpSidecarName, xmpSidecarsOf } from '../media/xmp/xmp-sidecar-names.js';
import { writeXmpSidecar } from '../media/xmp/xmp-sidecar-write.js';
import { readXmpFile } from './xmp-file.js';
import { recordXmpRead, xmpChecksum, xmpReference } from './xmp-import.js';
import type { XmpBase, XmpBaseKey } from '../store/xmp-bases.js';
import { xmpBaseAfterWrite, xmpExportMeta, xmpTagIndex, type XmpFileState, type XmpTagIndex } from './xmp-tags.js';

const log = childLog('xmp');

/** Copies of one content written at most (a file kept in a hundred places is written in the first hundred). */
const MAX_COPIES = 100;

export interface XmpExportResult {
  /** XMP files rewritten, made anew, and already saying what vss would write. */
  written: string[];
  created: string[];
  unchanged: number;
  /** Files not written, each with why (not valid XMP, a folder outside the location, …). */
  problems: Array<{ path: string; reason: string }>;
}

/**
 * Write vss's rating, colour label and tags of CONTENTS (default: every content that has some)
 * into the XMP sidecars beside their copies on this device (DESIGN §16): each existing sidecar of
 * a copy is updated in place, changing only what vss has a newer say on (xmpExportMeta) and
 * keeping everything else; a copy with none gets `NAME.EXT.xmp`. Only inside this device's
 * locations; an original is never written; a sidecar that is not valid UTF-8 XMP, or is read-only,
 * is left as it is, with its reason; a file that already says it is not touched (exportOne).
 */
export async function exportXmp(lib: Library, contents?: readonly string[], opts: { locations?: ReadonlySet<number> } = {}): Promise<XmpExportResult> {
  const out: XmpExportResult = { written: [], created: [], unchanged: 0, problems: [] };
  const uuids = contents ?? lib.store.metadataTags.contentsWithMetadata();
  const tags = xmpTagIndex(lib);
  for (const uuid of uuids) {
    const content = lib.store.contents.byUuid(uuid);
    if (!content) continue;
    for (const copy of lib.store.entries.copiesOnDevice(content.id, lib.deviceId, MAX_COPIES)) {
      // LOCATIONS: the copies in those alone (the locations that keep their sidecars written back).
      if (opts.locations && !opts.locations.has(copy.location_id)) continue;
      const root = lib.roots.tryLocation(copy.location_id);
      if (root instanceof PathRefusedError) {
        out.problems.push({ path: copy.rel_path, reason: root.message });
        continue;
      }
      const slash = copy.rel_path.lastIndexOf('/');
      const dir = slash < 0 ? '' : copy.rel_path.slice(0, slash);
      const name = copy.rel_path.slice(slash + 1);
      const rel = (n: string) => (dir === '' ? n : `${dir}/${n}`);
      let siblings: string[];
      try {
        siblings = readdirSync(root.path(dir));
      } catch (err) {
        out.problems.push({ path: root.path(copy.rel_path), reason: describeFsError(err) });
        continue;
      }
      const sidecars = xmpSidecarsOf(name, siblings);
      for (const xmpName of sidecars.length > 0 ? sidecars : [newXmpSidecarName(name)]) {
        const path = root.path(rel(xmpName));
        try {
          root.regularFile(rel(xmpName));
          const key = { location_id: copy.location_id, rel_path: rel(xmpName), content_uuid: uuid };
          const done = await exportOne(lib, tags, uuid, path, key, sidecars.length > 0, () => lib.store.entries.fileAt(copy.location_id, rel(xmpName))?.id);
          if (done === 'unchanged') out.unchanged++;
          else (done === 'created' ? out.created : out.written).push(path);
        } catch (err) {
          out.problems.push({ path, reason: err instanceof Error ? err.message : String(err) });
        }
      }
    }
  }
  return out;
}

/** Times a sidecar is read and made again when another program changes it while vss works on it. */
const MAX_ATTEMPTS = 3;

/**
 * Bring one sidecar at PATH up to date (EXISTS: it was there when the folder was listed). The file is
 * read, its new text made, and it is replaced only if it is still what was read, checked just
 * before (replaceFileKeeping): an edit another tool saves meanwhile is read and kept in the next
 * attempt, never overwritten. A file made read-only (no write bit for anyone: its owner or a tool
 * protects it) is refused with its reason rather than replaced; its owner, mode and hard links are
 * kept. ENTRYID: the file's entry, when the index has one.
 */
async function exportOne(lib: Library, tags: XmpTagIndex, uuid: string, path: string, key: XmpBaseKey, exists: boolean, entryId: () => number | undefined): Promise<'written' | 'created' | 'unchanged'> {
  /** The file as the first attempt read it: a value another program's save left as it was is as old as it was then. */
  let first: XmpFileState | undefined;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    if (!exists) {
      const text = writeXmpSidecar(undefined, xmpExportMeta(lib, uuid, undefined, tags));
      if (createFileExclusive(path, text)) {
        keepBase(lib, tags, key, text, undefined);
        return 'created';
      }
      exists = true; // another program made it meanwhile: update theirs
      continue;
    }
    const got = await readXmpFile(path);
    if (!got.ok) throw new VssError('IO', `${basename(path)}: ${got.reason}; not rewritten`, { path });
    const { bytes, text: existing, stat } = got.value;
    const raw = readXmpRaw(existing);
    let state: XmpFileState | undefined;
    const base = lib.store.xmpBases.get(key);
    if (raw.ok) {
      state = { raw: raw.raw, mtimeMs: Number(stat.mtimeMs), ...(base !== undefined && { base }) };
      const was = first;
      if (was) state.since = Object.fromEntries(XMP_PROPERTY_KEYS.filter((k) => sameList(raw.raw[k], was.raw[k])).map((k) => [k, was.since?.[k] ?? was.mtimeMs]));
      first ??= state;
    }
    const text = writeXmpSidecar(existing, xmpExportMeta(lib, uuid, state, tags));
    if (text === existing) return 'unchanged';
    if ((Number(stat.mode) & 0o222) === 0) {
      throw new VssError('IO', `${basename(path)} is read-only (mode ${(Number(stat.mode) & 0o777).toString(8).padStart(4, '0')}): its owner or another tool protects it; not rewritten (make it writable to let vss update it)`, { path });
    }
    const known = isKnownReference(lib, uuid, path, bytes) ? entryId() : undefined;
    const replaced = replaceFileKeeping(path, text, stat, () => unchangedSince(path, stat, bytes));
    if (!replaced) continue;
    // What vss wrote itself is not news: the sidecar's record says these bytes, so the watcher's
    // read of them finds nothing changed. Only when vss had read all the file said before (else
    // another tool's change, kept in the text, must still be read in). The file's base, in the
    // same commit, says what vss wrote and what it has not read yet (xmpBaseAfterWrite).
    keepBase(lib, tags, key, text, base, known === undefined ? undefined : () => recordXmpRead(lib, uuid, known, Buffer.from(text, 'utf8')));
    return 'written';
  }
  throw new VssError('IO', `${basename(path)} was changed by another program each of the ${MAX_ATTEMPTS} times vss made its new text; not rewritten (run xmp export again once that program is done)`, { path });
}

/**
 * Record the base of the file vss just wrote as TEXT (and, with RECORD, that it was read), in one
 * commit. A failure is not the export's: the file is written, and without its new base the next
 * read finds vss's own values as changes, which the stamps keep from undoing anything newer
 * (xmpImportOps).
 */
function keepBase(lib: Library, tags: XmpTagIndex, key: XmpBaseKey, text: string, old: XmpBase | undefined, record?: () => void): void {
  const raw = readXmpRaw(text);
  try {
    lib.store.immediate(() => {
      if (raw.ok) lib.store.xmpBases.put(key, xmpBaseAfterWrite(lib, key.content_uuid, raw.raw, old, tags));
      record?.();
    });
  } catch (err) {
    log.warn({ err, path: key.rel_path, location: key.location_id }, 'an XMP sidecar was written, but its base (or its record) was not kept');
  }
}

/** Whether PATH is CONTENT's recorded xmp sidecar and BYTES are what its record says was read. */
function isKnownReference(lib: Library, uuid: string, path: string, bytes: Buffer): boolean {
  const info = xmpReference(lib, uuid);
  return info?.status === 'ready' && info.path === path && info.checksum === xmpChecksum(bytes);
}

/** Whether the file at PATH is still the one read (same inode, size, times) with the same BYTES. */
function unchangedSince(path: string, was: BigIntStats, bytes: Buffer): boolean {
  let now: BigIntStats;
  try {
    now = lstatSync(path, { bigint: true });
  } catch {
    return false;
  }
  if (now.ino !== was.ino || now.dev !== was.dev || now.size !== was.size || now.mtimeNs !== was.mtimeNs || now.ctimeNs !== was.ctimeNs) return false;
  // Times a coarse filesystem (FAT: 2 s) may not move: the bytes decide.
  try {
    return readFileSync(path).equals(bytes);
  } catch {
    return false;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
