/**
 * The people pass: who every face here is, from the faces, the people records and the corrections
 * (clustering in cluster.ts), written to `faces.person_id`. It runs whole — the same input gives the
 * same people on every device — after faces came or went and after a change of people; the
 * follower (faces-follower.ts) runs it after a quiet moment, not once per photo.
 */
import type { Library } from '../library/library.js';
import type { PersonRecord } from '../store/people.js';
import { clusterFaces, CLUSTER_PARAMS, type ClusterParams } from './cluster.js';
import { DESCRIPTOR_DIMS } from './faces-ingest.js';
import { autoPersonIdOf } from './ids.js';

export interface PassResult {
  faces: number;
  people: number;
  /** Faces whose person changed. */
  changed: number;
  ms: number;
}

/** Where a chain of merges ends (a loop two devices made is cut at its lowest id, alike everywhere). */
export function mergeResolver(records: readonly PersonRecord[]): (personId: string) => string {
  const into = new Map<string, string>();
  for (const r of records) if (r.merged_into) into.set(r.person_id, r.merged_into);
  const memo = new Map<string, string>();
  return (id: string): string => {
    const cached = memo.get(id);
    if (cached) return cached;
    const path: string[] = [];
    let at = id;
    const onPath = new Set<string>();
    while (into.has(at) && !onPath.has(at) && path.length < 64) {
      onPath.add(at);
      path.push(at);
      at = into.get(at)!;
    }
    // A loop (two devices merged each into the other): every member of it ends at its lowest id.
    let end = at;
    if (onPath.has(at)) {
      const loop = [at];
      for (let x = into.get(at)!; x !== at && loop.length < 64; x = into.get(x)!) loop.push(x);
      end = loop.sort()[0]!;
    }
    for (const p of path) memo.set(p, end);
    memo.set(id, end);
    return end;
  };
}

export function runPeoplePass(lib: Library, params: ClusterParams = CLUSTER_PARAMS): PassResult {
  const t0 = performance.now();
  const store = lib.store;
  // Cleared first: what changes while the pass runs marks it again, for the next pass.
  store.faces.clearDirty();
  const faces = store.faces.allForClustering();
  const records = store.people.all();
  const corrections = store.people.corrections();
  const resolve = mergeResolver(records);
  const index = new Map<string, number>();
  faces.forEach((f, i) => index.set(f.face_id, i));
  const n = faces.length;
  const vectors = new Float32Array(n * DESCRIPTOR_DIMS);
  const clusterable = new Uint8Array(n);
  for (const [i, f] of faces.entries()) {
    if (f.descriptor.byteLength !== DESCRIPTOR_DIMS * 4) continue;
    vectors.set(new Float32Array(f.descriptor.buffer.slice(f.descriptor.byteOffset, f.descriptor.byteOffset + f.descriptor.byteLength)), i * DESCRIPTOR_DIMS);
    clusterable[i] = f.clusterable;
  }
  // Pinned to the person as recorded, resolved through merges only at the end: a merged person's
  // faces stay a group of their own (joined to the rest by their label, not by their distances).
  const pins = new Map<number, string>();
  for (const r of records) {
    const i = r.anchor ? index.get(r.anchor) : undefined;
    if (i !== undefined) pins.set(i, r.person_id);
  }
  const nobody = new Set<number>();
  for (const c of corrections) {
    const i = index.get(c.face_id);
    if (i === undefined || c.person === null) continue;
    if (c.person === '') {
      pins.delete(i);
      nobody.add(i);
      clusterable[i] = 0;
    } else {
      pins.set(i, c.person);
    }
  }
  const { labels } = clusterFaces({ vectors, dims: DESCRIPTOR_DIMS, clusterable, pins }, params);
  const changes: Array<{ face_id: string; person_id: string | null }> = [];
  const people = new Set<string>();
  for (const [i, f] of faces.entries()) {
    const l = nobody.has(i) ? null : labels[i] ?? null;
    const person = l === null ? null : resolve(l.startsWith('new:') ? autoPersonIdOf(faces[Number(l.slice(4))]!.face_id) : l);
    if (person !== null) people.add(person);
    if (person !== f.person_id) changes.push({ face_id: f.face_id, person_id: person });
  }
  store.faces.setPersons(changes);
  if (changes.length > 0) lib.events.emit('people:changed', { faces: changes.length });
  return { faces: n, people: people.size, changed: changes.length, ms: Math.round(performance.now() - t0) };
}
