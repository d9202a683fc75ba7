import { v4 as uuidv4 } from 'uuid';
import { UsageError, VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { UUID_RE } from '../sidecars/address.js';
import type { TagCountRecord, TagRecord } from '../store/tags.js';
import type { TagView } from '../wire/tags.js';
import { SharedData, type UnstampedOp } from './shared-data.js';
import { tagNameProblem } from './shared-op.js';
import { childrenOf, effectiveParents, withDescendants, wouldLoop } from './tag-tree.js';

export type { TagView };

const COLOR_RE = /^#[0-9a-f]{6}$/;

/** What a tag may be given when it is made or changed. */
export interface TagChange {
  name?: string;
  /** A tag's name or uuid; null: to the top of the tree. */
  parent?: string | null;
  /** `#rrggbb`; null: none. */
  color?: string | null;
}

/**
 * The library's tags (DESIGN §16), every change an operation of the shared data (§15). A tag is
 * named by its uuid or its name (any case); a name two tags share (made on two devices at once)
 * must be given by uuid until `merge` makes them one.
 */
export class TagBook {
  private readonly shared: SharedData;

  constructor(private readonly lib: Library) {
    this.shared = new SharedData(lib);
  }

  list(): TagView[] {
    const rows = this.lib.store.tags.live();
    const parents = effectiveParents(this.lib.store.tags.parents());
    const byUuid = new Map(rows.map((r) => [r.uuid, r] as const));
    const names = new Map<string, number>();
    for (const r of rows) names.set(r.name.toLowerCase(), (names.get(r.name.toLowerCase()) ?? 0) + 1);
    const children = childrenOf(parents);
    // A tag with tags beneath it counts what `tag:` finds: its contents and theirs, each once.
    const total = (uuid: string, own: number) => (children.has(uuid) ? this.lib.store.metadataTags.countCarrying([...withDescendants(uuid, parents, children)]) : own);
    return rows.map((r) => view(r, parents, byUuid, names, total(r.uuid, r.contents)));
  }

  /** Make a tag NAME (under PARENT, with COLOR). A live tag of that name under the same parent is refused. */
  create(name: string, opts: Omit<TagChange, 'name'> = {}): TagView {
    const problem = tagNameProblem(name);
    if (problem) throw new UsageError(problem);
    const parent = opts.parent == null ? null : this.resolve(opts.parent).uuid;
    const parents = effectiveParents(this.lib.store.tags.parents());
    const twin = this.lib.store.tags.named(name).find((t) => (parents.get(t.uuid) ?? null) === parent);
    if (twin) throw new VssError('ALREADY_EXISTS', `a tag ${JSON.stringify(name)} is there already${parent ? ' under that parent' : ''} (${twin.uuid})`);
    const uuid = uuidv4();
    this.shared.commit([{ record: 'tag', id: uuid, set: { name, color: checkColor(opts.color ?? null), parent } }]);
    return this.view(uuid);
  }

  /** Rename a tag, move it in the tree, or give it a colour. Moving a tag under itself or its descendants is refused. */
  change(ref: string, c: TagChange): TagView {
    const tag = this.resolve(ref);
    const set: { name?: string; parent?: string | null; color?: string | null } = {};
    if (c.name !== undefined) {
      const problem = tagNameProblem(c.name);
      if (problem) throw new UsageError(problem);
      set.name = c.name;
    }
    if (c.color !== undefined) set.color = checkColor(c.color);
    if (c.parent !== undefined) {
      const parent = c.parent === null ? null : this.resolve(c.parent).uuid;
      if (parent !== null && wouldLoop(tag.uuid, parent, effectiveParents(this.lib.store.tags.parents()))) {
        throw new UsageError(`${tag.name} cannot go under ${c.parent}: a tag cannot be beneath itself`);
      }
      set.parent = parent;
    }
    if (Object.keys(set).length > 0) this.shared.commit([{ record: 'tag', id: tag.uuid, set }]);
    return this.view(tag.uuid);
  }

  /** Delete a tag: its contents no longer carry it, and the tags beneath it move up to its parent. */
  delete(ref: string): TagView {
    const tag = this.resolve(ref);
    const shown = this.view(tag.uuid);
    const parents = effectiveParents(this.lib.store.tags.parents());
    const up = parents.get(tag.uuid) ?? null;
    const ops: UnstampedOp[] = [...parents].filter(([, p]) => p === tag.uuid).map(([child]) => ({ record: 'tag', id: child, set: { parent: up } }));
    ops.push({ record: 'tag', id: tag.uuid, set: { deleted: true } });
    this.shared.commit(ops);
    return shown;
  }

  /** Make FROM one with INTO: FROM's contents carry INTO instead, the tags beneath FROM move under INTO, FROM is deleted. */
  merge(fromRef: string, intoRef: string): TagView {
    const from = this.resolve(fromRef);
    const into = this.resolve(intoRef);
    if (from.uuid === into.uuid) throw new UsageError('a tag cannot be merged into itself');
    const parents = effectiveParents(this.lib.store.tags.parents());
    if (wouldLoop(from.uuid, into.uuid, parents)) throw new UsageError(`${from.name} cannot be merged into a tag beneath it`);
    const store = this.lib.store.metadataTags;
    const has = new Set(store.contentsOf(into.uuid));
    const ops: UnstampedOp[] = [];
    for (const c of store.contentsOf(from.uuid)) {
      if (!has.has(c)) ops.push({ record: 'tagging', id: into.uuid, content: c, set: { present: true } });
      ops.push({ record: 'tagging', id: from.uuid, content: c, set: { present: false } });
    }
    for (const [child, p] of parents) if (p === from.uuid) ops.push({ record: 'tag', id: child, set: { parent: into.uuid } });
    ops.push({ record: 'tag', id: from.uuid, set: { deleted: true } });
    this.shared.commit(ops);
    return this.view(into.uuid);
  }

  /**
   * Tag each of CONTENTS with REF (made first when no tag has that name). Every content named gets
   * the operation, also one that carries the tag here already: the user chose it now, and that choice
   * must beat an older removal another device made while this one did not know of it. Answers the
   * tag and how many contents carry it that did not before.
   */
  add(ref: string, contents: readonly string[]): { tag: TagView; changed: number; created: boolean } {
    let tag = this.find(ref);
    const created = tag === undefined;
    tag ??= this.lib.store.tags.get(this.create(ref).uuid)!;
    return { tag: this.view(tag.uuid), changed: this.setTagging(tag.uuid, contents, true), created };
  }

  /** Take REF off each of CONTENTS (an operation for each, as in add); how many carried it before. */
  remove(ref: string, contents: readonly string[]): { tag: TagView; changed: number } {
    const tag = this.resolve(ref);
    return { tag: this.view(tag.uuid), changed: this.setTagging(tag.uuid, contents, false) };
  }

  /** The tag REF names, with the tags beneath it: what `tag:NAME` finds. */
  withDescendants(ref: string): Set<string> {
    return withDescendants(this.resolve(ref).uuid, effectiveParents(this.lib.store.tags.parents()));
  }

  /** The live tag REF names (uuid or name, any case); refused when none or several do. */
  resolve(ref: string): TagRecord {
    const tag = this.find(ref);
    if (!tag) throw new VssError('NOT_FOUND', `no tag ${JSON.stringify(ref)}`);
    return tag;
  }

  /** Say of each of CONTENTS that it carries TAG (PRESENT) or not; how many that changed here. */
  private setTagging(tag: string, contents: readonly string[], present: boolean): number {
    const has = new Set(this.lib.store.metadataTags.contentsOf(tag));
    const unique = [...new Set(contents)];
    this.shared.commit(unique.map((c) => ({ record: 'tagging', id: tag, content: c, set: { present } })));
    return unique.filter((c) => has.has(c) !== present).length;
  }

  private find(ref: string): TagRecord | undefined {
    if (UUID_RE.test(ref.toLowerCase())) {
      const t = this.lib.store.tags.get(ref.toLowerCase());
      return t && t.deleted === 0 && t.name_hlc !== '' ? t : undefined;
    }
    const named = this.lib.store.tags.named(ref);
    if (named.length > 1) {
      throw new UsageError(`${named.length} tags are named ${JSON.stringify(ref)} (${named.map((t) => t.uuid).join(', ')}): give one by its uuid, or merge them (vss tag merge)`);
    }
    return named[0];
  }

  private view(uuid: string): TagView {
    const t = this.list().find((v) => v.uuid === uuid);
    if (!t) throw new VssError('NOT_FOUND', `no tag ${uuid}`);
    return t;
  }
}

function view(r: TagCountRecord, parents: ReadonlyMap<string, string | null>, byUuid: ReadonlyMap<string, TagRecord>, names: ReadonlyMap<string, number>, total: number): TagView {
  const path: string[] = [];
  for (let at: string | null | undefined = r.uuid, steps = 0; at != null && steps <= parents.size; at = parents.get(at), steps++) {
    path.unshift(byUuid.get(at)?.name ?? '?');
  }
  const parent = parents.get(r.uuid) ?? null;
  return { uuid: r.uuid, name: r.name, color: r.color, parent_uuid: parent, path, contents: r.contents, contents_total: total, same_name: (names.get(r.name.toLowerCase()) ?? 0) > 1 };
}

function checkColor(c: string | null): string | null {
  if (c === null) return null;
  const lower = c.toLowerCase();
  if (!COLOR_RE.test(lower)) throw new UsageError(`a colour is #rrggbb, not ${JSON.stringify(c)}`);
  return lower;
}
