/**
 * The query over the search index (DESIGN §14). One FTS5 MATCH ranked by BM25 with a LIMIT does
 * the work; grouping to one result per content happens here on that small over-fetched set, and
 * paths and locators are filled in only for the results returned.
 */
import { basename } from 'node:path';
import { UsageError } from '../core/errors.js';
import { childLog } from '../core/log.js';
import { CONTENT_KINDS, isContentKind } from '../content/kinds.js';
import type { Library } from '../library/library.js';
import type { ScoreKind, SearchSource, TextSearchResult as SearchResult } from '../wire/search.js';
import { CJK } from './search-index.js';
import { firstMarked, fold, locatorsOf } from './locator.js';
import { hasFilters, hasMetadataFilters, metadataFilter, parseQuery, withSmartAlbums, type ParsedQuery } from './search-filters.js';
import { catchUpFaces } from '../people/faces-follower.js';
import type { MetadataFilter } from '../store/search.js';
import { MAX_LIMIT, SAY_WHAT } from './search-limits.js';

export const DEFAULT_LIMIT = 50;
export { MAX_LIMIT, SAY_WHAT };
/** A query longer than this is refused: nobody types it, and each word is a walk of the index. */
export const MAX_QUERY_CHARS = 1024;
/** At most this many words (letters and digits between the rest) in one query. */
export const MAX_QUERY_TERMS = 32;
/** At most this many rows of CJK text are looked at for one query (they are matched without a word index). */
const MAX_CJK_ROWS = 20_000;
/**
 * With a kind, at most this many matching rows (or 16 per result asked) are looked at: a common
 * word filtered to a rare kind would otherwise rank and cut a snippet of every match. Past it the
 * results may be fewer than the limit (the best of the rows looked at).
 */
const MAX_KIND_FETCH = 2_000;

const log = childLog('search');

export type { ScoreKind, SearchResult };

export interface SearchOptions {
  /** Only contents of this kind (CONTENT_KINDS). Where the word is very common and the kind rare, the results may be fewer than LIMIT. */
  kind?: string;
  limit?: number;
}


/** How the query's snippets mark a match (control characters the index strips from text, so only a match has them). */
export const MARK_START = '\u0002';
export const MARK_END = '\u0003';

/** A raw snippet as the result's: each match in [brackets], and where the matches are. */
export function bracketed(raw: string): { snippet: string; marks: Array<[number, number]> } {
  const marks: Array<[number, number]> = [];
  let snippet = '';
  let start = -1;
  for (const ch of raw) {
    if (ch === MARK_START && start < 0) {
      snippet += '[';
      start = snippet.length;
    } else if (ch === MARK_END && start >= 0) {
      marks.push([start, snippet.length]);
      snippet += ']';
      start = -1;
    } else if (ch !== MARK_START && ch !== MARK_END) {
      snippet += ch;
    }
  }
  if (start >= 0) marks.push([start, snippet.length]);
  return { snippet, marks };
}

/** A matching row, before it is a result (its snippet's matches between MARK_START and MARK_END). */
export interface Hit {
  content_uuid: string;
  kind: string;
  score: number;
  snippet: string;
  source: SearchSource | 'filters';
  locator: number | null;
  at: number | null;
}

/**
 * A user's query as FTS5 syntax that cannot fail to parse: each word becomes a quoted string
 * (a trailing * kept outside it, a prefix query), each "quoted phrase" one quoted phrase, and
 * the parts are all required. A stray quote closes at the end; operators and brackets are words.
 */
export function ftsQuery(q: string): string {
  const parts: string[] = [];
  const re = /"([^"]*)("?)|([^\s"]+)/g;
  for (let m = re.exec(q); m !== null; m = re.exec(q)) {
    if (m[1] !== undefined) {
      const words = m[1].match(/[\p{L}\p{N}]+/gu);
      if (words) parts.push(`"${words.join(' ')}"`);
    } else if (m[3] !== undefined) {
      const prefix = m[3].endsWith('*');
      const words = m[3].match(/[\p{L}\p{N}]+/gu);
      if (!words) continue;
      parts.push(`"${words.join(' ')}"${prefix ? '*' : ''}`);
    }
  }
  if (parts.length === 0) throw new UsageError(q.trim() === '' ? SAY_WHAT : `nothing to search for in ${JSON.stringify(q)}: give a word, a "phrase" or a prefix*`);
  // A word said twice (in any case: the tokenizer folds it) matches the same rows; FTS5 would only rank and mark it again.
  const once = new Map<string, string>();
  for (const p of parts) if (!once.has(p.toLowerCase())) once.set(p.toLowerCase(), p);
  return [...once.values()].join(' AND ');
}

