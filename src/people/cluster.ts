/**
 * Faces into people: a graph of close faces, and more than one pair's word before a face joins
 * anyone. Given the same faces and the same pins, it gives the same people whatever order the
 * faces came in (every round decides from the state before it; components do not depend on
 * order), so two devices with the same faces agree without asking each other.
 *
 * 1. Faces nearer than `join` are neighbours (neighbours.ts).
 * 2. Pinned faces (a correction, a person's anchor) carry their person. An unpinned face joins the
 *    person most of its neighbours are, when at least `agree` of them are (fewer only where the
 *    person has fewer faces) and more than are any other's; round after round until nothing moves.
 * 3. Among faces nobody has: a face with `agree` or more such neighbours is a core; two cores
 *    are linked when nearer than `strong` or when they share a neighbour (a lone bridge between
 *    two people is not enough); linked cores are one new person, with the non-core faces next to
 *    that person's cores and no other's, when they are at least `minNew` faces. Then 2 again.
 * 4. What is left is nobody's: a hard case stays unassigned rather than wrong.
 */
import { neighbourGraph, type NeighbourOptions, NEIGHBOUR_OPTIONS, type Neighbours } from './neighbours.js';

export interface ClusterParams {
  /** Faces nearer than this (Euclidean, 128-d) are neighbours. */
  join: number;
  /** Two cores this near are linked without a shared neighbour. */
  strong: number;
  /** Neighbours that must agree before a face joins a person; the least a core has. */
  agree: number;
  /** The fewest faces a new person is made of. */
  minNew: number;
}

export const CLUSTER_PARAMS: ClusterParams = { join: 0.5, strong: 0.42, agree: 2, minNew: 3 };

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

const MAX_ROUNDS = 100;

export function clusterFaces(input: ClusterInput, params: ClusterParams = CLUSTER_PARAMS, neighbourOptions: NeighbourOptions = NEIGHBOUR_OPTIONS): ClusterResult {
  const n = input.clusterable.length;
  const g = neighbourGraph(input.vectors, input.dims, input.clusterable, params.join, neighbourOptions);
  const labels: Array<string | null> = new Array<string | null>(n).fill(null);
  for (const [i, person] of input.pins) if (i >= 0 && i < n) labels[i] = person;
  propagate(g, input.clusterable, labels, params);
  found(g, input.clusterable, labels, params);
  propagate(g, input.clusterable, labels, params);
  return { labels, edges: g.list.length / 2 };
}

/** Step 2: unpinned faces join the person their neighbours agree on, synchronously, round by round. */
function propagate(g: Neighbours, clusterable: Uint8Array, labels: Array<string | null>, p: ClusterParams): void {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const size = new Map<string, number>();
    for (const l of labels) if (l !== null) size.set(l, (size.get(l) ?? 0) + 1);
    const moves: Array<[number, string]> = [];
    const votes = new Map<string, number>();
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] !== null || !clusterable[i]) continue;
      votes.clear();
      for (let e = g.start[i]!; e < g.start[i + 1]!; e++) {
        const l = labels[g.list[e]!];
        if (l !== undefined && l !== null) votes.set(l, (votes.get(l) ?? 0) + 1);
      }
      let best: string | null = null;
      let top = 0;
      let second = 0;
      for (const [l, c] of votes) {
        if (c > top) {
          second = top;
          best = l;
          top = c;
        } else if (c > second) {
          second = c;
        }
      }
      if (best !== null && top > second && top >= Math.min(p.agree, size.get(best) ?? 0)) moves.push([i, best]);
    }
    if (moves.length === 0) return;
    for (const [i, l] of moves) labels[i] = l;
  }
}

/** Step 3: new people among the faces nobody has. */
function found(g: Neighbours, clusterable: Uint8Array, labels: Array<string | null>, p: ClusterParams): void {
  const n = labels.length;
  const free = (i: number) => clusterable[i] === 1 && labels[i] === null;
  const core = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!free(i)) continue;
    let d = 0;
    for (let e = g.start[i]!; e < g.start[i + 1]!; e++) if (free(g.list[e]!)) d++;
    if (d >= p.agree) core[i] = 1;
  }
  const parent = new Int32Array(n).map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const mark = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (!core[i]) continue;
    for (let e = g.start[i]!; e < g.start[i + 1]!; e++) mark[g.list[e]!] = i;
    for (let e = g.start[i]!; e < g.start[i + 1]!; e++) {
      const j = g.list[e]!;
      if (j <= i || !core[j]) continue;
      let linked = g.dist[e]! < p.strong;
      for (let f = g.start[j]!; !linked && f < g.start[j + 1]!; f++) {
        const k = g.list[f]!;
        if (k !== i && free(k) && mark[k] === i) linked = true;
      }
      if (linked) {
        const a = root(i);
        const b = root(j);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  }
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) if (core[i]) (members.get(root(i)) ?? members.set(root(i), []).get(root(i))!).push(i);
  // Non-core faces next to the cores of exactly one group go with it.
  for (let i = 0; i < n; i++) {
    if (!free(i) || core[i]) continue;
    let group = -1;
    let one = true;
    for (let e = g.start[i]!; e < g.start[i + 1]!; e++) {
      const j = g.list[e]!;
      if (!core[j]) continue;
      const r = root(j);
      if (group === -1) group = r;
      else if (group !== r) one = false;
    }
    if (group !== -1 && one) members.get(group)!.push(i);
  }
  for (const faces of members.values()) {
    if (faces.length < p.minNew) continue;
    const lowest = Math.min(...faces);
    for (const i of faces) labels[i] = `new:${lowest}`;
  }
}
