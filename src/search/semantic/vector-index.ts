import type { SemanticLocator } from '../../wire/search.js';
import { TopK } from './top-k.js';

export type { SemanticLocator };

/** One chunk to hold: a normalized vector of the index's width, and what a result shows of it. */
export interface IndexedChunk {
  vector: Float32Array;
  snippet: string;
  locator: SemanticLocator;
}

export interface VectorHit {
  contentUuid: string;
  kind: string;
  /** Cosine similarity of the best chunk (the vectors are normalized, so a dot product). */
  score: number;
  snippet: string;
  locator: SemanticLocator;
}

interface Slot {
  uuid: string;
  kind: string;
  /** The content's rows are [first, first + count) of the matrix. */
  first: number;
  count: number;
  snippets: string[];
  locators: SemanticLocator[];
}

/**
 * The chunk vectors of one library and one model, in memory: one Float32Array matrix, a content's
 * rows side by side, so a query is a straight pass of dot products. A content replaced or removed
 * leaves dead rows behind; they are squeezed out once they are as many as the live ones.
 */
export class VectorIndex {
  private matrix: Float32Array;
  private capacity: number;
  /** Rows used in the matrix, live or dead. */
  private used = 0;
  private live = 0;
  private readonly slots: Array<Slot | null> = [];
  private readonly slotOf = new Map<string, number>();
  private readonly freeSlots: number[] = [];

  constructor(readonly dims: number, initialRows = 1024) {
    if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`dims must be a positive whole number, got ${dims}`);
    this.capacity = Math.max(1, initialRows);
    this.matrix = new Float32Array(this.capacity * dims);
  }

  /** Contents held. */
  get contents(): number {
    return this.slotOf.size;
  }

  /** Chunk vectors held. */
  get rows(): number {
    return this.live;
  }

  has(contentUuid: string): boolean {
    return this.slotOf.has(contentUuid);
  }

  /** Hold CHUNKS as CONTENTUUID's, in place of what it had (none: it is removed). */
  set(contentUuid: string, kind: string, chunks: readonly IndexedChunk[]): void {
    this.delete(contentUuid);
    if (chunks.length === 0) return;
    for (const c of chunks) {
      if (c.vector.length !== this.dims) throw new RangeError(`a vector of ${c.vector.length} numbers in an index of ${this.dims}`);
    }
    this.reserve(chunks.length);
    const first = this.used;
    chunks.forEach((c, i) => this.matrix.set(c.vector, (first + i) * this.dims));
    this.used += chunks.length;
    this.live += chunks.length;
    const slot: Slot = { uuid: contentUuid, kind, first, count: chunks.length, snippets: chunks.map((c) => c.snippet), locators: chunks.map((c) => c.locator) };
    const at = this.freeSlots.pop() ?? this.slots.length;
    this.slots[at] = slot;
    this.slotOf.set(contentUuid, at);
  }

  delete(contentUuid: string): boolean {
    const at = this.slotOf.get(contentUuid);
    if (at === undefined) return false;
    this.live -= this.slots[at]!.count;
    this.slots[at] = null;
    this.slotOf.delete(contentUuid);
    this.freeSlots.push(at);
    return true;
  }

  /**
   * The K contents whose best chunk is nearest QUERY (a normalized vector of the index's width),
   * best first, each with that chunk; only contents of KIND when given.
   */
  search(query: Float32Array, k: number, kind?: string): VectorHit[] {
    if (query.length !== this.dims) throw new RangeError(`a query of ${query.length} numbers for an index of ${this.dims}`);
    const top = new TopK(k);
    const bestRow = new Int32Array(this.slots.length);
    const m = this.matrix;
    const dims = this.dims;
    for (let s = 0; s < this.slots.length; s++) {
      const slot = this.slots[s];
      if (!slot || (kind !== undefined && slot.kind !== kind)) continue;
      let best = -Infinity;
      let bestAt = 0;
      for (let r = 0; r < slot.count; r++) {
        const dot = dotAt(m, (slot.first + r) * dims, query, dims);
        if (dot > best) {
          best = dot;
          bestAt = r;
        }
      }
      if (best > top.floor) {
        bestRow[s] = bestAt;
        top.offer(s, best);
      }
    }
    return top.sorted().map(({ id, score }) => {
      const slot = this.slots[id]!;
      const r = bestRow[id]!;
      return { contentUuid: slot.uuid, kind: slot.kind, score, snippet: slot.snippets[r]!, locator: slot.locators[r]! };
    });
  }

  /** Room for N more rows at the end: squeeze out dead rows first, grow only if that is not enough. */
  private reserve(n: number): void {
    if (this.used + n <= this.capacity) return;
    if (this.used - this.live >= this.live) this.compact();
    if (this.used + n <= this.capacity) return;
    let capacity = this.capacity;
    while (this.used + n > capacity) capacity *= 2;
    const grown = new Float32Array(capacity * this.dims);
    grown.set(this.matrix.subarray(0, this.used * this.dims));
    this.matrix = grown;
    this.capacity = capacity;
  }

  /** Move the live rows together at the start of the matrix, in their order (so no move overwrites rows still to move). */
  private compact(): void {
    let to = 0;
    const live = this.slots.filter((s): s is Slot => s !== null).sort((a, b) => a.first - b.first);
    for (const slot of live) {
      if (slot.first !== to) this.matrix.copyWithin(to * this.dims, slot.first * this.dims, (slot.first + slot.count) * this.dims);
      slot.first = to;
      to += slot.count;
    }
    this.used = to;
  }
}

/**
 * M[BASE..BASE+DIMS) · Q, four products per step in separate sums: V8 then keeps them in
 * registers without a dependency chain (measured ~1.6–2× a one-sum loop at 384 dims, bench/search-semantic-bench.ts).
 */
function dotAt(m: Float32Array, base: number, q: Float32Array, dims: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (const end = dims - 3; d < end; d += 4) {
    s0 += m[base + d]! * q[d]!;
    s1 += m[base + d + 1]! * q[d + 1]!;
    s2 += m[base + d + 2]! * q[d + 2]!;
    s3 += m[base + d + 3]! * q[d + 3]!;
  }
  for (; d < dims; d++) s0 += m[base + d]! * q[d]!;
  return s0 + s1 + s2 + s3;
}
