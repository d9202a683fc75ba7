import { KIND_OF } from './search-kind.js';
import type { Prepared } from './statements.js';

/**
 * A search's filters on shared data (DESIGN §16): each of TAGS is the set of tags one `tag:` named
 * (that tag and those beneath it: a content carrying any of them meets it), every one of them met;
 * FAVORITE, RATING; HIDDEN true: only hidden contents, false: hidden ones left out.
 */
export interface MetadataFilter {
  tags: string[][];
  /** Each the people one `person:` named (a content with a face of any of them meets it), every one met. */
  people?: string[][];
  favorite?: boolean;
  rating?: { op: '>=' | '<=' | '=' | '>' | '<'; value: number };
  /** Ratings besides RATING, every one met (a smart album's within a search that has its own). */
  moreRatings?: Array<{ op: '>=' | '<=' | '=' | '>' | '<'; value: number }>;
  hidden?: boolean;
  /** Each the albums one `album:` named (with the albums beneath them): a content put in any of them meets it (issue 32). */
  albums?: string[][];
  /** Each an FTS5 query over the places (`source` 'place') one `place:` gave, every one met. */
  places?: string[];
  /** Each the devices one `device:` named, as device uuids (HERE: this device's): a content one of them holds meets it. */
  devices?: Array<{ here: boolean; peers: string[] }>;
  /** Capture days, each range met (`YYYY-MM-DD`, inclusive). */
  dates?: Array<{ from: string; to: string }>;
}

/** Where the contents F (with no tags: taggedContents) could be come from: the smallest index that narrows them (the favourites', …). */
function filterSource(f: MetadataFilter): { from: string; args: unknown[] } {
  if (f.people && f.people.length > 0) {
    const fewest = f.people.reduce((a, b) => (b.length < a.length ? b : a));
    return { from: 'SELECT DISTINCT content_uuid FROM faces WHERE person_id IN (SELECT value FROM json_each(?))', args: [JSON.stringify(fewest)] };
  }
  if (f.albums && f.albums.length > 0) {
    const fewest = f.albums.reduce((a, b) => (b.length < a.length ? b : a));
    return { from: 'SELECT DISTINCT content_uuid FROM album_items WHERE album_uuid IN (SELECT value FROM json_each(?)) AND present = 1', args: [JSON.stringify(fewest)] };
  }
  if (f.places && f.places.length > 0) {
    return { from: `SELECT DISTINCT d.content_uuid FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid WHERE search_fts MATCH ? AND d.source = 'place'`, args: [f.places[0]] };
  }
  if (f.favorite === true) return { from: 'SELECT content_uuid FROM user_metadata WHERE favorite = 1', args: [] };
  if (f.rating !== undefined && ratingExcludesZero(f.rating)) return { from: 'SELECT content_uuid FROM user_metadata WHERE rating > 0', args: [] };
  if (f.hidden === true) return { from: 'SELECT content_uuid FROM user_metadata WHERE hidden = 1', args: [] };
  if (f.dates && f.dates.length > 0) {
    const { from, to } = f.dates[0]!;
    return {
      from: `SELECT uuid AS content_uuid FROM content_identities WHERE capture_day BETWEEN ? AND ?
        UNION SELECT content_uuid FROM peer_contents WHERE substr(json_extract(media_metadata, '$.captured_at'), 1, 10) BETWEEN ? AND ?`,
      args: [from, to, from, to],
    };
  }
  return { from: 'SELECT uuid AS content_uuid FROM content_identities UNION SELECT content_uuid FROM peer_contents', args: [] };
}