/** QUERY and KIND as a search takes them, else a usage error that says what is wrong (text and semantic search alike). */
export function checkQuery(query: string, kind: string | undefined): void {
  if (query.length > MAX_QUERY_CHARS) throw new UsageError(`the query is ${query.length} characters long; at most ${MAX_QUERY_CHARS}`);
  const terms = query.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
  if (terms > MAX_QUERY_TERMS) throw new UsageError(`the query has ${terms} words; at most ${MAX_QUERY_TERMS}`);
  if (kind !== undefined && !isContentKind(kind)) throw new UsageError(`unknown kind ${JSON.stringify(kind.slice(0, 80))} (one of ${CONTENT_KINDS.join(', ')})`);
}

export function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new UsageError(`limit must be a whole number from 1 to ${MAX_LIMIT}, got ${limit}`);
  return limit;
}

/**
 * Refuse QUERY (and KIND) before anything waits on it: too long, too many words, a filter that means
 * nothing, no words and no filters. Answers the query split into words and filters.
 */
export function checkSearch(query: string, kind: string | undefined): ParsedQuery {
  checkQuery(query, kind);
  const parsed = parseQuery(query);
  if (parsed.words !== '' || !hasFilters(parsed)) ftsQuery(parsed.words);
  return parsed;
}

/**
 * Contents whose text matches QUERY, best (BM25) first, one result per content with its best row.
 * Filters in the query (`tag:`, `is:favorite`, `rating:`, DESIGN §16) keep only the contents that
 * meet them; with no words, every content that does, by uuid. Hidden contents are left out unless
 * the query says `is:hidden`.
 */
export function searchLibrary(lib: Library, query: string, opts: SearchOptions = {}): SearchResult[] {
  const parsed = withSmartAlbums(lib, checkSearch(query, opts.kind));
  const limit = checkLimit(opts.limit);
  // `kind:` in the query and the kind option: both hold, so two kinds find nothing.
  if (parsed.kind !== undefined && opts.kind !== undefined && parsed.kind !== opts.kind) return [];
  const kind = parsed.kind ?? opts.kind;
  // Who is in which photo: faces that came since the last pass are people before this answers.
  if (parsed.people.length > 0) catchUpFaces(lib);
  let hits: Hit[];
  if (parsed.words !== '' && !hasMetadataFilters(parsed) && !lib.store.search.anyHidden()) {
    const match = ftsQuery(parsed.words);
    hits = CJK.test(parsed.words) ? searchCjk(lib, parsed.words, kind, limit) : searchWords(lib, match, kind, limit);
  } else {
    const filter = metadataFilter(lib, parsed);
    if (!filter) return [];
    hits = parsed.words === '' ? filteredOnly(lib, filter, kind, limit) : searchFiltered(lib, parsed.words, filter, kind, limit);
  }
  const paths = pathsOf(lib, hits.map((h) => h.content_uuid));
  const elsewhere = addressesOf(lib, hits.map((h) => h.content_uuid));
  const locators = locatorsOf(lib, hits);
  return hits.map((h, i) => {
    const found = paths.get(h.content_uuid) ?? [];
    const r: SearchResult = {
      content_uuid: h.content_uuid, kind: h.kind, score: h.score, score_kind: 'bm25', ...bracketed(h.snippet), source: h.source,
      paths: h.source === 'name' ? matchedNameFirst(found, h.snippet) : found,
    };
    const there = elsewhere.get(h.content_uuid);
    if (there) r.addresses = h.source === 'name' ? matchedNameFirst(there, h.snippet) : there;
    const loc = locators[i];
    if (loc !== undefined) r.locator = loc;
    if (h.snippet === '' && r.snippet === '') r.snippet = basename(found[0] ?? there?.[0] ?? '');
    return r;
  });
}

/** A query of filters alone: the contents that meet them (of KIND), by uuid. */
function filteredOnly(lib: Library, filter: MetadataFilter, kind: string | undefined, limit: number): Hit[] {
  const out: Hit[] = [];
  // A kind the filter does not narrow by is read past, a bounded number of pages.
  for (let after = '', pages = 0; out.length < limit && pages < 64; pages++) {
    const rows = lib.store.search.filteredContents(filter, limit, after);
    for (const r of rows) {
      if (kind === undefined || r.kind === kind) out.push({ content_uuid: r.content_uuid, kind: r.kind, score: 0, snippet: '', source: 'filters', locator: null, at: null });
      if (out.length === limit) break;
    }
    if (rows.length < limit) break;
    after = rows.at(-1)!.content_uuid;
  }
  return out;
}

