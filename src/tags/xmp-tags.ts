import { v5 as uuidv5 } from 'uuid';
import { parseStamp } from '../core/hlc.js';
import type { Library } from '../library/library.js';
import { XMP_PROPERTIES, type XmpPropertyKey } from '../media/xmp/xmp-properties.js';
import { splitPath, type XmpRawValues, type XmpSidecarMeta } from '../media/xmp/xmp-sidecar-read.js';
import type { XmpSidecarWrite } from '../media/xmp/xmp-sidecar-write.js';
import type { TagRecord } from '../store/tags.js';
import type { UnstampedOp } from './shared-data.js';
import { tagNameProblem } from './shared-op.js';
import { effectiveParents } from './tag-tree.js';

/** UUIDv5 namespace of the tags XMP keywords make: two devices reading the same keyword make the same tag (DESIGN §16). */
const XMP_TAG_NAMESPACE = '6f1b7b4e-2d0c-5b8e-9a51-3c7a0f1d9e42';
/** The tag an XMP colour label becomes a child of (`Labels / Red`), and is written back from. */
export const LABELS_TAG = 'Labels';

/**
 * Tags by their path of names, as XMP keywords name them: a path that names tags already here
 * (any case, each under the one before) uses them; the rest are made with ids every device derives
 * alike from the path, so one keyword read on two devices is one tag.
 */
export class TagPaths {
  private readonly live = new Map<string, string>();

  constructor(lib: Library, private readonly ops: UnstampedOp[]) {
    const parents = effectiveParents(lib.store.tags.parents());
    for (const t of lib.store.tags.live()) this.live.set(key(parents.get(t.uuid) ?? null, t.name), t.uuid);
  }

  /** The tag at PATH, made (with its missing ancestors, as operations added to the list) when there is none; undefined for a path with a name no tag may have. */
  ensure(path: readonly string[]): string | undefined {
    let parent: string | null = null;
    for (let i = 0; i < path.length; i++) {
      const name = path[i]!;
      if (tagNameProblem(name)) return undefined;
      const k = key(parent, name);
      let uuid = this.live.get(k);
      if (uuid === undefined) {
        uuid = xmpTagId(path.slice(0, i + 1));
        this.ops.push({ record: 'tag', id: uuid, set: { name, color: null, parent } });
        this.live.set(k, uuid);
      }
      parent = uuid;
    }
    return parent ?? undefined;
  }
}

function key(parent: string | null, name: string): string {
  return `${parent ?? ''}/${name.toLowerCase()}`;
}

/** The id a keyword path read from XMP makes its tag with: one keyword is one tag on every device. */
function xmpTagId(path: readonly string[]): string {
  return uuidv5(path.map((p) => p.toLowerCase()).join('\u001f'), XMP_TAG_NAMESPACE);
}

/** Whether STAMP (a shared-data stamp) was made after the wall-clock time MS (a file's mtime). */
function stampedAfter(stamp: string | undefined, ms: number): boolean {
  const s = stamp ? parseStamp(stamp) : undefined;
  return s !== undefined && s.ms > ms;
}

/**
 * The operations that bring what an XMP sidecar says into CONTENTUUID's metadata: its rating (1–5;
 * 0 clears; a reject, -1, is left to the tool that set it), its colour label as `Labels / NAME`, its
 * hierarchical keywords as tag paths and its other keywords as top-level tags. Only additions and
 * changes: a tag the content carries that the file does not name is kept.
 *
 * The newer wins, as between devices: a value is taken only when the file was written (FILEMTIMEMS)
 * after vss last changed that field here. So a file vss exported, read again by the watcher after
 * the user changed the rating or took a tag off, does not bring the old value back; an edit another
 * tool makes later does come in.
 */
