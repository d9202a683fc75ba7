import type { IndexMode, SkippedFile } from '../wire/locations.js';

export type { IndexMode, IndexResult, SkippedFile } from '../wire/locations.js';

export const INDEX_MODES: readonly IndexMode[] = ['shallow', 'content', 'deep'];

export function isIndexMode(v: string): v is IndexMode {
  return (INDEX_MODES as readonly string[]).includes(v);
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
