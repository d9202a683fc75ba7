/**
 * bench/tags-bench.ts (c): `tag:` and `is:favorite` over M contents (default 100k): a big library
 * (test/support/big-library.ts: one copy each, in folders of 1,000, names indexed), 1,000 tags —
 * a tree Places → 10 countries → 10 cities each, People → 20 people, and flat topics — about 60 %
 * of contents carrying a city, 30 % a person, 50 % a topic, 10 % favourites, 30 % rated, 1 % hidden,
 * all made through SharedData.commit as a device makes them. Each query goes through the core
 * API's search (what the daemon serves: filters parsed, tag names to the tag and its descendants,
 * hidden contents left out, the first page by uuid with each content's kind and paths), timed
 * against the bare SQL that answers the same question on the same database in the same run: the
 * tag and its descendants by a recursive CTE, the first LIMIT contents that carry one of them (or
 * are favourites) and are not hidden, by uuid, with their kind. The two answers are checked to
 * name the same contents before anything is timed; then each query runs Q times, the two sides
 * alternating.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { Vss } from '../src/api/vss.js';
import { indexPending } from '../src/search/search-index.js';
import { SharedData, type UnstampedOp } from '../src/tags/shared-data.js';
import type { Library } from '../src/library/library.js';
import { buildBigLibrary } from '../test/support/big-library.js';
import { mulberry32 } from './mulberry32.js';
import { quantile } from './tags-propagation.js';
import { uuidOf } from './tags-sync.js';
import { Summary, collectGarbage, kilo, num, ratio, secs } from './util.js';

const LIMIT = 50;
const COMMIT_OPS = 10_000;
const COUNTRIES = ['Croatia', 'Italy', 'France', 'Spain', 'Greece', 'Portugal', 'Austria', 'Slovenia', 'Germany', 'Japan'];
const CROATIA = ['Dubrovnik', 'Split', 'Zagreb', 'Zadar', 'Pula', 'Rijeka', 'Hvar', 'Korcula', 'Rovinj', 'Osijek'];
const PEOPLE = 20;
const TOTAL_TAGS = 1000;

interface Query {
  q: string;
  /** Counted in the target's figures (tag:, is:favorite); otherwise shown only. */
  judged: boolean;
  bare: { sql: string; args: unknown[] };
}

/** The tags (a tree), and each content's tags and user metadata, as operations; how many of each. */
function seedMetadata(lib: Library, contents: string[]): { tags: number; taggings: number; favorites: number; ms: number } {
  const shared = new SharedData(lib);
  const t0 = performance.now();
  const tags: UnstampedOp[] = [];
  let n = 0;
  const tag = (name: string, parent: string | null) => {
    const id = uuidOf(3, n++);
    tags.push({ record: 'tag', id, set: { name, color: null, parent } });
    return id;
  };
  const places = tag('Places', null);
  const cities: string[] = [];
  for (const country of COUNTRIES) {
    const c = tag(country, places);
    for (let j = 0; j < 10; j++) cities.push(tag(country === 'Croatia' ? CROATIA[j]! : `${country} ${j}`, c));
  }
  const people = tag('People', null);
  const persons = Array.from({ length: PEOPLE }, (_, k) => tag(`person ${k}`, people));
  const topics: string[] = [];
  while (n < TOTAL_TAGS) topics.push(tag(`topic ${topics.length}`, null));
  shared.commit(tags);

  const rand = mulberry32(20);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  let ops: UnstampedOp[] = [];
  let taggings = 0;
  let favorites = 0;
  const flush = () => {
    shared.commit(ops);
    ops = [];
  };
  for (const content of contents) {
    const set = (id: string) => {
      ops.push({ record: 'tagging', id, content, set: { present: true } });
      taggings++;
    };
    if (rand() < 0.6) set(pick(cities));
    if (rand() < 0.3) set(pick(persons));
    if (rand() < 0.5) set(pick(topics));
    const meta: { favorite?: boolean; rating?: number; hidden?: boolean } = {};
    if (rand() < 0.1) {
      meta.favorite = true;
      favorites++;
    }
    if (rand() < 0.3) meta.rating = 1 + Math.floor(rand() * 5);
    if (rand() < 0.01) meta.hidden = true;
    if (Object.keys(meta).length > 0) ops.push({ record: 'meta', id: content, set: meta });
    if (ops.length >= COMMIT_OPS) flush();
  }
  flush();
  return { tags: n, taggings, favorites, ms: performance.now() - t0 };
}