/** F's conditions on the content uuid COL, as `AND …` SQL and its arguments (in order). */
function filterConditions(f: MetadataFilter, col: string): { sql: string; args: unknown[] } {
  const parts: string[] = [];
  const args: unknown[] = [];
  for (const set of f.tags) {
    // `+`: the content's few tags are read and each looked up in the set, not the set's every tag looked up for the content.
    parts.push(`AND EXISTS (SELECT 1 FROM metadata_tag m WHERE m.content_uuid = ${col} AND m.present = 1 AND +m.tag_uuid IN (SELECT value FROM json_each(?)))`);
    args.push(JSON.stringify(set));
  }
  for (const set of f.people ?? []) {
    parts.push(`AND EXISTS (SELECT 1 FROM faces fc WHERE fc.content_uuid = ${col} AND fc.person_id IN (SELECT value FROM json_each(?)))`);
    args.push(JSON.stringify(set));
  }
  for (const set of f.albums ?? []) {
    parts.push(`AND EXISTS (SELECT 1 FROM album_items ai WHERE ai.content_uuid = ${col} AND ai.present = 1 AND +ai.album_uuid IN (SELECT value FROM json_each(?)))`);
    args.push(JSON.stringify(set));
  }
  for (const match of f.places ?? []) {
    parts.push(`AND EXISTS (SELECT 1 FROM search_docs pd WHERE pd.content_uuid = ${col} AND pd.source = 'place'
      AND pd.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?))`);
    args.push(match);
  }
  for (const d of f.devices ?? []) {
    const any: string[] = [];
    if (d.here) any.push(`EXISTS (SELECT 1 FROM content_identities ci JOIN entries e ON e.content_id = ci.id WHERE ci.uuid = ${col})`);
    if (d.peers.length > 0) {
      any.push(`EXISTS (SELECT 1 FROM peer_contents pc WHERE pc.content_uuid = ${col} AND pc.device_uuid IN (SELECT value FROM json_each(?)))`);
      args.push(JSON.stringify(d.peers));
    }
    parts.push(any.length === 0 ? 'AND 0' : `AND (${any.join(' OR ')})`);
  }
  for (const r of f.dates ?? []) {
    parts.push(`AND coalesce((SELECT capture_day FROM content_identities WHERE uuid = ${col}),
      (SELECT substr(json_extract(media_metadata, '$.captured_at'), 1, 10) FROM peer_contents WHERE content_uuid = ${col} AND json_valid(media_metadata) LIMIT 1)) BETWEEN ? AND ?`);
    args.push(r.from, r.to);
  }
  const meta = (expr: string, fallback: string) => `coalesce((SELECT ${expr} FROM user_metadata u WHERE u.content_uuid = ${col}), ${fallback})`;
  if (f.favorite !== undefined) {
    parts.push(`AND ${meta('favorite', '0')} = ?`);
    args.push(f.favorite ? 1 : 0);
  }
  for (const r of [...(f.rating ? [f.rating] : []), ...(f.moreRatings ?? [])]) {
    parts.push(`AND ${meta('rating', '0')} ${r.op} ?`);
    args.push(r.value);
  }
  if (f.hidden !== undefined) {
    parts.push(`AND ${meta('hidden', '0')} = ?`);
    args.push(f.hidden ? 1 : 0);
  }
  return { sql: parts.join(' '), args };
}

/** Whether RATING leaves out contents with no rating (0): then only rated contents need be looked at. */
function ratingExcludesZero(r: NonNullable<MetadataFilter['rating']>): boolean {
  return (r.op === '>=' && r.value > 0) || r.op === '>' || (r.op === '=' && r.value > 0);
}

/**
 * The contents of the library that meet a search's filters on shared data (tags, people, albums,
 * places, devices, dates, favourites, ratings, hidden): with no words, read in uuid order from the
 * index that narrows them most; with words, the matches that meet them. Part of search's read
 * model, reached through SearchStore (`filteredContents`, `meeting`).
 */
export class MetadataFilterReads {
  constructor(private readonly sql: Prepared) {}

  /**
   * Up to LIMIT contents of the library (held here or by a paired device) that meet F, by uuid
   * after AFTER: a search of tags, favourites and ratings with no words (DESIGN §16).
   */
  filteredContents(f: MetadataFilter, limit: number, after = ''): Array<{ content_uuid: string; kind: string }> {
    if (f.places && f.places.length > 0) return this.placedContents(f, limit, after);
    if (f.albums && f.albums.length > 0) {
      const driver = f.albums.reduce((a, b) => (b.length < a.length ? b : a));
      return this.mergedContents(driver, (ids, cursor, n) => this.heads(ALBUM_HEADS, ids, cursor, n), { ...f, albums: f.albums.filter((a) => a !== driver) }, limit, after);
    }
    if (f.tags.length > 0) return this.taggedContents(f, limit, after);
    if (f.people && f.people.length > 0) return this.personContents(f, limit, after);
    const { from, args } = filterSource(f);
    const where = filterConditions(f, 'x.content_uuid');
    return this.sql<unknown[], { content_uuid: string; kind: string }>(
      `SELECT * FROM (SELECT x.content_uuid, ${KIND_OF.replaceAll('d.content_uuid', 'x.content_uuid')} AS kind FROM (${from}) x
         WHERE x.content_uuid > ? ${where.sql} ORDER BY x.content_uuid) WHERE kind IS NOT NULL LIMIT ?`,
    ).all(...args, after, ...where.args, limit);
  }

