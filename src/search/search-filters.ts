import { UsageError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { MetadataFilter } from '../store/search.js';
import { childrenOf, effectiveParents, withDescendants } from '../tags/tag-tree.js';
import { peopleNamed } from '../people/names.js';

/** A query split into its words and its filters on tags and user metadata (DESIGN §14, §16). */
export interface ParsedQuery {
  /** What is left to match as text ('' when the query is only filters). */
  words: string;
  /** The names each `tag:` gave, in order. */
  tags: string[];
  /** The names each `person:` gave, in order (two: both in the photo). */
  people: string[];
  favorite?: boolean;
  hidden?: boolean;
  rating?: MetadataFilter['rating'];
}

const TOKEN_RE = /(?:^|\s)(tag|person|is|rating):(?:"([^"]*)"?|(\S*))/gi;
const RATING_RE = /^(>=|<=|=|>|<)?([0-5])$/;

/**
 * QUERY's filters: `tag:NAME` (`tag:"two words"`; the tag and every tag beneath it), `person:NAME`
 * (someone of that name is in it; two of them: both are), `is:favorite`,
 * `is:hidden`, `rating:4` / `rating:>=4` (`>`, `<`, `<=`). Everything else is words. A filter that
 * cannot mean anything (`rating:9`, `is:blue`, `tag:` alone) is refused with the forms it takes.
 */
export function parseQuery(query: string): ParsedQuery {
  const out: ParsedQuery = { words: '', tags: [], people: [] };
  const words = query.replace(TOKEN_RE, (_all, key: string, quoted: string | undefined, bare: string | undefined) => {
    const value = (quoted ?? bare ?? '').trim();
    const k = key.toLowerCase();
    if (k === 'tag') {
      if (value === '') throw new UsageError('tag: needs a name: tag:Dubrovnik, tag:"taxes 2024"');
      out.tags.push(value);
    } else if (k === 'person') {
      if (value === '') throw new UsageError('person: needs a name: person:Ana, person:"Ana Horvat"');
      out.people.push(value);
    } else if (k === 'is') {
      const v = value.toLowerCase();
      if (v === 'favorite' || v === 'favourite' || v === 'fav') out.favorite = true;
      else if (v === 'hidden') out.hidden = true;
      else throw new UsageError(`is:${value.slice(0, 40)} is not a filter: is:favorite or is:hidden`);
    } else {
      const m = RATING_RE.exec(value);
      if (!m) throw new UsageError(`rating:${value.slice(0, 40)} is not a filter: rating:4, rating:>=4 (or >, <, <=), 0 to 5`);
      out.rating = { op: (m[1] ?? '=') as NonNullable<ParsedQuery['rating']>['op'], value: Number(m[2]) };
    }
    return ' ';
  });
  out.words = words.replace(/\s+/g, ' ').trim();
  return out;
}

/** Whether Q filters on tags or user metadata at all. */
export function hasFilters(q: ParsedQuery): boolean {
  return q.tags.length > 0 || q.people.length > 0 || q.favorite !== undefined || q.hidden !== undefined || q.rating !== undefined;
}

/**
 * Q's filters as the search store takes them: each tag name as every live tag of that name (two
 * devices may have made it) and the tags beneath them; hidden contents left out unless asked for.
 * Undefined when a tag names no tag: nothing can match.
 */
export function metadataFilter(lib: Library, q: ParsedQuery): MetadataFilter | undefined {
  const f: MetadataFilter & { people: string[][] } = { tags: [], people: [], hidden: q.hidden ?? false };
  if (q.favorite !== undefined) f.favorite = q.favorite;
  if (q.rating !== undefined) f.rating = q.rating;
  if (q.tags.length > 0) {
    const tree = tagTree(lib);
    for (const name of q.tags) {
      const named = lib.store.tags.named(name);
      if (named.length === 0) return undefined;
      const set = new Set<string>();
      for (const t of named) for (const d of withDescendants(t.uuid, tree.parents, tree.children)) if (!tree.deleted.has(d)) set.add(d);
      f.tags.push([...set]);
    }
  }
  for (const name of q.people) {
    // Every person of that name (two devices may have named two clusters alike); merged ones live on in their target.
    const named = peopleNamed(lib, name);
    if (named.length === 0) return undefined;
    f.people.push(named.map((p) => p.person_id));
  }
  return f;
}

interface TagTree {
  /** The database's write stamp when it was read. */
  stamp: string;
  parents: Map<string, string | null>;
  children: Map<string, string[]>;
  deleted: Set<string>;
}

/**
 * The tag tree as the last search of LIB read it, read again after any write to the database (by
 * this process or another): every tag's row is read to find the tree (a loop two devices made is
 * cut alike everywhere, tag-tree.ts), which at a thousand tags costs more than the search itself.
 */
const trees = new WeakMap<Library, TagTree>();

function tagTree(lib: Library): TagTree {
  const stamp = lib.store.search.writeStamp();
  const known = trees.get(lib);
  if (known?.stamp === stamp) return known;
  const rows = lib.store.tags.parents();
  const parents = effectiveParents(rows);
  const tree = { stamp, parents, children: childrenOf(parents), deleted: new Set(rows.filter((r) => r.deleted === 1).map((r) => r.uuid)) };
  trees.set(lib, tree);
  return tree;
}