const NOT_HIDDEN = (col: string) => `NOT EXISTS (SELECT 1 FROM user_metadata h WHERE h.content_uuid = ${col} AND h.hidden = 1)`;
const FAVORITE = (col: string) => `EXISTS (SELECT 1 FROM user_metadata f WHERE f.content_uuid = ${col} AND f.favorite = 1)`;
const TREE = (k: number) => `t${k}(uuid) AS (SELECT uuid FROM tags WHERE name = ? COLLATE NOCASE AND deleted = 0 AND name_hlc <> '' UNION SELECT c.uuid FROM tags c JOIN t${k} ON c.parent_uuid = t${k}.uuid WHERE c.deleted = 0)`;
const WITH_KIND = (inner: string) => `SELECT x.content_uuid, (SELECT kind FROM content_identities WHERE uuid = x.content_uuid) AS kind FROM (${inner}) x`;

/**
 * The SQL one would write for tags TAGS (each with its descendants, all met) and, with FAVORITE,
 * favourites only: not hidden, the first LIMIT by uuid, with their kind.
 */
function bareSql(tags: string[], favorite: boolean): { sql: string; args: unknown[] } {
  if (tags.length === 0) {
    return { sql: WITH_KIND(`SELECT content_uuid FROM user_metadata WHERE favorite = 1 AND hidden = 0 ORDER BY content_uuid LIMIT ${LIMIT}`), args: [] };
  }
  const conds = ['m.present = 1', 'm.tag_uuid IN t0', NOT_HIDDEN('m.content_uuid')];
  for (let k = 1; k < tags.length; k++) conds.push(`m.content_uuid IN (SELECT content_uuid FROM metadata_tag WHERE present = 1 AND tag_uuid IN t${k})`);
  if (favorite) conds.push(FAVORITE('m.content_uuid'));
  return {
    sql: `WITH RECURSIVE ${tags.map((_, k) => TREE(k)).join(', ')} ${WITH_KIND(`SELECT DISTINCT m.content_uuid FROM metadata_tag m WHERE ${conds.join(' AND ')} ORDER BY m.content_uuid LIMIT ${LIMIT}`)}`,
    args: tags,
  };
}

function queries(): Query[] {
  const q = (text: string, tags: string[], favorite: boolean, judged = true): Query => ({ q: text, judged, bare: bareSql(tags, favorite) });
  return [
    q('tag:Dubrovnik', ['Dubrovnik'], false),
    q('tag:Croatia', ['Croatia'], false),
    q('tag:Places', ['Places'], false),
    q('tag:"topic 7"', ['topic 7'], false),
    q('tag:People', ['People'], false),
    q('is:favorite', [], true),
    q('tag:Croatia is:favorite', ['Croatia'], true),
    q('tag:Places is:favorite', ['Places'], true),
    q('tag:Places tag:People', ['Places', 'People'], false),
    { q: 'rating:>=4', judged: false, bare: { sql: WITH_KIND(`SELECT content_uuid FROM user_metadata WHERE rating >= 4 AND hidden = 0 ORDER BY content_uuid LIMIT ${LIMIT}`), args: [] } },
  ];
}

