import { contentByRef } from '../browse/content-ref.js';
import { UsageError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { StackBook } from '../stacks/stack-book.js';

/** Contents (or folders, issue 59) a call may name at once (a whole folder's worth; more in several calls). */
export const MAX_REFS = 100_000;

/** The contents REFS name (uuids or their starts, `DEVICE:/LOCATION/PATH`, paths of files in this device's locations, files' names): tags, albums. */
export function contentsOf(lib: Library, refs: readonly string[]): string[] {
  if (refs.length === 0) throw new UsageError("name at least one content (a file's path or name, DEVICE:/LOCATION/PATH or an id)");
  if (refs.length > MAX_REFS) throw new UsageError(`at most ${MAX_REFS} contents at once`);
  return refs.map((r) => contentByRef(lib, r).uuid);
}

/**
 * As contentsOf, with every member of the stacks those contents are in (issue 45): a stack takes
 * tags, ratings and albums as one item, whichever of its photos is named.
 */
export function contentsWithStacks(lib: Library, refs: readonly string[]): string[] {
  return new StackBook(lib).expand(contentsOf(lib, refs));
}
