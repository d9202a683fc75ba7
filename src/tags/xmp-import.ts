import { blake3 } from '@napi-rs/blake-hash';
import { crashPoint } from '../core/crash-point.js';
import type { Library } from '../library/library.js';
import { MAX_XMP_SIDECAR_BYTES, readXmpSidecar } from '../media/xmp/xmp-sidecar-read.js';
import { readXmpFile } from './xmp-file.js';
import { xmpSidecarsByOriginal } from '../media/xmp/xmp-sidecar-names.js';
import { sidecarAddress } from '../sidecars/address.js';
import type { Finder } from '../sidecars/finder.js';
import { SidecarManager } from '../sidecars/manager.js';
import { SharedData, type UnstampedOp } from './shared-data.js';
import type { XmpBase, XmpBaseKey } from '../store/xmp-bases.js';
import { xmpImportOps } from './xmp-import-merge.js';
import { TagPaths } from './xmp-tags.js';

const KIND = 'xmp';
const VARIANT = 'original';
/** The crash point between a folder's sidecar records and the operations from what they say (one transaction). */
const RECORDED = 'xmp-import:recorded';

/** The checksum a sidecar's record keeps of the bytes last read (or written) by vss. */
export function xmpChecksum(bytes: Buffer): string {
  return blake3(bytes).toString('hex');
}

/** CONTENTUUID's recorded XMP sidecar (the file vss reads its metadata from), if any. */
export function xmpReference(lib: Library, contentUuid: string): ReturnType<SidecarManager['get']> {
  return new SidecarManager(lib).get(sidecarAddress(contentUuid, KIND, VARIANT, 'xmp'));
}

/** Record BYTES as what CONTENTUUID's XMP sidecar (the file of entry ENTRYID) says, as read by vss: it is not read again until it changes. */
export function recordXmpRead(lib: Library, contentUuid: string, entryId: number, bytes: Buffer): void {
  new SidecarManager(lib).createReferenceSidecar({ contentUuid, kind: KIND, variant: VARIANT, format: 'xmp', sourceEntryId: entryId, size: bytes.length, checksum: xmpChecksum(bytes) });
}

/** The indexer's finder of the XMP files other photo tools keep beside the originals (`xmp/original`). */
export const xmpFinder: Finder<typeof KIND> = { kind: KIND, find: linkXmpSidecars };

export interface LinkXmpInput {
  lib: Library;
  locationId: number;
  onSkip: (path: string, reason: string) => void;
  /** Look only in the folders whose listing changed after this change number (the location's finders cursor); absent: every folder. */
  changedSince?: number;
}

/**
 * Record the XMP sidecar files of a deep location (`IMG_1.JPG.xmp`, `IMG_1.xmp`: DESIGN §16) as
 * `ready` reference sidecars (`xmp/original`) of their original's content, and bring what a new or
 * changed one says into the content's tags and metadata (shared data: every paired device gets it),
 * only the fields it changed since vss last read or wrote it (xmpImportOps; its base kept per file).
 * The file stays where it is, with its own entry; one that is unchanged since it was read is not
 * read again, and one that is not valid XMP is skipped with its reason (nothing else is lost).
 * With `changedSince`, only folders whose listing changed since are looked at: a sidecar another
 * tool rewrote changes its folder's listing (size, time), so an unchanged folder is not read.
 * A content with XMP files beside several of its copies takes the one recorded first.
 * Returns how many contents have an XMP sidecar recorded, and how many were read this time.
 */
export async function linkXmpSidecars(input: LinkXmpInput): Promise<{ xmp: number; read: number }> {
  const { lib, locationId } = input;
  const folders = lib.store.entries.foldersWithXmp(locationId, input.changedSince);
  if (folders.length === 0) return { xmp: 0, read: 0 };
  const root = lib.roots.location(locationId);
  const manager = new SidecarManager(lib);
  let linked = 0;
  let read = 0;
  for (const folder of folders) {
    const files = lib.store.entries.filesWithContentIn(folder);
    const byName = new Map(files.map((f) => [f.name, f] as const));
    const ops: UnstampedOp[] = [];
    const paths = new TagPaths(lib, ops);
    const records: Array<Parameters<SidecarManager['createReferenceSidecar']>[0]> = [];
    const bases: Array<{ key: XmpBaseKey; base: XmpBase }> = [];
    for (const [original, sidecars] of xmpSidecarsByOriginal(files.map((f) => f.name))) {
      const o = byName.get(original);
      const x = byName.get(sidecars[0]!);
      if (!o?.content_uuid || !x) continue;
      const a = sidecarAddress(o.content_uuid, KIND, VARIANT, 'xmp');
      const info = manager.get(a);
      const here = root.path(x.rel_path);
      // Another copy's XMP file is the content's while it is recorded and ready.
      if (info?.source === 'reference' && info.status === 'ready' && info.path !== undefined && info.path !== null && info.path !== here) {
        linked++;
        continue;
      }
      if (x.size > MAX_XMP_SIDECAR_BYTES) {
        input.onSkip(x.rel_path, `XMP sidecar not read: ${x.size} bytes, more than the ${MAX_XMP_SIDECAR_BYTES} an XMP file may have`);
        continue;
      }
      const bytes = await readXmpFile(root.inFolder(x.rel_path));
      if (!bytes.ok) {
        input.onSkip(x.rel_path, `XMP sidecar not read: ${bytes.reason}`);
        continue;
      }
      const checksum = xmpChecksum(bytes.value.bytes);
      linked++;
      if (info?.status === 'ready' && info.path === here && info.checksum === checksum) continue;
      const meta = readXmpSidecar(bytes.value.text);
      if (!meta.ok) {
        input.onSkip(x.rel_path, `XMP sidecar not read: ${meta.reason}`);
        linked--;
        continue;
      }
      read++;
      const key = { location_id: locationId, rel_path: x.rel_path, content_uuid: o.content_uuid };
      xmpImportOps(lib, o.content_uuid, { raw: meta.raw, meta: meta.meta, mtimeMs: Number(bytes.value.stat.mtimeMs) }, lib.store.xmpBases.get(key), paths, ops);
      bases.push({ key, base: meta.raw });
      records.push({ contentUuid: o.content_uuid, kind: KIND, variant: VARIANT, format: 'xmp', sourceEntryId: x.id, size: bytes.value.bytes.length, checksum });
    }
    // A folder's references, what its files say and their new bases, in one commit: a record says
    // its file was read, so it must never land without what the file said (the next scan would
    // skip the file), and a base says what was taken in from the file.
    if (records.length > 0 || ops.length > 0) {
      lib.store.immediate(() => {
        for (const r of records) manager.createReferenceSidecar(r);
        for (const b of bases) lib.store.xmpBases.put(b.key, b.base);
        crashPoint(RECORDED);
        new SharedData(lib).commit(ops);
      });
    }
  }
  return { xmp: linked, read };
}