export async function benchTagSearch(o: { contents: number; 'query-runs': number }, dir: string, summary: Summary): Promise<void> {
  mkdirSync(dir, { recursive: true });
  console.log(`(c) building a library of ${kilo(o.contents)} contents…`);
  const t0 = performance.now();
  const big = buildBigLibrary(dir, { contents: o.contents });
  const lib = big.lib;
  const contents = lib.db.prepare('SELECT uuid FROM content_identities ORDER BY id').pluck().all() as string[];
  const seeded = seedMetadata(lib, contents);
  await indexPending(lib);
  const root = lib.root;
  lib.close();
  console.log(`    built in ${secs((performance.now() - t0) / 1000)}; ${seeded.tags} tags, ${kilo(seeded.taggings)} taggings, ${kilo(seeded.favorites)} favourites (made through SharedData.commit in ${secs(seeded.ms / 1000)})`);

  const api = new Vss({ dataDir: big.dataDir }).openLibrary({ path: root });
  const bare = new Database(join(root, 'database.db'), { readonly: true, fileMustExist: true });
  bare.pragma('cache_size = -32000'); // as a library's connection has
  try {
    const qs = queries();
    const stmts = qs.map((x) => bare.prepare(x.bare.sql));
    for (const [i, x] of qs.entries()) {
      const ours = (await api.search.answer(x.q)).results.map((r) => r.content_uuid);
      const theirs = (stmts[i]!.all(...x.bare.args) as Array<{ content_uuid: string }>).map((r) => r.content_uuid);
      if (ours.length === 0 || ours.join() !== theirs.join()) throw new Error(`${x.q}: the search and the bare SQL disagree (${ours.length} / ${theirs.length} contents; first ${ours[0]} / ${theirs[0]})`);
    }
    const ourMs = qs.map(() => [] as number[]);
    const bareMs = qs.map(() => [] as number[]);
    collectGarbage();
    const c0 = process.cpuUsage();
    let ourCpu = 0;
    for (let r = 0; r < o['query-runs']; r++) {
      for (const [i, x] of qs.entries()) {
        const u0 = process.cpuUsage();
        let t = performance.now();
        await api.search.answer(x.q);
        ourMs[i]!.push(performance.now() - t);
        const u = process.cpuUsage(u0);
        ourCpu += (u.user + u.system) / 1000;
        t = performance.now();
        stmts[i]!.all(...x.bare.args);
        bareMs[i]!.push(performance.now() - t);
      }
    }
    const c = process.cpuUsage(c0);
    const allCpu = (c.user + c.system) / 1000;
    console.log(`(c) ${qs.length} queries × ${o['query-runs']} runs over ${kilo(o.contents)} contents, limit ${LIMIT} (CPU: search ${secs(ourCpu / 1000)}, bare ${secs((allCpu - ourCpu) / 1000)})`);
    console.log(`    ${'query'.padEnd(26)} ${'vss p50'.padStart(9)} ${'bare p50'.padStart(9)} ${'ratio'.padStart(6)}   ${'vss p99'.padStart(9)} ${'bare p99'.padStart(9)} ${'ratio'.padStart(6)}`);
    const cell = (x: number) => `${num(x)} ms`.padStart(9);
    for (const [i, x] of qs.entries()) {
      const [a50, b50, a99, b99] = [quantile(ourMs[i]!, 0.5), quantile(bareMs[i]!, 0.5), quantile(ourMs[i]!, 0.99), quantile(bareMs[i]!, 0.99)];
      console.log(`    ${x.q.padEnd(26)} ${cell(a50)} ${cell(b50)} ${ratio(a50 / b50).padStart(6)}   ${cell(a99)} ${cell(b99)} ${ratio(a99 / b99).padStart(6)}`);
    }
    const judged = qs.flatMap((x, i) => (x.judged ? [i] : []));
    const a = judged.flatMap((i) => ourMs[i]!);
    const b = judged.flatMap((i) => bareMs[i]!);
    const [a50, b50, a99, b99] = [quantile(a, 0.5), quantile(b, 0.5), quantile(a, 0.99), quantile(b, 0.99)];
    console.log(`    ${'all'.padEnd(26)} ${cell(a50)} ${cell(b50)} ${ratio(a50 / b50).padStart(6)}   ${cell(a99)} ${cell(b99)} ${ratio(a99 / b99).padStart(6)}`);
    summary.add({ what: `(c) tag: / is:favorite search p99, ${kilo(o.contents)} contents`, value: `${num(a99)} ms`, ratio: `${ratio(a99 / b99)} bare`, target: '< 20 ms, ≤ 1.5× bare', ok: a99 < 20 && a99 / b99 <= 1.5 });
    summary.add({ what: '    p50', value: `${num(a50)} ms`, ratio: `${ratio(a50 / b50)} bare`, target: '', ok: null });
    summary.add({ what: '    bare SQL p50 / p99 (anchor)', value: `${num(b50)} / ${num(b99)} ms`, ratio: '', target: '', ok: null });
  } finally {
    bare.close();
    api.close();
  }
}
