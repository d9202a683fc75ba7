import { contentTiles } from './content-tiles.js';
import { contentByRef } from '../browse/content-ref.js';
import type { Library } from '../library/library.js';
import { StackBook } from '../stacks/stack-book.js';
import type { StackView } from '../wire/stacks.js';

export type { StackView };

/**
 * Stacks (issue 45): a RAW and the JPEG its camera wrote beside it, or a burst's frames, shown as
 * one item behind a cover; found by a deep scan, kept as shared data (every device sees them).
 */
export class StacksApi {
  private readonly book: StackBook;

  constructor(private readonly lib: Library) {
    this.book = new StackBook(lib);
  }

  /** Every stack, with its cover's name (a list shows the photo, not its id). */
  list(): StackView[] {
    const stacks = this.book.list();
    const names = contentTiles(this.lib, stacks.map((s) => s.cover));
    return stacks.map((s) => ({ ...s, cover_name: names.get(s.cover)?.name ?? null }));
  }

  /** Show CONTENT (a uuid, DEVICE:/LOCATION/PATH or a file path) for stack STACKID: one of its members (a RAW can be its face instead of the JPEG). */
  setCover(stackId: string, content: string): StackView {
    return this.book.setCover(stackId, contentByRef(this.lib, content).uuid);
  }

  /** Make STACKID's members items of their own again, on every device (a scan does not stack them again). */
  unstack(stackId: string): StackView {
    return this.book.unstack(stackId);
  }
}
