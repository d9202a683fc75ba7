import type { Library } from '../library/library.js';
import { interpretXmpRaw, type XmpRawValues, type XmpSidecarMeta } from '../media/xmp/xmp-sidecar-read.js';
import type { XmpBase } from '../store/xmp-bases.js';
import type { UnstampedOp } from './shared-data.js';
import { LABELS_TAG, stampedAfter, xmpRatingOf, xmpTagPaths, type TagPaths } from './xmp-tags.js';

/** An XMP file as import reads it: its owned properties' items and what they say, and its mtime. */
export interface XmpFileNow {
  raw: XmpRawValues;
  meta: XmpSidecarMeta;
  mtimeMs: number;
}

/**
 * The operations that bring what an XMP sidecar says into CONTENTUUID's metadata, by a three-way
 * merge per field (issue 42, defect 5): BASE is what the file said when vss last read or wrote it,
 * FILE what it says now, vss's own state the third side. darktable, digiKam and Lightroom rewrite
 * the whole sidecar on any save (a history step, a crop), so a newer file is not a newer value:
 * - a field the file did not change since BASE is left as vss has it (vss's rating set since, a tag
 *   taken off since, stay);
 * - a field the file changed is taken: its rating (1–5; 0 or none clears; a reject, -1, is left to
 *   the tool that set it), each keyword path added (a tag put on) and removed (taken off), its colour
 *   label (one value: `Labels / NAME` put on, any other label taken off);
 * - where vss changed that field too after the file's last save (its stamp is after the file's
 *   mtime), the later write wins: vss's (docs/decisions.md). The file's mtime is all that says when
 *   its fields changed: a tool's change counts as made at its file's last save.
 * Without a BASE (a file never read since bases were kept), every value the file holds counts as
 * changed and nothing as removed: the newer write wins, as before.
 */
export function xmpImportOps(lib: Library, contentUuid: string, file: XmpFileNow, base: XmpBase | undefined, paths: TagPaths, ops: UnstampedOp[]): void {
  const was = base === undefined ? undefined : { raw: base, meta: interpretXmpRaw(base) };
  const now = lib.store.userMetadata.get(contentUuid);
  const rating = xmpRatingOf(file.raw, file.meta);
  const ratingChanged = was === undefined ? file.raw.rating[0] !== undefined : rating !== xmpRatingOf(was.raw, was.meta);
  if (ratingChanged && rating !== null && rating !== (now?.rating ?? 0) && !stampedAfter(now?.rating_hlc, file.mtimeMs)) {
    ops.push({ record: 'meta', id: contentUuid, set: { rating } });
  }

  const theirs = xmpTagPaths(file.meta);
  const before = was === undefined ? new Map<string, string[]>() : xmpTagPaths(was.meta);
  const rows = new Map(lib.store.metadataTags.ofContent(contentUuid).map((t) => [t.tag_uuid, t] as const));
  const has = new Set([...rows.values()].filter((t) => t.present === 1).map((t) => t.tag_uuid));
  for (const [k, p] of theirs) {
    if (before.has(k)) continue;
    const tag = paths.ensure(p);
    if (tag === undefined || has.has(tag)) continue;
    // Taken off in vss after the file was written: the later write wins.
    if (stampedAfter(rows.get(tag)?.hlc, file.mtimeMs)) continue;
    has.add(tag);
    ops.push({ record: 'tagging', id: tag, content: contentUuid, set: { present: true } });
  }
  for (const [k, p] of before) {
    if (theirs.has(k)) continue;
    const tag = paths.find(p);
    if (tag === undefined || !has.has(tag)) continue;
    // Put on in vss after the file was written: the later write wins.
    if (stampedAfter(rows.get(tag)?.hlc, file.mtimeMs)) continue;
    has.delete(tag);
    ops.push({ record: 'tagging', id: tag, content: contentUuid, set: { present: false } });
  }

  // The colour label: one value. Taken when the file changed it, unless vss put on or took off a
  // label after the file's last save; taken, it is the content's only `Labels / NAME`.
  const label = labelOf(file.meta);
  const labelChanged = was === undefined ? label !== null : label?.toLowerCase() !== labelOf(was.meta)?.toLowerCase();
  if (!labelChanged) return;
  const labels = paths.find([LABELS_TAG]);
  const vssLabels = labels === undefined ? [] : [...rows.values()].filter((r) => paths.parentOf(r.tag_uuid) === labels);
  if (vssLabels.some((r) => stampedAfter(r.hlc, file.mtimeMs))) return;
  const keep = label === null ? undefined : paths.ensure([LABELS_TAG, label]);
  if (label !== null && keep === undefined) return; // a name no tag may have: nothing to put on, so nothing taken off
  for (const r of vssLabels) {
    if (r.tag_uuid === keep || !has.has(r.tag_uuid)) continue;
    has.delete(r.tag_uuid);
    ops.push({ record: 'tagging', id: r.tag_uuid, content: contentUuid, set: { present: false } });
  }
  if (keep !== undefined && !has.has(keep)) {
    has.add(keep);
    ops.push({ record: 'tagging', id: keep, content: contentUuid, set: { present: true } });
  }
}

/** An XMP file's colour label, or null where it has none. */
function labelOf(meta: XmpSidecarMeta): string | null {
  return meta.label === undefined || meta.label === '' ? null : meta.label;
}
