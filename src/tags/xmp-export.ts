import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { describeFsError, VssError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs-atomic.js';
import type { Library } from '../library/library.js';
import { PathRefusedError } from '../library/confine.js';
import { readXmpSidecar } from '../media/xmp/xmp-sidecar-read.js';
import { newXmpSidecarName, xmpSidecarsOf } from '../media/xmp/xmp-sidecar-names.js';
import { writeXmpSidecar } from '../media/xmp/xmp-sidecar-write.js';
import { readXmpFile } from './xmp-file.js';
import { xmpExportMeta } from './xmp-tags.js';

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
 * a copy is updated in place, keeping everything vss does not own; a copy with none gets
 * `NAME.EXT.xmp`. Only inside this device's locations; an original is never written; a sidecar
 * that is not valid XMP is left as it is, with its reason; a file that already says it is not
 * touched.
 */
export async function exportXmp(lib: Library, contents?: readonly string[]): Promise<XmpExportResult> {
  const out: XmpExportResult = { written: [], created: [], unchanged: 0, problems: [] };
  const uuids = contents ?? lib.store.metadataTags.contentsWithMetadata();
  for (const uuid of uuids) {
    const content = lib.store.contents.byUuid(uuid);
    if (!content) continue;
    for (const copy of lib.store.entries.copiesOnDevice(content.id, lib.deviceId, MAX_COPIES)) {
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
          const existing = sidecars.length > 0 ? await readText(path) : undefined;
          const fileRating = existing === undefined ? undefined : (() => {
            const r = readXmpSidecar(existing);
            return r.ok ? r.meta.rating?.value : undefined;
          })();
          const text = writeXmpSidecar(existing, xmpExportMeta(lib, uuid, fileRating));
          if (text === existing) {
            out.unchanged++;
            continue;
          }
          await writeFileAtomic(path, text);
          (existing === undefined ? out.created : out.written).push(path);
        } catch (err) {
          out.problems.push({ path, reason: err instanceof Error ? err.message : String(err) });
        }
      }
    }
  }
  return out;
}

/** The text of the XMP file at PATH (not through a symlink), within the size an XMP file may have. */
async function readText(path: string): Promise<string> {
  const got = await readXmpFile(path);
  if (!got.ok) throw new VssError('IO', `${basename(path)}: ${got.reason}; not rewritten`, { path });
  return got.value.toString('utf8');
}