export function xmpImportOps(lib: Library, contentUuid: string, meta: XmpSidecarMeta, paths: TagPaths, ops: UnstampedOp[], fileMtimeMs: number): void {
  const now = lib.store.userMetadata.get(contentUuid);
  const r = meta.rating;
  if (r?.inRange && r.value >= 0 && r.value !== (now?.rating ?? 0) && !stampedAfter(now?.rating_hlc, fileMtimeMs)) {
    ops.push({ record: 'meta', id: contentUuid, set: { rating: r.value } });
  }
  const tagPaths: string[][] = [...meta.hierarchical];
  const leaves = new Set(meta.hierarchical.map((p) => p.at(-1)!.toLowerCase()));
  for (const k of meta.keywords) if (!leaves.has(k.toLowerCase())) tagPaths.push([k]);
  if (meta.label !== undefined && meta.label !== '') tagPaths.push([LABELS_TAG, meta.label]);
  const rows = new Map(lib.store.metadataTags.ofContent(contentUuid).map((t) => [t.tag_uuid, t] as const));
  const has = new Set([...rows.values()].filter((t) => t.present === 1).map((t) => t.tag_uuid));
  for (const p of tagPaths) {
    const tag = paths.ensure(p);
    if (tag === undefined || has.has(tag)) continue;
    // Taken off in vss after the file was written: the file's old keyword does not put it back.
    if (stampedAfter(rows.get(tag)?.hlc, fileMtimeMs)) continue;
    has.add(tag);
    ops.push({ record: 'tagging', id: tag, content: contentUuid, set: { present: true } });
  }
}

/** An existing sidecar as export read it: its owned properties' items, and when it was last written. */
export interface XmpFileState {
  raw: XmpRawValues;
  mtimeMs: number;
  /**
   * When a property's value was written, where it is known to be older than MTIMEMS: a file read
   * again after another program saved it while vss worked on it, where this property's value did
   * not change (its save was about something else).
   */
  since?: Partial<Record<XmpPropertyKey, number>>;
}

/**
 * What vss would write into CONTENTUUID's XMP sidecar (DESIGN §16). For a new file: its rating, its
 * `Labels / NAME` tag as the colour label, every other tag as a keyword (its name) and, when it
 * sits under another tag, as a hierarchical keyword (its path, in both Lightroom's and digiKam's
 * form).
 *
 * For an existing FILE, vss changes only what it has a newer say on; every other item stays as the
 * file has it, in its place:
 * - a keyword item (dc:subject, lr:hierarchicalSubject, digiKam:TagsList; one-level paths too) is
 *   removed only when it names a tag vss took off this content, or deleted, after the file was last
 *   written; anything else (a keyword vss never made a tag of, another tool's newer addition,
 *   darktable's own tags) stays;
 * - a tag the content carries that the file does not name is added;
 * - the rating is written when vss changed it after the file was written (a rating vss never set,
 *   or one the file changed since, stays; a reject, -1, stays unless vss rates the photo); the label
 *   likewise, by its `Labels / NAME` tag.
 */
