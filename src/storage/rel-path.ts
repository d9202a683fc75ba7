/** Relative paths as the indexer records them: '/'-separated, '' for the root. */

/** Whether `rel` is `top` or lies beneath it. */
export function isUnder(rel: string, top: string): boolean {
  return top === '' || rel === top || rel.startsWith(top + '/');
}

export function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}
