/**
 * Faces into people: average linkage over a graph of close faces. Two groups of faces become one
 * person only when their faces are close on average — every pair counted, a pair too far apart
 * to be in the graph counted as far — so a single face between two people (a lookalike, a blurred
 * face close to both) cannot join them, as it would under one threshold on single pairs; and a
 * face joins a person only when it is close to most of that person's faces, not to one of them.
 *
 * Deterministic: the same faces and pins give the same people whatever order they came in (the
 * closest pair is merged first; ties go to the lower indices, which follow the face ids), so two
 * devices with the same faces agree without asking each other.
 *
 * Pinned faces (a correction, a person's anchor) start in their person's group; two groups of
 * different people are never merged. A group found here becomes a person when it has `minNew`
 * faces; smaller groups stay nobody's: a hard case stays unassigned rather than wrong.
 */
import { neighbourGraph, type NeighbourOptions, NEIGHBOUR_OPTIONS } from './neighbours.js';

export interface ClusterParams {
  /** Faces nearer than this (Euclidean, 128-d) are in the graph. */
  join: number;
  /** What a pair not in the graph counts as in an average. */
  far: number;
  /** Two groups whose faces are on average nearer than this become one. */
  link: number;
  /** The fewest faces a new person is made of. */
  minNew: number;
}

/**
 * Tuned on a labelled set of real photos (215 photos, 56 people, 206 named faces; docs/research/
 * faces-labelled-set.md) with face-api's descriptors: precision stays 1.000 up to an average of
 * 0.57 and falls after (0.998 at 0.58); 0.55 keeps a margin, with recall 0.895 (0.561 at the
 * first guess of 0.45). One threshold on single pairs gets 0.995 / 0.946 at 0.55 but 0.921 / 0.986
 * at 0.60: a chain of pairs is where it goes wrong, which averages do not follow.
 */
export const CLUSTER_PARAMS: ClusterParams = { join: 0.6, far: 0.8, link: 0.55, minNew: 3 };

export interface ClusterInput {
  /** Descriptors, row by row (N × dims). */
  vectors: Float32Array;
  dims: number;
  /** 1: the face may found or join a person (it passed the quality floor). */
  clusterable: Uint8Array;
  /** Faces whose person is given (index → person). */
  pins: ReadonlyMap<number, string>;
}

export interface ClusterResult {
  /** Each face's person: a pinned person, `new:<index of its lowest face>` for a person found here, or null. */
  labels: Array<string | null>;
  /** How many close pairs the graph had. */
  edges: number;
}

interface Group {
  /** Its faces in the graph (a pinned face below the quality floor comes along, uncounted). */
  size: number;
  /** The lowest face index in it: its name, and the tie-break. */
  lowest: number;
  pin: string | null;
  /** Other groups it has close pairs with: their summed distance and how many pairs. */
  links: Map<number, { sum: number; count: number }>;
  members: number[];
}

