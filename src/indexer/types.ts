export type IndexMode = 'shallow' | 'content' | 'deep';

export const INDEX_MODES: readonly IndexMode[] = ['shallow', 'content', 'deep'];

export function isIndexMode(v: string): v is IndexMode {
  return (INDEX_MODES as readonly string[]).includes(v);
}

export interface SkippedFile {
  /** Absolute. */
  path: string;
  reason: string;
}

/** How many skips a result lists in full; the count beyond it is still reported. */
export const MAX_LISTED_SKIPS = 10_000;

export class SkipList {
  readonly items: SkippedFile[] = [];
  total = 0;

  add(path: string, reason: string): SkippedFile {
    this.total++;
    const item = { path, reason };
    if (this.items.length < MAX_LISTED_SKIPS) this.items.push(item);
    return item;
  }
}

export interface IndexResult {
  location_id: number;
  files: number;
  dirs: number;
  bytes: number;
  contents: number;
  duration_ms: number;
  added: number;
  changed: number;
  moved: number;
  removed: number;
  hashed: number;
  skipped: SkippedFile[];
  skipped_total: number;
  /** Deep mode only: image and video contents whose embedded metadata was read in this scan. */
  media_read?: number;
  /** Deep mode only: still contents of the location with their Live Photo movie recorded. */
  live_photos?: number;
  /** Deep mode only: sidecars newly recorded pending and jobs newly queued by the queueing phase. */
  sidecars_pending?: number;
  jobs_queued?: number;
  /** Deep mode only: kinds the policy wants that this device cannot make now, with the reason. */
  unavailable?: Array<{ kind: string; reason: string }>;
}
