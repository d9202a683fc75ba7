import type { Library } from '../library/library.js';
import { UUID_RE } from '../sidecars/address.js';
import { effectiveParents, withDescendants } from '../tags/tag-tree.js';
import type { DetailTag, DetailUser } from '../wire/browse.js';

/**
 * The tags a grid filter's TAG stands for (DESIGN §16, as `tag:NAME` in search): the tag of that
 * uuid, or every live tag of that name (two devices may have made it), with every tag beneath
 * them. None when it names no live tag (deleted, merged away): the grid is then empty, not an error.
 */
export function tagFilterSet(lib: Library, tag: string): string[] {
  const rows = lib.store.tags.parents();
  const parents = effectiveParents(rows);
  const deleted = new Set(rows.filter((r) => r.deleted === 1).map((r) => r.uuid));
  const lower = tag.toLowerCase();
  const roots = UUID_RE.test(lower)
    ? [lib.store.tags.get(lower)].filter((t) => t !== undefined && t.deleted === 0 && t.name_hlc !== '').map((t) => t!.uuid)
    : lib.store.tags.named(tag).map((t) => t.uuid);
  const out = new Set<string>();
  for (const r of roots) for (const d of withDescendants(r, parents)) if (!deleted.has(d)) out.add(d);
  return [...out];
}

/** Content UUID's user metadata and its tags (each with its colour and place in the tree), as its detail shows them. */
export function detailUser(lib: Library, uuid: string): DetailUser {
  const m = lib.store.userMetadata.get(uuid);
  const carried = lib.store.metadataTags.tagsOf(uuid);
  const tags: DetailTag[] = [];
  if (carried.length > 0) {
    const parents = effectiveParents(lib.store.tags.parents());
    for (const id of carried) {
      const t = lib.store.tags.get(id);
      if (!t || t.deleted === 1 || t.name_hlc === '') continue;
      const path: string[] = [];
      for (let at: string | null | undefined = id, steps = 0; at != null && steps <= parents.size; at = parents.get(at), steps++) {
        path.unshift(lib.store.tags.get(at)?.name ?? '?');
      }
      tags.push({ uuid: t.uuid, name: t.name, color: t.color, path });
    }
    tags.sort((a, b) => a.path.join('/').localeCompare(b.path.join('/')));
  }
  return { favorite: m?.favorite === 1, hidden: m?.hidden === 1, rating: m?.rating ?? 0, note: m?.note ?? null, tags };
}
