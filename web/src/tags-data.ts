/**
 * The library's tags as the views use them (DESIGN §16): loaded once per view, again when shared
 * data changed here or arrived from a paired device (`shared:changed`) or the event stream came
 * back; and put in tree order.
 */
import { get } from './api.js';
import { API } from './api-paths.js';
import type { TagView } from './types.js';
import { useLiveEvent, useReconnect } from './use-live-event.js';
import { useLoad, type Loaded } from './use-load.js';

export function useTags(libId: string): [Loaded<TagView[]>, () => void] {
  const [tags, reload] = useLoad((signal) => get<TagView[]>(API.tags(libId), signal), [libId]);
  useLiveEvent('shared:changed', (e) => { if (e.library_id === libId) reload(); });
  useReconnect(reload);
  return [tags, reload];
}

export interface TreeTag {
  tag: TagView;
  /** 0 at the top of the tree. */
  depth: number;
}

/** TAGS as a tree read top down: each tag after its parent, siblings by name. */
export function treeOrder(tags: readonly TagView[]): TreeTag[] {
  const byParent = new Map<string | null, TagView[]>();
  const known = new Set(tags.map((t) => t.uuid));
  for (const t of tags) {
    const p = t.parent_uuid !== null && known.has(t.parent_uuid) ? t.parent_uuid : null;
    (byParent.get(p) ?? byParent.set(p, []).get(p)!).push(t);
  }
  for (const list of byParent.values()) list.sort((a, b) => a.name.localeCompare(b.name) || a.uuid.localeCompare(b.uuid));
  const out: TreeTag[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, depth: number) => {
    for (const t of byParent.get(parent) ?? []) {
      if (seen.has(t.uuid)) continue;
      seen.add(t.uuid);
      out.push({ tag: t, depth });
      walk(t.uuid, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** How a tag is named where its name alone could be another's: its path in the tree. */
export const tagPath = (t: { path: string[]; name: string }) => (t.path.length > 0 ? t.path.join(' / ') : t.name);
