import { v5 as uuidv5 } from 'uuid';
import { parseStamp } from '../core/hlc.js';
import type { Library } from '../library/library.js';
import { XMP_PROPERTIES, type XmpPropertyKey } from '../media/xmp/xmp-properties.js';
import { interpretXmpRaw, splitPath, type XmpRawValues, type XmpSidecarMeta } from '../media/xmp/xmp-sidecar-read.js';
import type { XmpSidecarWrite } from '../media/xmp/xmp-sidecar-write.js';
import type { TagRecord } from '../store/tags.js';
import type { XmpBase } from '../store/xmp-bases.js';
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
  private readonly parents: Map<string, string | null>;

  constructor(lib: Library, private readonly ops: UnstampedOp[]) {
    this.parents = effectiveParents(lib.store.tags.parents());
    for (const t of lib.store.tags.live()) this.live.set(key(this.parents.get(t.uuid) ?? null, t.name), t.uuid);
  }

  /** The parent of the tag UUID (null at the top), as the tree says now. */
  parentOf(uuid: string): string | null {
    return this.parents.get(uuid) ?? null;
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
        this.parents.set(uuid, parent);
      }
      parent = uuid;
    }
    return parent ?? undefined;
  }

  /** The live tag at PATH, if there is one (nothing is made). */
  find(path: readonly string[]): string | undefined {
    let parent: string | null = null;
    for (const name of path) {
      const uuid = this.live.get(key(parent, name));
      if (uuid === undefined) return undefined;
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
export function stampedAfter(stamp: string | undefined, ms: number): boolean {
  const s = stamp ? parseStamp(stamp) : undefined;
  return s !== undefined && s.ms > ms;
}

/**
 * The rating an XMP file's RAW items (as META reads them) give vss: 0 where it has none, 1–5; null
 * for one vss leaves to the tool that wrote it (a reject, -1, or a value out of range or not a number).
 */
export function xmpRatingOf(raw: XmpRawValues, meta: XmpSidecarMeta): number | null {
  if (raw.rating[0] === undefined) return 0;
  return meta.rating?.inRange && meta.rating.value >= 0 ? meta.rating.value : null;
}

/**
 * The tag paths an XMP file's keywords name, by key (keyOf): its hierarchical keywords, its other
 * keywords as top-level tags (a keyword that is the last part of a path is that path). In file
 * order. (Its colour label, one value, is a field of its own: `Labels / NAME`.)
 */
export function xmpTagPaths(meta: XmpSidecarMeta): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const put = (p: string[]) => {
    if (!out.has(keyOf(p))) out.set(keyOf(p), p);
  };
  for (const p of meta.hierarchical) put(p);
  const leaves = new Set(meta.hierarchical.map((p) => p.at(-1)!.toLowerCase()));
  for (const k of meta.keywords) if (!leaves.has(k.toLowerCase())) put([k]);
  return out;
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
  /** What the file said when vss last read or wrote it (XmpBaseStore); absent: never since bases were kept. */
  base?: XmpBase;
}

/**
 * What vss would write into CONTENTUUID's XMP sidecar (DESIGN §16). For a new file: its rating, its
 * `Labels / NAME` tag as the colour label, every other tag as a keyword (its name) and, when it
 * sits under another tag, as a hierarchical keyword (its path, in both Lightroom's and digiKam's
 * form).
 *
 * For an existing FILE, vss changes only what it has a newer say on; every other item stays as the
 * file has it, in its place. A value the file still holds as it did when vss last read or wrote it
 * (its base) is not the tool's: vss's change of it counts, however recent the file's save (darktable
 * rewrites the whole file for a history step). Otherwise the later write wins:
 * - a keyword item (dc:subject, lr:hierarchicalSubject, digiKam:TagsList; one-level paths too) is
 *   removed only when it names a tag vss took off this content, or deleted, after the file was last
 *   written, or at any time for an item the file held at its base; anything else (a keyword vss
 *   never made a tag of, another tool's newer addition, darktable's own tags) stays;
 * - a tag the content carries that the file does not name is added, unless the file held it at its
 *   base and the tool took it off since (vss's import takes that off, unless vss put it on later);
 * - the rating is written when vss changed it after the file was written, or the file's rating is
 *   its base's (a rating vss never set, or one the file changed since, stays; a reject, -1, stays
 *   unless vss rates the photo); the label likewise, by its `Labels / NAME` tag.
 */
export function xmpExportMeta(lib: Library, contentUuid: string, file?: XmpFileState, tags: XmpTagIndex = xmpTagIndex(lib)): XmpSidecarWrite {
  const m = lib.store.userMetadata.get(contentUuid);
  const { byUuid, pathOf } = tags;
  const rows = new Map(lib.store.metadataTags.ofContent(contentUuid).map((t) => [t.tag_uuid, t] as const));
  const carried = carriedTags(lib, contentUuid, tags);
  const { label, keywords, hierarchical } = vssKeywords(carried, tags);
  if (!file) {
    const rating = (m?.rating ?? 0) > 0 ? m!.rating : null;
    return { rating, label, keywords, hierarchical };
  }

  const base = file.base;
  /** Whether the file holds ITEM of KEY as it did at its base: vss's every change of it is newer. */
  const atBase = (key: XmpPropertyKey, item: string) => base !== undefined && base[key].includes(item);
  const since = (key: XmpPropertyKey) => file.since?.[key] ?? file.mtimeMs;
  const takenOff = (uuid: string, after: number) => {
    const t = byUuid.get(uuid);
    const row = rows.get(uuid);
    return (row?.present === 0 && stampedAfter(row.hlc, after)) || (t?.deleted === 1 && stampedAfter(t.deleted_hlc, after));
  };
  /** ITEM of KEY, naming CANDIDATES, is vss's to remove when none of them is carried and one was taken off after the file's value was written. */
  const removed = (candidates: readonly string[], key: XmpPropertyKey, item: string) =>
    !candidates.some((u) => carried.has(u)) && candidates.some((u) => takenOff(u, atBase(key, item) ? -Infinity : since(key)));
  const pathTags = (parts: string[]) => xmpPathTags(parts, tags);
  const nameTags = (k: string) => xmpNameTags(k, tags);

  // A tag the file already names, in any of its keyword properties, is left as the file names it
  // (a Lightroom file does not get digiKam's form of its own keywords); one it does not name is
  // added, unless the tool took it off since the base (and vss did not put it on after that save).
  const named = namedTags(file.raw, tags);
  const atBaseNamed = base === undefined ? new Set<string>() : namedTags(base, tags);
  const toolTookOff = (u: string) => atBaseNamed.has(u) && !stampedAfter(rows.get(u)?.hlc, file.mtimeMs);
  const added = [...carried].filter((u) => !named.has(u) && !toolTookOff(u)).map(pathOf).filter((p) => !(p.length === 2 && p[0] === LABELS_TAG));

  const subject = file.raw.subject.filter((k) => !removed(nameTags(k), 'subject', k));
  for (const p of added) if (!subject.some((s) => s.toLowerCase() === p.at(-1)!.toLowerCase())) subject.push(p.at(-1)!);
  const pathItems = (key: 'lrHierarchy' | 'digikamTags') => {
    const sep = XMP_PROPERTIES[key].separator;
    const kept = file.raw[key].filter((item) => !removed(pathTags(splitPath(item, sep)), key, item));
    const have = new Set(kept.map((item) => keyOf(splitPath(item, sep))));
    // A path with a part holding this form's separator cannot be written in it (Lightroom's 'Music|AC/DC' has no digiKam form).
    for (const p of added) if (p.length > 1 && !p.some((part) => part.includes(sep)) && !have.has(keyOf(p))) kept.push(p.join(sep));
    return kept;
  };

  const fileRating = file.raw.rating[0];
  const ratingAtBase = base !== undefined && sameItems(base.rating, file.raw.rating);
  const vssRatingNewer = m !== undefined && m.rating_hlc !== '' && (ratingAtBase || stampedAfter(m.rating_hlc, since('rating')));
  const rating = !vssRatingNewer ? undefined : m.rating > 0 ? m.rating : fileRating?.trim() === '-1' ? undefined : null;

  let fileLabel: string | null | undefined;
  const fl = file.raw.label[0];
  // The tool took off the label the file had at its base, and vss did not put it on after that save: left for the import.
  const labelTookOff = label !== null && base?.label[0]?.toLowerCase() === label.toLowerCase() && !pathTags([LABELS_TAG, label]).some((u) => stampedAfter(rows.get(u)?.hlc, file.mtimeMs));
  if (fl === undefined) fileLabel = labelTookOff ? undefined : (label ?? undefined);
  else if (removed(pathTags([LABELS_TAG, fl]), 'label', fl)) fileLabel = label;
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

/**
 * The base a file vss just wrote (WRITTEN: its owned properties' items now) keeps for its next
 * merge: an item (a keyword, the rating, the label) on which the file and vss agree now is the
 * file's as written; one on which they do not (a change of another tool that vss has not read yet,
 * kept in the file) stays as the old base had it (none, where there was none), so the next read
 * still finds that change the tool's.
 */
export function xmpBaseAfterWrite(lib: Library, contentUuid: string, written: XmpRawValues, old: XmpBase | undefined, tags: XmpTagIndex): XmpBase {
  const carried = carriedTags(lib, contentUuid, tags);
  const was = old ?? { rating: [], label: [], subject: [], lrHierarchy: [], digikamTags: [] };
  const items = (key: 'subject' | 'lrHierarchy' | 'digikamTags', holds: (item: string) => boolean): string[] => {
    const out: string[] = [];
    for (const item of new Set([...written[key], ...was[key]])) {
      const inFile = written[key].includes(item);
      const agree = inFile === holds(item);
      if (agree ? inFile : was[key].includes(item)) out.push(item);
    }
    return out;
  };
  const pathHeld = (key: 'lrHierarchy' | 'digikamTags') => (item: string) => xmpPathTags(splitPath(item, XMP_PROPERTIES[key].separator), tags).some((u) => carried.has(u));
  const m = lib.store.userMetadata.get(contentUuid);
  const meta = interpretXmpRaw(written);
  const vssRating = m === undefined || m.rating_hlc === '' ? undefined : m.rating;
  const { label } = vssKeywords(carried, tags);
  const fileLabel = written.label[0]?.toLowerCase() ?? null;
  return {
    rating: vssRating !== undefined && xmpRatingOf(written, meta) === vssRating ? written.rating : was.rating,
    label: fileLabel === (label?.toLowerCase() ?? null) ? written.label : was.label,
    subject: items('subject', (k) => xmpNameTags(k, tags).some((u) => carried.has(u))),
    lrHierarchy: items('lrHierarchy', pathHeld('lrHierarchy')),
    digikamTags: items('digikamTags', pathHeld('digikamTags')),
  };
}

/** The tags CONTENTUUID carries now (deleted tags not). */
function carriedTags(lib: Library, contentUuid: string, tags: XmpTagIndex): Set<string> {
  return new Set(lib.store.metadataTags.tagsOf(contentUuid).filter((u) => tags.byUuid.get(u)?.deleted === 0));
}

/** What CARRIED tags make of a new file: the `Labels / NAME` tag as the label, the others as keywords and paths. */
function vssKeywords(carried: ReadonlySet<string>, tags: XmpTagIndex): { label: string | null; keywords: string[]; hierarchical: string[][] } {
  let label: string | null = null;
  const keywords: string[] = [];
  const hierarchical: string[][] = [];
  for (const t of [...carried].map(tags.pathOf).sort((a, b) => a.join('|').localeCompare(b.join('|')))) {
    if (t.length === 2 && t[0] === LABELS_TAG) {
      label ??= t[1]!;
      continue;
    }
    if (!keywords.includes(t.at(-1)!)) keywords.push(t.at(-1)!);
    if (t.length > 1) hierarchical.push(t);
  }
  return { label, keywords, hierarchical };
}

/** The tags a keyword path may stand for: those at that path (any case), and the one reading it would make. */
function xmpPathTags(parts: string[], tags: XmpTagIndex): string[] {
  return [...(tags.byPath.get(keyOf(parts)) ?? []), xmpTagId(parts)];
}

/** The tags a flat keyword may stand for: those of that name (any case), and the one reading it would make. */
function xmpNameTags(k: string, tags: XmpTagIndex): string[] {
  return [...(tags.byName.get(k.toLowerCase()) ?? []), xmpTagId([k])];
}

/** The tags RAW's keyword items (any of the three properties) name. */
function namedTags(raw: XmpRawValues, tags: XmpTagIndex): Set<string> {
  const named = new Set<string>();
  for (const k of raw.subject) for (const u of xmpNameTags(k, tags)) named.add(u);
  for (const key of ['lrHierarchy', 'digikamTags'] as const) {
    for (const item of raw[key]) for (const u of xmpPathTags(splitPath(item, XMP_PROPERTIES[key].separator), tags)) named.add(u);
  }
  return named;
}

function sameItems(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
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
export function keyOf(parts: readonly string[]): string {
  return parts.map((p) => p.toLowerCase()).join('\u001f');
}
