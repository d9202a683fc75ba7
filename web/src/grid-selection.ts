/**
 * The contents picked in one grid for a bulk action (issue 32): kept by content, not by place, so
 * a reload that moves tiles keeps what was picked. One per grid store, so going to a detail and
 * back keeps it too.
 */
import type { GridStore } from './grid-store.js';
import { Subscribable } from './subscribable.js';

export class GridSelection extends Subscribable {
  private readonly picked = new Set<string>();
  /** The item last picked or unpicked by itself: a Shift-click picks from it. */
  anchor: number | null = null;

  get size(): number {
    return this.picked.size;
  }

  has(uuid: string): boolean {
    return this.picked.has(uuid);
  }

  uuids(): string[] {
    return [...this.picked];
  }

  /** Pick or unpick one item; it becomes the anchor of the next range. */
  toggle(uuid: string, index: number): void {
    if (!this.picked.delete(uuid)) this.picked.add(uuid);
    this.anchor = index;
    this.changed();
  }

  /** Pick all of UUIDS (PICK false: unpick them). */
  set(uuids: readonly string[], pick = true): void {
    for (const u of uuids) {
      if (pick) this.picked.add(u);
      else this.picked.delete(u);
    }
    this.changed();
  }

  /** Whether every one of UUIDS is picked (none: false). */
  hasAll(uuids: readonly string[]): boolean {
    return uuids.length > 0 && uuids.every((u) => this.picked.has(u));
  }

  clear(): void {
    if (this.picked.size === 0 && this.anchor === null) return;
    this.picked.clear();
    this.anchor = null;
    this.changed();
  }
}

const selections = new WeakMap<GridStore, GridSelection>();

/** The selection of the grid STORE shows. */
export function selectionOf(store: GridStore): GridSelection {
  let s = selections.get(store);
  if (!s) {
    s = new GridSelection();
    selections.set(store, s);
  }
  return s;
}