/** Words and filters: the best matching rows (as with a kind, a bounded fetch), of the contents that meet the filters. */
function searchFiltered(lib: Library, words: string, filter: MetadataFilter, kind: string | undefined, limit: number): Hit[] {
  if (CJK.test(words)) {
    const all = searchCjk(lib, words, kind, MAX_KIND_FETCH);
    const meet = lib.store.search.meeting(all.map((h) => h.content_uuid), filter);
    return all.filter((h) => meet.has(h.content_uuid)).slice(0, limit);
  }
  const match = ftsQuery(words);
  const rows = lib.store.search.ranked(match, Math.max(MAX_KIND_FETCH, 16 * limit));
  const meet = lib.store.search.meeting([...new Set(rows.map((r) => r.content_uuid))], filter);
  const best = bestPerContent(rows.filter((r) => meet.has(r.content_uuid)), kind, limit);
  if (best.length === 0) return [];
  const snippets = new Map(lib.store.search.snippets(match, best.map((h) => h.id)));
  return best.map(({ id, ...h }) => ({ ...h, snippet: snippets.get(id) ?? '' }));
}

/** The copies of CONTENTS on paired devices, as `DEVICE:/location/path`: one query for all. */
export function addressesOf(lib: Library, contents: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (contents.length === 0) return out;
  for (const [uuid, device, location, path] of lib.store.search.peerCopiesOf(contents)) {
    const a = `${device}:/${location}/${path}`;
    const list = out.get(uuid);
    if (list) list.push(a);
    else out.set(uuid, [a]);
  }
  return out;
}

/** PATHS with the copy whose file name holds SNIPPET's first match first: a name matched one copy, not the content. */
function matchedNameFirst(paths: string[], snippet: string): string[] {
  const term = firstMarked(snippet);
  if (term === null) return paths;
  const at = paths.findIndex((p) => fold(basename(p)).includes(term));
  return at <= 0 ? paths : [paths[at]!, ...paths.slice(0, at), ...paths.slice(at + 1)];
}

/**
 * The best rows by BM25, LIMIT contents' worth: a content with several matching rows (its name
 * and pages) takes several, so rows are over-fetched and grouped here; when grouping leaves too
 * few and there were more rows, the fetch grows.
 */
function searchWords(lib: Library, match: string, kind: string | undefined, limit: number): Hit[] {
  if (kind !== undefined) return searchWordsOfKind(lib, match, kind, limit);
  for (let fetch = limit + (limit >> 2) + 4; ; fetch *= 4) {
    const rows = lib.store.search.rankedWithSnippets(match, fetch);
    const best = bestPerContent(rows, undefined, limit);
    // Fewer rows than asked for: that was every match.
    if (best.length === limit || rows.length < fetch) return best;
  }
}

/**
 * As searchWords, of one kind: one fetch of the best MAX_KIND_FETCH rows (or 16 a result) without
 * snippets, filtered and grouped here, then the snippets of the rows kept. A common word filtered to
 * a rare kind is not ranked and cut again and again to the last match: past the bound the results
 * may be fewer than LIMIT (the best of the rows looked at).
 */
function searchWordsOfKind(lib: Library, match: string, kind: string, limit: number): Hit[] {
  const rows = lib.store.search.ranked(match, Math.max(MAX_KIND_FETCH, 16 * limit));
  const best = bestPerContent(rows, kind, limit);
  if (best.length === 0) return [];
  const snippets = new Map(lib.store.search.snippets(match, best.map((h) => h.id)));
  return best.map(({ id, ...h }) => ({ ...h, snippet: snippets.get(id) ?? '' }));
}

/** The best row of each content among ROWS (of KIND, when given), best first, at most LIMIT; a content gone (no kind) is left out. */
function bestPerContent<R extends { content_uuid: string; kind: string | null; score: number }>(rows: R[], kind: string | undefined, limit: number): Array<R & { kind: string }> {
  rows.sort((a, b) => a.score - b.score || (a.content_uuid < b.content_uuid ? -1 : a.content_uuid > b.content_uuid ? 1 : 0));
  const best = new Map<string, R & { kind: string }>();
  for (const r of rows) {
    if (r.kind === null || (kind !== undefined && r.kind !== kind) || best.has(r.content_uuid)) continue;
    best.set(r.content_uuid, r as R & { kind: string });
    if (best.size === limit) break;
  }
  return [...best.values()];
}

/**
 * A query with Chinese, Japanese or Korean in it, over the rows that have such text: every term
 * (a word, or a quoted phrase as one string) must occur in the row, case-insensitively. Terms of
 * 3 characters or more narrow the rows through the trigram index; shorter ones (most Chinese words
 * are 2) are looked for in those rows. Ranked by how often the terms occur; the snippet is cut here.
 */
