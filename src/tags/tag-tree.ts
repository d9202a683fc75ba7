import type { TagRecord } from '../store/tags.js';

type Edge = Pick<TagRecord, 'uuid' | 'parent_uuid' | 'parent_hlc' | 'deleted'>;

/**
 * Each tag's parent as the tree shows it (DESIGN §16: a tag never becomes its own ancestor). Two
 * devices may each move one tag under the other at the same time; both moves win their own field,
 * and together they make a loop. The loop is broken where its newest move is (the greatest
 * `parent_hlc`), which every device decides alike from the same rows, so the tree converges too.
 * A tag whose parent is deleted or unknown is shown at the top.
 */
export function effectiveParents(rows: readonly Edge[]): Map<string, string | null> {
  const byUuid = new Map(rows.map((r) => [r.uuid, r] as const));
  const parent = new Map<string, string | null>();
  for (const r of rows) {
    const p = r.parent_uuid;
    parent.set(r.uuid, p !== null && byUuid.get(p)?.deleted === 0 ? p : null);
  }
  // Follow each tag up; a walk that comes back onto itself has found a loop: cut its newest edge.
  const done = new Set<string>();
  for (const start of parent.keys()) {
    const path: string[] = [];
    const onPath = new Set<string>();
    let at: string | null | undefined = start;
    while (at != null && !done.has(at)) {
      if (onPath.has(at)) {
        const loop = path.slice(path.indexOf(at));
        const newest = loop.reduce((a, b) => ((byUuid.get(b)!.parent_hlc > byUuid.get(a)!.parent_hlc) ? b : a));
        parent.set(newest, null);
        break;
      }
      onPath.add(at);
      path.push(at);
      at = parent.get(at);
    }
    for (const p of path) done.add(p);
  }
  return parent;
}

/** Each tag's children in the tree PARENTS describes. */
export function childrenOf(parents: ReadonlyMap<string, string | null>): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const [child, p] of parents) if (p !== null) (children.get(p) ?? children.set(p, []).get(p)!).push(child);
  return children;
}

/** TAG and every tag beneath it in the tree PARENTS describes (CHILDREN: childrenOf(PARENTS), when the caller keeps it). */
export function withDescendants(tag: string, parents: ReadonlyMap<string, string | null>, children: ReadonlyMap<string, readonly string[]> = childrenOf(parents)): Set<string> {
  const out = new Set<string>([tag]);
  const queue = [tag];
  while (queue.length > 0) {
    for (const c of children.get(queue.pop()!) ?? []) {
      if (!out.has(c)) {
        out.add(c);
        queue.push(c);
      }
    }
  }
  return out;
}

/** Whether making PARENT the parent of TAG would make TAG its own ancestor. */
export function wouldLoop(tag: string, parent: string, parents: ReadonlyMap<string, string | null>): boolean {
  for (let at: string | null | undefined = parent, steps = 0; at != null && steps <= parents.size; at = parents.get(at), steps++) {
    if (at === tag) return true;
  }
  return false;
}
