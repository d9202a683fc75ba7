import type { StackKind, StackMemberRow } from '../store/stacks.js';

/** A stack as it stands now: its id, kind, the content shown for it and every content in it. */
export interface Stack {
  stack_id: string;
  kind: StackKind;
  cover: string;
  /** Sorted by uuid; the cover among them. */
  members: string[];
}

/**
 * The stacks as they stand (issue 45), from every present member of every stack not unstacked
 * (`StackStore.memberRows`, ordered by stack then content). Shared data merged from several
 * devices may put a content in two stacks: it stays in the one whose id sorts first. A content
 * the library no longer knows is left out, and a stack left with fewer than two is none. The
 * cover is the one a user chose, else the rules', else the first member, always a member.
 */
export function effectiveStacks(rows: readonly StackMemberRow[]): Stack[] {
  const claimed = new Set<string>();
  const out: Stack[] = [];
  let at = 0;
  while (at < rows.length) {
    const first = rows[at]!;
    const members: string[] = [];
    for (; at < rows.length && rows[at]!.stack_uuid === first.stack_uuid; at++) {
      const r = rows[at]!;
      if (r.known === 1 && !claimed.has(r.content_uuid) && !members.includes(r.content_uuid)) members.push(r.content_uuid);
    }
    if (members.length < 2 || (first.kind !== 'raw+jpeg' && first.kind !== 'burst')) continue;
    members.sort();
    for (const m of members) claimed.add(m);
    const cover = [first.cover, first.auto_cover].find((c): c is string => c !== null && members.includes(c)) ?? members[0]!;
    out.push({ stack_id: first.stack_uuid, kind: first.kind, cover, members });
  }
  return out;
}