  /**
   * filteredContents when F names people (and no tags): the contents of the person one `person:`
   * named (the one naming the fewest people), read in uuid order straight from the faces' index by
   * person and content, so it stops at LIMIT however many photos they are in; the rest of F checked
   * on those.
   */
  private personContents(f: MetadataFilter, limit: number, after: string): Array<{ content_uuid: string; kind: string }> {
    const people = f.people!;
    const driver = people.reduce((a, b) => (b.length < a.length ? b : a));
    const where = filterConditions({ ...f, people: people.filter((p) => p !== driver) }, 'f.content_uuid');
    const kind = KIND_OF.replaceAll('d.content_uuid', 'f.content_uuid');
    const one = driver.length === 1;
    return this.sql<unknown[], { content_uuid: string; kind: string }>(
      `SELECT f.content_uuid, ${kind} AS kind FROM faces f
       WHERE ${one ? 'f.person_id = ?' : 'f.person_id IN (SELECT value FROM json_each(?))'} AND f.content_uuid > ? ${where.sql}
       GROUP BY f.content_uuid HAVING kind IS NOT NULL ORDER BY f.content_uuid LIMIT ?`,
    ).all(one ? driver[0] : JSON.stringify(driver), after, ...where.args, limit);
  }

  /**
   * filteredContents when F names tags: the contents carrying the tags of one `tag:` (the one
   * naming the fewest), walked in uuid order as a merge of each tag's own list (its index is
   * by tag, then content), a few of each tag at a time; the rest of F checked on those. A
   * `tag:` over a whole tree (a hundred tags, most contents) reads a few hundred rows, not every
   * content it names, and a rare tag reads only its own.
   */
  private taggedContents(f: MetadataFilter, limit: number, after: string): Array<{ content_uuid: string; kind: string }> {
    const driver = f.tags.reduce((a, b) => (b.length < a.length ? b : a));
    return this.mergedContents(driver, (ids, cursor, n) => this.heads(TAG_HEADS, ids, cursor, n), { ...f, tags: f.tags.filter((t) => t !== driver) }, limit, after);
  }

  /**
   * filteredContents when F names places (issue 32): the contents whose place rows match every
   * `place:` (an FTS5 match each, a few thousand rows at most for a town), in uuid order after
   * AFTER, the rest of F checked a chunk at a time until LIMIT are found.
   */
  private placedContents(f: MetadataFilter, limit: number, after: string): Array<{ content_uuid: string; kind: string }> {
    let matched: Set<string> | undefined;
    for (const match of f.places!) {
      const rows = this.sql<[string], string>(
        `SELECT DISTINCT d.content_uuid FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid WHERE search_fts MATCH ? AND d.source = 'place'`,
      ).pluck().all(match);
      matched = matched === undefined ? new Set(rows) : new Set(rows.filter((c) => matched!.has(c)));
    }
    const sorted = [...(matched ?? [])].filter((c) => c > after).sort();
    const rest: MetadataFilter = { ...f, places: [] };
    const out: Array<{ content_uuid: string; kind: string }> = [];
    for (let at = 0, chunk = Math.max(64, 2 * limit); at < sorted.length && out.length < limit; at += chunk, chunk = Math.min(4096, chunk * 2)) {
      const slice = sorted.slice(at, at + chunk);
      const met = new Map(this.meetingWithKind(slice, rest).map((r) => [r.content_uuid, r.kind] as const));
      for (const c of slice) {
        const kind = met.get(c);
        if (kind == null) continue;
        out.push({ content_uuid: c, kind });
        if (out.length === limit) break;
      }
    }
    return out;
  }

