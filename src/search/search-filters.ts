import { UsageError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { MetadataFilter } from '../store/search.js';
import { childrenOf, effectiveParents, withDescendants } from '../tags/tag-tree.js';
import { peopleNamed } from '../people/names.js';
import { isContentKind, type ContentKind } from '../content/kinds.js';
import { parseDateFilter, type DayRange } from './date-filter.js';

/** A query split into its words and its filters on tags and user metadata (DESIGN §14, §16). */
export interface ParsedQuery {
  /** What is left to match as text ('' when the query is only filters). */
  words: string;
  /** The names each `tag:` gave, in order. */
  tags: string[];
  /** The names each `person:` gave, in order (two: both in the photo). */
  people: string[];
  /** The names each `album:` gave (issue 32). */
  albums?: string[];
  /** What each `place:` gave: words matched against the places of the photos (city, region, country). */
  places?: string[];
  /** The devices each `device:` named (a content any of them holds). */
  devices?: string[];
  /** The capture days each `date:` gave (every one met). */
  dates?: DayRange[];
  /** `kind:`: only contents of this kind. */
  kind?: ContentKind;
  favorite?: boolean;
  hidden?: boolean;
  rating?: MetadataFilter['rating'];
  /** Ratings besides RATING that must hold too (a smart album's inside a search that has its own). */
  moreRatings?: Array<NonNullable<MetadataFilter['rating']>>;
}

/** What a user may type for `kind:` besides the kinds' own names. */
const KIND_WORDS: Readonly<Record<string, ContentKind>> = { photo: 'image', photos: 'image', picture: 'image', images: 'image', videos: 'video', movie: 'video', documents: 'document', doc: 'document', pdf: 'document' };

const TOKEN_RE = /(?:^|\s)(tag|person|album|place|device|date|kind|is|rating):(?:"([^"]*)"?|(\S*))/gi;
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
    } else if (k === 'album') {
      if (value === '') throw new UsageError('album: needs a name: album:Holidays, album:"Summer 2024"');
      (out.albums ??= []).push(value);
    } else if (k === 'place') {
      if (value === '' || !/[\p{L}\p{N}]/u.test(value)) throw new UsageError('place: needs a name: place:Dubrovnik, place:"New York", place:Croatia');
      (out.places ??= []).push(value);
    } else if (k === 'device') {
      if (value === '') throw new UsageError('device: needs a device\'s name: device:Laptop');
      (out.devices ??= []).push(value);
    } else if (k === 'date') {
      (out.dates ??= []).push(parseDateFilter(value));
    } else if (k === 'kind') {
      const v = value.toLowerCase();
      const kind = isContentKind(v) ? v : KIND_WORDS[v];
      if (kind === undefined) throw new UsageError(`kind:${value.slice(0, 40)} is not a kind: kind:photo, kind:video, kind:document, kind:audio (or any of image, text, code, archive, font, book, database, executable, unknown)`);
      if (out.kind !== undefined && out.kind !== kind) throw new UsageError(`a content is of one kind: kind:${out.kind} and kind:${kind} cannot both hold`);
      out.kind = kind;
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
  return q.tags.length > 0 || q.people.length > 0 || q.favorite !== undefined || q.hidden !== undefined || q.rating !== undefined
    || (q.albums?.length ?? 0) > 0 || (q.places?.length ?? 0) > 0 || (q.devices?.length ?? 0) > 0 || (q.dates?.length ?? 0) > 0 || q.kind !== undefined;
}

/** Whether Q filters on anything but the kind (which the text search alone can do). */
export function hasMetadataFilters(q: ParsedQuery): boolean {
  return hasFilters({ ...q, kind: undefined });
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
  if (q.moreRatings) f.moreRatings = q.moreRatings;
  if (q.albums && q.albums.length > 0) {
    const tree = albumTree(lib);
    f.albums = [];
    for (const name of q.albums) {
      const named = lib.store.albums.named(name);
      if (named.length === 0) return undefined;
      // An album stands for what was put in it and in the albums beneath it (a smart one beneath adds nothing here).
      const set = new Set<string>();
      for (const a of named) for (const d of withDescendants(a.uuid, tree.parents, tree.children)) if (!tree.deleted.has(d)) set.add(d);
      f.albums.push([...set]);
    }
  }
  if (q.places && q.places.length > 0) f.places = q.places.map(placeMatch);
  if (q.devices && q.devices.length > 0) {
    const all = lib.store.devices.all();
    f.devices = [];
    for (const name of q.devices) {
      const lower = name.toLowerCase();
      const named = all.filter((d) => d.name.toLowerCase() === lower || d.uuid === lower);
      if (named.length === 0) throw new UsageError(`device:${name.slice(0, 80)} names no device of this library (vss devices list)`);
      f.devices.push({ here: named.some((d) => d.uuid === lib.device.uuid), peers: named.filter((d) => d.uuid !== lib.device.uuid).map((d) => d.uuid) });
    }
  }
  if (q.dates && q.dates.length > 0) f.dates = q.dates;
  for (const name of q.people) {
    // Every person of that name (two devices may have named two clusters alike); merged ones live on in their target.
    const named = peopleNamed(lib, name);
    if (named.length === 0) return undefined;
    f.people.push(named.map((p) => p.person_id));
  }
  return f;
}