export function clusterFaces(input: ClusterInput, params: ClusterParams = CLUSTER_PARAMS, neighbourOptions: NeighbourOptions = NEIGHBOUR_OPTIONS): ClusterResult {
  const n = input.clusterable.length;
  const g = neighbourGraph(input.vectors, input.dims, input.clusterable, params.join, neighbourOptions);
  // Every face starts alone, pinned faces of one person together.
  const groupOf = new Int32Array(n).map((_, i) => i);
  const groups = new Map<number, Group>();
  const pinGroup = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const pin = input.pins.get(i) ?? null;
    if (pin !== null && pinGroup.has(pin)) {
      const gi = pinGroup.get(pin)!;
      groupOf[i] = gi;
      const grp = groups.get(gi)!;
      // Only faces in the graph count in averages; a pinned face below the floor just comes along.
      if (input.clusterable[i]) grp.size++;
      grp.members.push(i);
      continue;
    }
    if (pin === null && !input.clusterable[i]) continue;
    groups.set(i, { size: input.clusterable[i] ? 1 : 0, lowest: i, pin, links: new Map(), members: [i] });
    if (pin !== null) pinGroup.set(pin, i);
  }
  for (let i = 0; i < n; i++) {
    for (let e = g.start[i]!; e < g.start[i + 1]!; e++) {
      const j = g.list[e]!;
      if (j <= i) continue;
      const a = groupOf[i]!;
      const b = groupOf[j]!;
      if (a === b || !groups.has(a) || !groups.has(b)) continue;
      addLink(groups.get(a)!, b, g.dist[e]!, 1);
      addLink(groups.get(b)!, a, g.dist[e]!, 1);
    }
  }
  const average = (a: Group, b: Group, l: { sum: number; count: number }) => (l.sum + (a.size * b.size - l.count) * params.far) / (a.size * b.size);
  const heap = new PairHeap();
  for (const [a, grp] of groups) for (const [b, l] of grp.links) if (a < b) heap.push(average(grp, groups.get(b)!, l), a, b, 0, 0);
  const version = new Map<number, number>();
  for (const a of groups.keys()) version.set(a, 0);
  for (;;) {
    const top = heap.pop();
    if (!top || top.key >= params.link) break;
    const A = groups.get(top.a);
    const B = groups.get(top.b);
    if (!A || !B || version.get(top.a) !== top.va || version.get(top.b) !== top.vb) continue;
    if (A.pin !== null && B.pin !== null && A.pin !== B.pin) continue;
    // The larger takes in the smaller (ties: the lower index), so a long run of merges stays cheap.
    const [keep, gone] = A.size > B.size || (A.size === B.size && A.lowest < B.lowest) ? [top.a, top.b] : [top.b, top.a];
    const K = groups.get(keep)!;
    const G = groups.get(gone)!;
    K.links.delete(gone);
    G.links.delete(keep);
    for (const [c, l] of G.links) {
      const C = groups.get(c)!;
      C.links.delete(gone);
      addLink(K, c, l.sum, l.count);
      addLink(C, keep, l.sum, l.count);
    }
    K.size += G.size;
    K.lowest = Math.min(K.lowest, G.lowest);
    K.pin ??= G.pin;
    for (const m of G.members) K.members.push(m);
    groups.delete(gone);
    version.set(keep, version.get(keep)! + 1);
    for (const [c, l] of K.links) {
      const C = groups.get(c)!;
      const [a, b] = keep < c ? [keep, c] : [c, keep];
      heap.push(average(K, C, l), a, b, version.get(a)!, version.get(b)!);
    }
  }
  const labels: Array<string | null> = new Array<string | null>(n).fill(null);
  for (const grp of groups.values()) {
    const label = grp.pin ?? (grp.size >= params.minNew ? `new:${grp.lowest}` : null);
    if (label !== null) for (const m of grp.members) labels[m] = label;
  }
  return { labels, edges: g.list.length / 2 };
}

function addLink(grp: Group, other: number, sum: number, count: number): void {
  const l = grp.links.get(other);
  if (l) {
    l.sum += sum;
    l.count += count;
  } else {
    grp.links.set(other, { sum, count });
  }
}

/** A binary min-heap of group pairs by average distance (ties: the lower pair), each with the versions it was computed at. */
class PairHeap {
  private readonly items: Array<{ key: number; a: number; b: number; va: number; vb: number }> = [];

  push(key: number, a: number, b: number, va: number, vb: number): void {
    const items = this.items;
    items.push({ key, a, b, va, vb });
    let i = items.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(items[i]!, items[p]!)) break;
      [items[i], items[p]] = [items[p]!, items[i]!];
      i = p;
    }
  }

  pop(): { key: number; a: number; b: number; va: number; vb: number } | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && less(items[l]!, items[m]!)) m = l;
        if (r < items.length && less(items[r]!, items[m]!)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m]!, items[i]!];
        i = m;
      }
    }
    return top;
  }
}

function less(x: { key: number; a: number; b: number }, y: { key: number; a: number; b: number }): boolean {
  return x.key < y.key || (x.key === y.key && (x.a < y.a || (x.a === y.a && x.b < y.b)));
}
