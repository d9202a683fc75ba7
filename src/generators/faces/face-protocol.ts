/** What the face engine (face-engine.ts) and its process (face-child.ts) say to each other. */

/** RGB pixels of an upright picture, 3 bytes a pixel, row by row. */
export interface DetectRequest {
  type: 'detect';
  id: number;
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** One face as the model saw it, in pixels of the picture it was given. */
export interface RawFace {
  box: { x: number; y: number; w: number; h: number };
  score: number;
  /** The 68 landmarks, x then y of each, in pixels. */
  landmarks: number[];
  /** The 128-d descriptor of the face aligned from its landmarks (Euclidean distance compares two). */
  descriptor: Float32Array;
}

export type ChildMessage =
  | { type: 'ready'; loadMs: number }
  | { type: 'faces'; id: number; faces: RawFace[]; ms: number; rssKiB: number }
  | { type: 'error'; id: number | null; message: string };