/**
 * Words of a `place:` as the place rows are searched: each word of it, in order, as one phrase
 * (`place:"New York"` is not York in a New town), any case and accent.
 */
export function placeMatch(value: string): string {
  const words = value.match(/[\p{L}\p{N}]+/gu) ?? [];
  return `"${words.join(' ')}"`;
}

/** How deep smart albums may name smart albums (`album:` in a saved search). */
const MAX_SMART_DEPTH = 4;

/**
 * Q with every smart album it names replaced by that album's saved search: its words joined to
 * Q's, its filters to Q's (every one met). The albums a user put contents in stay `album:`. A
 * smart album that names itself, or smart albums nested past MAX_SMART_DEPTH, is refused.
 */
export function withSmartAlbums(lib: Library, q: ParsedQuery, seen: readonly string[] = []): ParsedQuery {
  if (!q.albums || q.albums.length === 0) return q;
  let out: ParsedQuery = { ...q, albums: [] };
  for (const name of q.albums) {
    const named = lib.store.albums.named(name);
    const smart = named.filter((a) => a.query !== null);
    if (smart.length === 0) {
      out.albums!.push(name);
      continue;
    }
    if (named.length > 1) throw new UsageError(`${named.length} albums are named ${JSON.stringify(name)}: rename one to search it by name (vss album rename)`);
    const album = smart[0]!;
    if (seen.includes(album.uuid)) throw new UsageError(`the smart album ${JSON.stringify(album.name)} names itself in its own search`);
    if (seen.length >= MAX_SMART_DEPTH) throw new UsageError(`smart albums name smart albums more than ${MAX_SMART_DEPTH} deep`);
    out = mergeQueries(out, withSmartAlbums(lib, parseQuery(album.query!), [...seen, album.uuid]));
  }
  return out;
}

/** Both A's conditions and B's: words joined, lists joined, a flag or kind either sets. */
function mergeQueries(a: ParsedQuery, b: ParsedQuery): ParsedQuery {
  if (a.kind !== undefined && b.kind !== undefined && a.kind !== b.kind) throw new UsageError(`a content is of one kind: kind:${a.kind} and kind:${b.kind} cannot both hold`);
  const out: ParsedQuery = {
    words: [a.words, b.words].filter((w) => w !== '').join(' '),
    tags: [...a.tags, ...b.tags],
    people: [...a.people, ...b.people],
    albums: [...(a.albums ?? []), ...(b.albums ?? [])],
    places: [...(a.places ?? []), ...(b.places ?? [])],
    devices: [...(a.devices ?? []), ...(b.devices ?? [])],
    dates: [...(a.dates ?? []), ...(b.dates ?? [])],
  };
  const kind = a.kind ?? b.kind;
  if (kind !== undefined) out.kind = kind;
  if (a.favorite || b.favorite) out.favorite = true;
  if (a.hidden || b.hidden) out.hidden = true;
  const ratings = [a.rating, ...(a.moreRatings ?? []), b.rating, ...(b.moreRatings ?? [])].filter((r) => r !== undefined);
  if (ratings.length > 0) out.rating = ratings[0]!;
  if (ratings.length > 1) out.moreRatings = ratings.slice(1);
  return out;
}

interface AlbumTree {
  stamp: string;
  parents: Map<string, string | null>;
  children: Map<string, string[]>;
  deleted: Set<string>;
}

const albumTrees = new WeakMap<Library, AlbumTree>();

/** The album tree, read again after any write to the database (as the tag tree). */
export function albumTree(lib: Library): AlbumTree {
  const stamp = lib.store.search.writeStamp();
  const known = albumTrees.get(lib);
  if (known?.stamp === stamp) return known;
  const rows = lib.store.albums.all();
  const parents = effectiveParents(rows);
  // Smart albums are not containers of items: they are left out of what an album stands for, as deleted ones are.
  const tree = { stamp, parents, children: childrenOf(parents), deleted: new Set(rows.filter((r) => r.deleted === 1 || r.query !== null).map((r) => r.uuid)) };
  albumTrees.set(lib, tree);
  return tree;
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
