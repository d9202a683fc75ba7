/**
 * The K largest of a stream of scored items, kept in a min-heap of K: one pass, O(n log k), no
 * sort of the whole list (a semantic query scores every content of the library).
 */
export class TopK {
  private readonly ids: Int32Array;
  private readonly scores: Float64Array;
  private n = 0;

  constructor(private readonly k: number) {
    this.ids = new Int32Array(k);
    this.scores = new Float64Array(k);
  }

  /** The score an item must beat to get in (−∞ until K are held). */
  get floor(): number {
    return this.n < this.k ? -Infinity : this.scores[0]!;
  }

  offer(id: number, score: number): void {
    if (this.k === 0) return;
    if (this.n < this.k) {
      let i = this.n++;
      // Sift up.
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.scores[parent]! <= score) break;
        this.ids[i] = this.ids[parent]!;
        this.scores[i] = this.scores[parent]!;
        i = parent;
      }
      this.ids[i] = id;
      this.scores[i] = score;
      return;
    }
    if (score <= this.scores[0]!) return;
    // Replace the root and sift down.
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.n) break;
      const right = left + 1;
      const child = right < this.n && this.scores[right]! < this.scores[left]! ? right : left;
      if (this.scores[child]! >= score) break;
      this.ids[i] = this.ids[child]!;
      this.scores[i] = this.scores[child]!;
      i = child;
    }
    this.ids[i] = id;
    this.scores[i] = score;
  }

  /** What was kept, best first (ties by id, so equal scores come out in a stable order). */
  sorted(): Array<{ id: number; score: number }> {
    const out: Array<{ id: number; score: number }> = [];
    for (let i = 0; i < this.n; i++) out.push({ id: this.ids[i]!, score: this.scores[i]! });
    return out.sort((a, b) => b.score - a.score || a.id - b.id);
  }
}
