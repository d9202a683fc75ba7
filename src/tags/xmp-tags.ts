import { v5 as uuidv5 } from 'uuid';
import type { Library } from '../library/library.js';
import type { XmpSidecarMeta } from '../media/xmp/xmp-sidecar-read.js';
import type { XmpSidecarWrite } from '../media/xmp/xmp-sidecar-write.js';
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
        uuid = uuidv5(path.slice(0, i + 1).map((p) => p.toLowerCase()).join('\u001f'), XMP_TAG_NAMESPACE);
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

/**
 * The operations that bring what an XMP sidecar says into CONTENTUUID's metadata: its rating (1–5;
 * 0 clears; a reject, -1, is left to the tool that set it), its colour label as `Labels / NAME`, its
 * hierarchical keywords as tag paths and its other keywords as top-level tags. Only additions and
 * changes: a tag the content carries that the file does not name is kept.
 */
export function xmpImportOps(lib: Library, contentUuid: string, meta: XmpSidecarMeta, paths: TagPaths, ops: UnstampedOp[]): void {
  const now = lib.store.userMetadata.get(contentUuid);
  const r = meta.rating;
  if (r?.inRange && r.value >= 0 && r.value !== (now?.rating ?? 0)) ops.push({ record: 'meta', id: contentUuid, set: { rating: r.value } });
  const tagPaths: string[][] = [...meta.hierarchical];
  const leaves = new Set(meta.hierarchical.map((p) => p.at(-1)!.toLowerCase()));
  for (const k of meta.keywords) if (!leaves.has(k.toLowerCase())) tagPaths.push([k]);
  if (meta.label !== undefined && meta.label !== '') tagPaths.push([LABELS_TAG, meta.label]);
  const has = new Set(lib.store.metadataTags.tagsOf(contentUuid));
  for (const p of tagPaths) {
    const tag = paths.ensure(p);
    if (tag === undefined || has.has(tag)) continue;
    has.add(tag);
    ops.push({ record: 'tagging', id: tag, content: contentUuid, set: { present: true } });
  }
}

/**
 * What vss would write into CONTENTUUID's XMP sidecar: its rating (none: the file's reject, -1, is
 * kept — FILERATING), its `Labels / NAME` tag as the colour label, every other tag as a keyword (its
 * name) and, when it sits under another tag, as a hierarchical keyword (its path).
 */
export function xmpExportMeta(lib: Library, contentUuid: string, fileRating: number | undefined): XmpSidecarWrite {
  const m = lib.store.userMetadata.get(contentUuid);
  const rows = lib.store.tags.parents();
  const parents = effectiveParents(rows);
  const names = new Map(lib.store.tags.live().map((t) => [t.uuid, t.name] as const));
  const pathOf = (uuid: string): string[] => {
    const out: string[] = [];
    for (let at: string | null | undefined = uuid, n = 0; at != null && n <= parents.size; at = parents.get(at), n++) out.unshift(names.get(at) ?? '');
    return out;
  };
  let label: string | null = null;
  const keywords: string[] = [];
  const hierarchical: string[][] = [];
  for (const t of lib.store.metadataTags.tagsOf(contentUuid).filter((u) => names.has(u)).map(pathOf).sort((a, b) => a.join('|').localeCompare(b.join('|')))) {
    if (t.length === 2 && t[0] === LABELS_TAG) {
      label ??= t[1]!;
      continue;
    }
    if (!keywords.includes(t.at(-1)!)) keywords.push(t.at(-1)!);
    if (t.length > 1) hierarchical.push(t);
  }
  const rating = (m?.rating ?? 0) > 0 ? m!.rating : fileRating === -1 ? undefined : null;
  return { ...(rating !== undefined ? { rating } : {}), label, keywords, hierarchical };
}
