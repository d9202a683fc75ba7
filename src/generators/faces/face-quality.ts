/**
 * Whether a face is good enough to be clustered into people. A face below the floor is kept
 * (shown, searchable once a user names it) but never decides who a person is: a blurred, tiny or
 * doubtful face is where clustering goes wrong.
 */

export interface QualityFloor {
  /** The detector's confidence below which a face is doubtful. */
  minScore: number;
  /** The face's shorter edge in the analysed picture, px. */
  minEdgePx: number;
  /** The variance of the Laplacian of the face at 64 × 64 grey: below it, blurred. */
  minSharpness: number;
}

export const QUALITY_FLOOR: QualityFloor = { minScore: 0.6, minEdgePx: 36, minSharpness: 40 };

/** The verdict on one face; REASON says which floor it fell under. */
export function faceQuality(f: { score: number; edgePx: number; sharpness: number }, floor: QualityFloor = QUALITY_FLOOR): { ok: boolean; reason?: string } {
  if (f.score < floor.minScore) return { ok: false, reason: `doubtful (score ${f.score.toFixed(2)} < ${floor.minScore})` };
  if (f.edgePx < floor.minEdgePx) return { ok: false, reason: `small (${Math.round(f.edgePx)} px < ${floor.minEdgePx})` };
  if (f.sharpness < floor.minSharpness) return { ok: false, reason: `blurred (sharpness ${Math.round(f.sharpness)} < ${floor.minSharpness})` };
  return { ok: true };
}

/** The variance of the 4-neighbour Laplacian over a W × H grey bitmap: how much fine detail it has. */
export function laplacianVariance(grey: Uint8Array, w: number, h: number): number {
  if (w < 3 || h < 3) return 0;
  let sum = 0;
  let sq = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const l = grey[i - 1]! + grey[i + 1]! + grey[i - w]! + grey[i + w]! - 4 * grey[i]!;
      sum += l;
      sq += l * l;
      n++;
    }
  }
  const mean = sum / n;
  return sq / n - mean * mean;
}
