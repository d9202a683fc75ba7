import { byShortId, mayBeShortId } from '../core/short-id.js';
import { UsageError, VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { UUID_RE } from '../sidecars/address.js';
import { SharedData } from '../tags/shared-data.js';
import { effectiveStacks, type Stack } from './effective-stacks.js';

export type { Stack };

/**
 * What a user does to stacks (issue 45), every change an operation of the shared data (DESIGN
 * §15), as albums are: list them, choose a stack's cover, unstack one. What the stacks are now
 * is read from the tables each time (they are a small part of a library).
 */
export class StackBook {
  private readonly shared: SharedData;

  constructor(private readonly lib: Library) {
    this.shared = new SharedData(lib);
  }

  /** Every stack as it stands, by id. */
  list(): Stack[] {
    return effectiveStacks(this.lib.store.stacks.memberRows());
  }

  /** STACKID's stack; a stack that is not one now (unstacked, or gone to fewer than two) is not found. */
  get(stackId: string): Stack {
    if (!UUID_RE.test(stackId.toLowerCase()) && !mayBeShortId(stackId)) throw new UsageError(`a stack is named by its id (vss stacks list), not ${JSON.stringify(stackId).slice(0, 80)}`);
    const all = this.list();
    // Its whole id, or the start `stacks list` shows.
    const id = byShortId(stackId, all.map((x) => x.stack_id), 'stack');
    const s = all.find((x) => x.stack_id === id);
    if (!s) throw new VssError('NOT_FOUND', `no stack ${stackId} (vss stacks list shows them)`);
    return s;
  }

  /** Show CONTENTUUID for stack STACKID: one of its members (a RAW can be its stack's face instead of the JPEG). */
  setCover(stackId: string, contentUuid: string): Stack {
    const s = this.get(stackId);
    const cover = contentUuid.toLowerCase();
    if (!s.members.includes(cover)) throw new UsageError(`${contentUuid} is not in stack ${s.stack_id}: its members are ${s.members.join(', ')}`);
    this.shared.commit([{ record: 'stack', id: s.stack_id, set: { cover } }]);
    return this.get(s.stack_id);
  }

  /** Unstack STACKID: its members are items of their own again, on every device, and a scan does not stack them again. */
  unstack(stackId: string): Stack {
    const s = this.get(stackId);
    this.shared.commit([{ record: 'stack', id: s.stack_id, set: { deleted: true } }]);
    return s;
  }

  /** UUIDS with every member of the stacks they are in (each once, in the order first seen): a stack takes tags, ratings and albums whole. */
  expand(uuids: readonly string[]): string[] {
    const byMember = this.stacksOf(uuids);
    if (byMember.size === 0) return [...uuids];
    const out = new Set<string>();
    for (const u of uuids) {
      out.add(u);
      for (const m of byMember.get(u)?.members ?? []) out.add(m);
    }
    return [...out];
  }

  /**
   * ITEMS (ranked, each naming a content) with one per stack (issue 45): the first-ranked member of
   * a stack stands for it, the others after it left out, as the grid shows a stack as one tile.
   */
  onePerStack<T extends { content_uuid: string }>(items: readonly T[]): T[] {
    if (items.length < 2) return [...items];
    const byMember = this.stacksOf(items.map((i) => i.content_uuid));
    if (byMember.size === 0) return [...items];
    const seen = new Set<string>();
    return items.filter((i) => {
      const st = byMember.get(i.content_uuid)?.stack_id;
      if (st === undefined) return true;
      if (seen.has(st)) return false;
      seen.add(st);
      return true;
    });
  }

  /** The stacks UUIDS are in, by each of their members: read from those stacks' rows only (a tag given to one photo does not read every stack of the library). */
  private stacksOf(uuids: readonly string[]): Map<string, Stack> {
    const byMember = new Map<string, Stack>();
    if (uuids.length === 0) return byMember;
    for (const st of effectiveStacks(this.lib.store.stacks.memberRowsOfContents(uuids))) for (const m of st.members) byMember.set(m, st);
    return byMember;
  }
}