export function xmpExportMeta(lib: Library, contentUuid: string, file?: XmpFileState, tags: XmpTagIndex = xmpTagIndex(lib)): XmpSidecarWrite {
  const m = lib.store.userMetadata.get(contentUuid);
  const { byUuid, pathOf, byPath, byName } = tags;
  const rows = new Map(lib.store.metadataTags.ofContent(contentUuid).map((t) => [t.tag_uuid, t] as const));
  const carried = new Set([...rows.values()].filter((t) => t.present === 1 && byUuid.get(t.tag_uuid)?.deleted === 0).map((t) => t.tag_uuid));

  let label: string | null = null;
  const keywords: string[] = [];
  const hierarchical: string[][] = [];
  for (const t of [...carried].map(pathOf).sort((a, b) => a.join('|').localeCompare(b.join('|')))) {
    if (t.length === 2 && t[0] === LABELS_TAG) {
      label ??= t[1]!;
      continue;
    }
    if (!keywords.includes(t.at(-1)!)) keywords.push(t.at(-1)!);
    if (t.length > 1) hierarchical.push(t);
  }
  if (!file) {
    const rating = (m?.rating ?? 0) > 0 ? m!.rating : null;
    return { rating, label, keywords, hierarchical };
  }

  const since = (key: XmpPropertyKey) => file.since?.[key] ?? file.mtimeMs;
  const takenOff = (uuid: string, key: XmpPropertyKey) => {
    const t = byUuid.get(uuid);
    const row = rows.get(uuid);
    return (row?.present === 0 && stampedAfter(row.hlc, since(key))) || (t?.deleted === 1 && stampedAfter(t.deleted_hlc, since(key)));
  };
  /** An item of KEY naming CANDIDATES is vss's to remove when none of them is carried and one was taken off after the file's value was written. */
  const removed = (candidates: readonly string[], key: XmpPropertyKey) => !candidates.some((u) => carried.has(u)) && candidates.some((u) => takenOff(u, key));
  const pathTags = (parts: string[]) => [...(byPath.get(keyOf(parts)) ?? []), xmpTagId(parts)];
  const nameTags = (k: string) => [...(byName.get(k.toLowerCase()) ?? []), xmpTagId([k])];

  // A tag the file already names, in any of its keyword properties, is left as the file names it
  // (a Lightroom file does not get digiKam's form of its own keywords); one it does not name is added.
  const named = new Set<string>();
  for (const k of file.raw.subject) for (const u of nameTags(k)) named.add(u);
  for (const key of ['lrHierarchy', 'digikamTags'] as const) {
    for (const item of file.raw[key]) for (const u of pathTags(splitPath(item, XMP_PROPERTIES[key].separator))) named.add(u);
  }
  const added = [...carried].filter((u) => !named.has(u)).map(pathOf).filter((p) => !(p.length === 2 && p[0] === LABELS_TAG));

  const subject = file.raw.subject.filter((k) => !removed(nameTags(k), 'subject'));
  for (const p of added) if (!subject.some((s) => s.toLowerCase() === p.at(-1)!.toLowerCase())) subject.push(p.at(-1)!);
  const pathItems = (key: 'lrHierarchy' | 'digikamTags') => {
    const sep = XMP_PROPERTIES[key].separator;
    const kept = file.raw[key].filter((item) => !removed(pathTags(splitPath(item, sep)), key));
    const have = new Set(kept.map((item) => keyOf(splitPath(item, sep))));
    // A path with a part holding this form's separator cannot be written in it (Lightroom's 'Music|AC/DC' has no digiKam form).
    for (const p of added) if (p.length > 1 && !p.some((part) => part.includes(sep)) && !have.has(keyOf(p))) kept.push(p.join(sep));
    return kept;
  };

  const fileRating = file.raw.rating[0];
  const vssRatingNewer = m !== undefined && stampedAfter(m.rating_hlc, since('rating'));
  const rating = !vssRatingNewer ? undefined : m.rating > 0 ? m.rating : fileRating?.trim() === '-1' ? undefined : null;

  let fileLabel: string | null | undefined;
  const fl = file.raw.label[0];
  if (fl === undefined) fileLabel = label ?? undefined;
  else if (removed(pathTags([LABELS_TAG, fl]), 'label')) fileLabel = label;
  else fileLabel = undefined;

  // The file's lists are ITEMS: a path neither form can hold is left out, not a refusal of the file.
  return {
    ...(rating !== undefined ? { rating } : {}),
    ...(fileLabel !== undefined ? { label: fileLabel } : {}),
    keywords: [],
    hierarchical: [],
    items: { subject, lrHierarchy: pathItems('lrHierarchy'), digikamTags: pathItems('digikamTags') },
  };
}

/** Every tag with a name (deleted ones too), by id, by path and by name: what export resolves a file's keywords with. */
export interface XmpTagIndex {
  byUuid: Map<string, TagRecord>;
  pathOf: (uuid: string) => string[];
  /** By the path's names in lower case, joined (keyOf). */
  byPath: Map<string, string[]>;
  /** By the name in lower case. */
  byName: Map<string, string[]>;
}

/** The tags as they are now (one index serves a whole export). */
export function xmpTagIndex(lib: Library): XmpTagIndex {
  const all = lib.store.tags.all().filter((t) => t.name_hlc !== '');
  const parents = effectiveParents(lib.store.tags.parents());
  const byUuid = new Map(all.map((t) => [t.uuid, t] as const));
  const pathOf = (uuid: string): string[] => {
    const out: string[] = [];
    for (let at: string | null | undefined = uuid, n = 0; at != null && n <= parents.size; at = parents.get(at), n++) out.unshift(byUuid.get(at)?.name ?? '');
    return out;
  };
  const byPath = new Map<string, string[]>();
  const byName = new Map<string, string[]>();
  for (const t of all) {
    const k = keyOf(pathOf(t.uuid));
    byPath.set(k, [...(byPath.get(k) ?? []), t.uuid]);
    const n = t.name.toLowerCase();
    byName.set(n, [...(byName.get(n) ?? []), t.uuid]);
  }
  return { byUuid, pathOf, byPath, byName };
}

/** A tag path as a key: its names in lower case (tags match by name in any case). */
function keyOf(parts: readonly string[]): string {
  return parts.map((p) => p.toLowerCase()).join('\u001f');
}
