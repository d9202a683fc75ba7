import { contentTiles } from './content-tiles.js';
import { UsageError } from '../core/errors.js';
import { shortId } from '../core/short-id.js';
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
    return this.named(this.book.list());
  }

  /** Show CONTENT (a uuid, DEVICE:/LOCATION/PATH, a file path or name) for stack STACKID: one of its members (a RAW can be its face instead of the JPEG). */
  setCover(stackId: string, content: string): StackView {
    const stack = this.book.get(stackId);
    const cover = contentByRef(this.lib, content).uuid;
    if (!stack.members.includes(cover)) {
      // Said with the photos' names, as `stacks list` shows them (the book's own refusal has only ids).
      const names = contentTiles(this.lib, [cover, ...stack.members]);
      const shown = (uuid: string) => names.get(uuid)?.name ?? shortId(uuid);
      throw new UsageError(`${shown(cover)} is not in stack ${shortId(stack.stack_id)}: its photos are ${stack.members.map(shown).join(', ')}`);
    }
    return this.named([this.book.setCover(stack.stack_id, cover)])[0]!;
  }

  /** Make STACKID's members items of their own again, on every device (a scan does not stack them again). */
  unstack(stackId: string): StackView {
    return this.named([this.book.unstack(stackId)])[0]!;
  }

  /** STACKS with their covers' file names: what a person told of a change recognises. */
  private named(stacks: StackView[]): StackView[] {
    const names = contentTiles(this.lib, stacks.map((s) => s.cover));
    return stacks.map((s) => ({ ...s, cover_name: names.get(s.cover)?.name ?? null }));
  }
}
