/**
 * Descriptors shaped like face-api's 128-d ones, for clustering tests and benchmarks: each person a
 * centre, each face its person's centre plus noise, so that two faces of one person are about 0.35
 * apart (Euclidean) and two people about 0.9, as measured on real photos. Seeded: the same seed
 * gives the same faces.
 */
export interface SyntheticFaces {
  vectors: Float32Array;
  /** Each face's person (0…people-1). */
  truth: Int32Array;
  dims: number;
}

/** A small, fast, seeded generator (mulberry32) and normal deviates from it. */
export function seeded(seed: number): { uniform: () => number; normal: () => number } {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/**
 * PEOPLE people of FACESEACH faces. People differ most along a few axes, as real descriptors do
 * (their variance falls off with the axis, over DECAY axes; 0: the same on every axis); a face
 * differs from its person's centre the same on every axis.
 */
export function syntheticFaces(people: number, facesEach: number | (() => number), seed = 1, o: { within?: number; between?: number; decay?: number } = {}): SyntheticFaces {
  const dims = 128;
  const r = seeded(seed);
  const within = (o.within ?? 0.25) / Math.sqrt(dims);
  const decay = o.decay ?? 24;
  const shape = Array.from({ length: dims }, (_, d) => (decay > 0 ? Math.exp(-d / decay) : 1));
  const norm = Math.sqrt(shape.reduce((a, b) => a + b * b, 0) / dims);
  const between = shape.map((w) => ((o.between ?? 0.9) / Math.sqrt(2 * dims)) * (w / norm));
  const counts = Array.from({ length: people }, () => (typeof facesEach === 'number' ? facesEach : facesEach()));
  const total = counts.reduce((a, b) => a + b, 0);
  const vectors = new Float32Array(total * dims);
  const truth = new Int32Array(total);
  let at = 0;
  for (let p = 0; p < people; p++) {
    const centre = Array.from({ length: dims }, (_, d) => r.normal() * between[d]!);
    for (let f = 0; f < counts[p]!; f++) {
      for (let d = 0; d < dims; d++) vectors[at * dims + d] = centre[d]! + r.normal() * within;
      truth[at++] = p;
    }
  }
  return { vectors, truth, dims };
}

/** Pairwise precision and recall of LABELS against TRUTH over the faces both label (null: not put with anyone). */
export function pairwise(labels: ReadonlyArray<string | null>, truth: ArrayLike<number>): { precision: number; recall: number } {
  // Counted by groups, not pairs: n² pairs would not fit for 100k faces.
  const byLabel = new Map<string, Map<number, number>>();
  const byTruth = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) byTruth.set(truth[i]!, (byTruth.get(truth[i]!) ?? 0) + 1);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l === null || l === undefined) continue;
    const m = byLabel.get(l) ?? byLabel.set(l, new Map()).get(l)!;
    m.set(truth[i]!, (m.get(truth[i]!) ?? 0) + 1);
  }
  const pairs = (n: number) => (n * (n - 1)) / 2;
  let predicted = 0;
  let correct = 0;
  for (const m of byLabel.values()) {
    let n = 0;
    for (const c of m.values()) {
      n += c;
      correct += pairs(c);
    }
    predicted += pairs(n);
  }
  let actual = 0;
  for (const n of byTruth.values()) actual += pairs(n);
  return { precision: predicted === 0 ? 1 : correct / predicted, recall: actual === 0 ? 1 : correct / actual };
}