function searchCjk(lib: Library, query: string, kind: string | undefined, limit: number): Hit[] {
  const terms: string[] = [];
  const re = /"([^"]*)"?|([^\s"]+)/g;
  for (let m = re.exec(query); m !== null; m = re.exec(query)) {
    const t = (m[1] ?? m[2] ?? '').replace(/[*()]/g, ' ').trim().toLowerCase();
    if (t !== '') terms.push(t);
  }
  const long = terms.filter((t) => [...t].length >= 3);
  const narrow = long.length > 0 ? long.map((t) => `"${t.replace(/"/g, '""')}"`).join(' AND ') : null;
  const rows = lib.store.search.cjkDocs(narrow, kind, MAX_CJK_ROWS + 1);
  if (rows.length > MAX_CJK_ROWS) {
    // The oldest rows (by id) are looked at, the same ones each time; the rest are not, and that is said.
    rows.length = MAX_CJK_ROWS;
    log.warn({ query: query.slice(0, 80), rows: MAX_CJK_ROWS }, 'a CJK query matched more rows than are looked at: the results come from the first ones only (a longer word narrows it)');
  }
  const best = new Map<string, { hits: number; row: (typeof rows)[number] }>();
  for (const r of rows) {
    const lower = r.text.toLowerCase();
    let hits = 0;
    for (const t of terms) {
      const n = lower.split(t).length - 1;
      if (n === 0) { hits = 0; break; }
      hits += n;
    }
    if (hits === 0) continue;
    const had = best.get(r.content_uuid);
    if (!had || hits > had.hits) best.set(r.content_uuid, { hits, row: r });
  }
  return [...best.values()]
    .sort((a, b) => b.hits - a.hits || (a.row.content_uuid < b.row.content_uuid ? -1 : 1))
    .slice(0, limit)
    .map(({ hits, row: { text, ...row } }) => ({ ...row, score: -hits, snippet: snippetOf(text, terms[0]!) }));
}

/** TEXT around the first TERM, the term between STX and ETX, as the FTS5 query's snippet() marks it. */
function snippetOf(text: string, term: string): string {
  const at = text.toLowerCase().indexOf(term);
  if (at < 0) return text.slice(0, 40);
  const from = Math.max(0, at - 20);
  const to = Math.min(text.length, at + term.length + 20);
  return `${from > 0 ? '…' : ''}${text.slice(from, at)}${MARK_START}${text.slice(at, at + term.length)}${MARK_END}${text.slice(at + term.length, to)}${to < text.length ? '…' : ''}`;
}

/** The absolute paths of the copies on this device of CONTENTS, where vss may read them: one query for all. */
export function pathsOf(lib: Library, contents: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (contents.length === 0) return out;
  const rows = lib.store.search.copiesOn(contents, lib.deviceId);
  const pathOf = lib.roots.copyPaths();
  for (const r of rows) {
    const path = pathOf(r.loc, r.rel_path);
    if (path === null) continue;
    const list = out.get(r.uuid);
    if (list) list.push(path);
    else out.set(r.uuid, [path]);
  }
  return out;
}

/** Contents read at a time by matchingContents (each page reads its driver's rows again: few, large pages). */
const MATCH_PAGE = 50_000;

/**
 * Every content QUERY finds (not ranked: a smart album's contents), by uuid, at most MAX: its
 * filters met page by page; with words, every content with a matching row that meets them.
 * Hidden contents are left out unless the query says `is:hidden`.
 */
export function matchingContents(lib: Library, query: string, max: number): string[] {
  const parsed = withSmartAlbums(lib, checkSearch(query, undefined));
  if (parsed.people.length > 0) catchUpFaces(lib);
  const filter = metadataFilter(lib, parsed);
  if (!filter) return [];
  const out: string[] = [];
  if (parsed.words === '') {
    for (let after = ''; out.length < max;) {
      const rows = lib.store.search.filteredContents(filter, MATCH_PAGE, after);
      for (const r of rows) if ((parsed.kind === undefined || r.kind === parsed.kind) && out.length < max) out.push(r.content_uuid);
      if (rows.length < MATCH_PAGE) break;
      after = rows.at(-1)!.content_uuid;
    }
    return out;
  }
  const found = CJK.test(parsed.words)
    ? searchCjk(lib, parsed.words, parsed.kind, max).map((h) => h.content_uuid)
    : lib.store.search.matchingContents(ftsQuery(parsed.words), parsed.kind ?? null, max * 4);
  const meet = lib.store.search.meeting(found, filter);
  for (const c of found) if (meet.has(c) && out.length < max) out.push(c);
  return out.sort();
}
