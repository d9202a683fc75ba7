/** Pair labels and precision / recall over the labelled set of bench/similar-set.ts. */
import { familyPair, type LabelledSet } from './similar-set.js';

export interface Pair {
  i: number;
  j: number;
  positive: boolean;
  /** A negative of one scene (frames of one video, crops of one photo, text pages). */
  hard: boolean;
}

export function labelledPairs(set: LabelledSet): Pair[] {
  const out: Pair[] = [];
  const im = set.images;
  for (let i = 0; i < im.length; i++) {
    for (let j = i + 1; j < im.length; j++) {
      const a = im[i]!;
      const b = im[j]!;
      if (a.family !== b.family && set.unlabelled.has(familyPair(a.family, b.family))) continue;
      out.push({ i, j, positive: a.family === b.family, hard: a.family !== b.family && a.scene === b.scene });
    }
  }
  return out;
}

export interface Score {
  tp: number;
  fp: number;
  fn: number;
  hardFp: number;
  precision: number;
  recall: number;
  f1: number;
}

export function score(pairs: readonly Pair[], said: (p: Pair) => boolean): Score {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let hardFp = 0;
  for (const p of pairs) {
    const s = said(p);
    if (s && p.positive) tp++;
    else if (s) {
      fp++;
      if (p.hard) hardFp++;
    } else if (p.positive) fn++;
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, hardFp, precision, recall, f1 };
}