  /**
   * The contents of any of the sets DRIVER names (tags, albums), walked in uuid order as a merge of
   * each set's own list (HEADS reads up to N of each after a cursor, by uuid, from its index), a few
   * of each at a time; REST checked on those. A set over most contents reads a few hundred rows, not
   * every content it holds, and a small set reads only its own.
   */
  private mergedContents(driver: readonly string[], heads: (ids: readonly string[], after: string, n: number) => string[][], rest: MetadataFilter, limit: number, after: string): Array<{ content_uuid: string; kind: string }> {
    const out: Array<{ content_uuid: string; kind: string }> = [];
    let active = [...new Set(driver)];
    // Enough of each tag that the first round usually finds LIMIT; more each round when the rest of F is choosy.
    let each = Math.max(4, Math.ceil((2 * limit) / Math.max(1, active.length)));
    for (let cursor = after, round = 0; active.length > 0 && round < MAX_MERGE_ROUNDS; round++) {
      const got = heads(active, cursor, each);
      // Past the lowest last uuid of a tag that gave all it was asked for, that tag may hold more: the merge is complete up to it.
      let horizon: string | undefined;
      for (const h of got) if (h.length === each && (horizon === undefined || h.at(-1)! < horizon)) horizon = h.at(-1)!;
      // A tag that gave less than asked has nothing more; it is read again only for what lay past the horizon.
      const next = active.filter((_, i) => got[i]!.length === each || (horizon !== undefined && got[i]!.at(-1)! > horizon));
      const candidates = new Set<string>();
      for (const h of got) for (const c of h) if (horizon === undefined || c <= horizon) candidates.add(c);
      const sorted = [...candidates].sort();
      const met = new Map(this.meetingWithKind(sorted, rest).map((r) => [r.content_uuid, r.kind] as const));
      for (const c of sorted) {
        const kind = met.get(c);
        if (kind == null) continue;
        out.push({ content_uuid: c, kind });
        if (out.length === limit) return out;
      }
      if (horizon === undefined) break;
      cursor = horizon;
      active = next;
      each = Math.min(MAX_TAG_HEAD, each * 4);
    }
    return out;
  }

  /** For each of IDS (tags, albums: SQL says which), in order, up to N of its contents with uuids after AFTER, by uuid: one statement for all. */
  private heads(sql: string, ids: readonly string[], after: string, n: number): string[][] {
    const rows = this.sql<[string, number, string], string | null>(sql).pluck().all(after, n, JSON.stringify(ids));
    return rows.map((r) => (r === null ? [] : r.split(',')));
  }

  /** Those of CONTENTS that meet F and are in the library, with their kind. */
  private meetingWithKind(contents: readonly string[], f: MetadataFilter): Array<{ content_uuid: string; kind: string | null }> {
    if (contents.length === 0) return [];
    const where = filterConditions(f, 'v.value');
    return this.sql<unknown[], { content_uuid: string; kind: string | null }>(
      `SELECT v.value AS content_uuid, ${KIND_OF.replaceAll('d.content_uuid', 'v.value')} AS kind FROM json_each(?) v WHERE 1 ${where.sql}`,
    ).all(JSON.stringify(contents), ...where.args);
  }

  /** Those of CONTENTS that meet F (a search with words keeps only these of its matches). */
  meeting(contents: readonly string[], f: MetadataFilter): Set<string> {
    const where = filterConditions(f, 'v.value');
    const rows = this.sql<unknown[], string>(`SELECT v.value FROM json_each(?) v WHERE 1 ${where.sql}`).pluck().all(JSON.stringify(contents), ...where.args);
    return new Set(rows);
  }
}

/** Up to N contents of each set (a tag's, an album's) after a uuid, by uuid, from the set's own (set, content) index. */
const setHeads = (table: string, column: string) => `SELECT (SELECT group_concat(content_uuid, ',') FROM
    (SELECT content_uuid FROM ${table} WHERE ${column} = s.value AND content_uuid > ? AND present = 1 ORDER BY content_uuid LIMIT ?))
  FROM json_each(?) s ORDER BY s.id`;
const TAG_HEADS = setHeads('metadata_tag', 'tag_uuid');
const ALBUM_HEADS = setHeads('album_items', 'album_uuid');

/** Rounds of the tag merge at most (each reads MAX_TAG_HEAD of each tag at most once it has grown). */
const MAX_MERGE_ROUNDS = 64;
/** The most of one tag's contents a round of the merge reads. */
const MAX_TAG_HEAD = 4096;
