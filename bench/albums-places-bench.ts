/**
 * `node dist/bench/albums-places-bench.js [--contents N] [--runs R] [--keep]` (npm run bench:albums)
 *
 * Issue 32's targets over a synthetic library of N contents (default 100k, one copy each, dated
 * over five years, a place on two in three from 40 towns, searched names and places indexed):
 *  - a bulk tag of 10,000 selected photos and putting them in an album (`TagBook.add`,
 *    `AlbumBook.add`: one shared-data commit each, stamped, merged and logged) — anchor: the same
 *    10,000 rows inserted into a bare table of the same shape in one transaction;
 *  - `place:` and `album:` searches (limit 50, a page of the UI), p99 over R runs — anchor: a plain
 *    FTS5 MATCH of the same town's name, LIMIT 50;
 *  - a smart album's refresh (its search run whole: every content it holds) over 10k and 60k matches.
 */
import { tmpdir } from 'node:os';
import { AlbumBook } from '../src/albums/album-book.js';
import { albumContents } from '../src/albums/album-contents.js';
import { contentUuidFor } from '../src/content/identity.js';
import { Installation as Vss } from '../src/library/installation.js';
import type { Library } from '../src/library/library.js';
import { indexPending } from '../src/search/search-index.js';
import { searchLibrary } from '../src/search/search-query.js';
import type { EntryFacts } from '../src/store/entries.js';
import { TagBook } from '../src/tags/tag-book.js';
import { Summary, benchArgs, freshDir, ratio, rmrf, runMain, secs, timeSync } from './util.js';

const TOWNS = ['Dubrovnik', 'Split', 'Zagreb', 'Arezzo', 'Florence', 'Siena', 'Reykjavík', 'Akureyri', 'Kyoto', 'Osaka', 'Lisbon', 'Porto', 'Geneva', 'Basel', 'Lyon', 'Nice',
  'Oslo', 'Bergen', 'Seville', 'Granada', 'Valencia', 'Munich', 'Berlin', 'Hamburg', 'Vienna', 'Graz', 'Prague', 'Brno', 'Krakow', 'Gdansk', 'Ljubljana', 'Piran', 'Kotor', 'Budva',
  'Sarajevo', 'Mostar', 'Zadar', 'Rovinj', 'Pula', 'Hvar'];
const DAY_MS = 86_400_000;
const BULK = 10_000;

async function main(): Promise<void> {
  const o = benchArgs('albums-places-bench [--contents N] [--runs R] [--keep]', { contents: { default: 100_000, min: 20_000 }, runs: { default: 200, min: 10 } }, ['keep']);
  const workDir = freshDir(tmpdir(), 'vss-albums-');
  const summary = new Summary();
  try {
    const vss = new Vss({ dataDir: `${workDir}/data` });
    const lib = vss.createLibrary('Albums', workDir, { makeCurrent: false });
    const uuids = timeSync(() => fill(lib, o.contents));
    summary.add({ what: `insert ${o.contents} contents with places`, value: secs(uuids.s), ratio: '', target: '', ok: null });
    const indexed = await timeAsyncOf(() => indexPending(lib));
    summary.add({ what: `index their names and places for search`, value: secs(indexed), ratio: '', target: '', ok: null });

    // Bulk: 10,000 photos tagged and put in an album, each one commit, against a bare insert of as many rows.
    const picked = uuids.value.filter((_, i) => i % Math.floor(o.contents / BULK) === 0).slice(0, BULK);
    const tag = timeSync(() => new TagBook(lib).add('Trip', picked));
    const album = timeSync(() => new AlbumBook(lib).add('Summer', picked));
    if (tag.value.changed !== BULK || album.value.changed !== BULK) throw new Error(`tagged ${tag.value.changed}, put in the album ${album.value.changed}, of ${BULK}`);
    const bare = timeSync(() => {
      // Raw on purpose: the anchor, a bare table of the same shape as metadata_tag.
      lib.db.exec('CREATE TABLE bench_bare (a TEXT NOT NULL, b TEXT NOT NULL, present INTEGER NOT NULL, hlc TEXT NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID');
      const ins = lib.db.prepare('INSERT INTO bench_bare VALUES (?, ?, 1, ?)');
      lib.db.transaction(() => { for (const [i, c] of picked.entries()) ins.run('t', c, String(i)); })();
    });
    summary.add({ what: `tag ${BULK} selected photos (one shared-data commit)`, value: secs(tag.s), ratio: ratio(tag.s / bare.s), target: '< 2 s', ok: tag.s < 2 });
    summary.add({ what: `put ${BULK} photos in an album`, value: secs(album.s), ratio: ratio(album.s / bare.s), target: '< 2 s', ok: album.s < 2 });

    // Searches a page at a time, p99 over RUNS, against a plain FTS5 MATCH of the town.
    const fts = lib.db.prepare("SELECT rowid FROM search_fts WHERE search_fts MATCH ? LIMIT 50").pluck();
    const p99 = (fn: (i: number) => unknown) => {
      const times: number[] = [];
      for (let i = 0; i < o.runs; i++) {
        const t = performance.now();
        fn(i);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      return times[Math.min(times.length - 1, Math.floor(times.length * 0.99))]! / 1000;
    };
    const anchor = p99((i) => fts.all(`"${TOWNS[i % TOWNS.length]!.toLowerCase()}"`));
    const cases: Array<[string, (i: number) => string]> = [
      ['place:TOWN', (i) => `place:${TOWNS[i % TOWNS.length]}`],
      ['album:Summer', () => 'album:Summer'],
      ['place:TOWN album:Summer', (i) => `place:${TOWNS[i % TOWNS.length]} album:Summer`],
      ['TOWN (words: finds the place)', (i) => TOWNS[i % TOWNS.length]!],
    ];
    for (const [what, q] of cases) {
      const found = searchLibrary(lib, q(0), { limit: 50 });
      if (found.length === 0) throw new Error(`${what} found nothing`);
      const s = p99((i) => searchLibrary(lib, q(i), { limit: 50 }));
      summary.add({ what: `search ${what}, 50 results, p99`, value: secs(s), ratio: ratio(s / anchor), target: '< 50 ms', ok: s < 0.05 });
    }

    // Smart albums: their search run whole.
    const book = new AlbumBook(lib);
    for (const [name, query] of [['Tagged Trip', 'tag:Trip'], ['Croatia and Italy 2021-2023', 'date:2021..2023']] as const) {
      book.create(name, { query });
      const record = lib.store.albums.named(name)[0]!;
      const run = timeSync(() => albumContents(lib, record));
      summary.add({ what: `smart album "${query}" refreshed (${run.value.length} contents)`, value: secs(run.s), ratio: '', target: '', ok: null });
    }
    console.log(`albums and places over ${o.contents} contents (anchors: a bare insert of ${BULK} rows ${secs(bare.s)}; a plain FTS5 MATCH LIMIT 50, p99 ${secs(anchor)})`);
    summary.print();
    lib.close();
  } finally {
    if (!o.keep) rmrf(workDir);
  }
}

async function timeAsyncOf(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

/** N contents, one file each, dated over five years, two in three with a place; their uuids. */
function fill(lib: Library, n: number): string[] {
  const { locations, entries, contents } = lib.store;
  const now = Date.now();
  const start = Date.UTC(2020, 0, 1);
  const out: string[] = [];
  lib.store.transaction(() => {
    const loc = locations.insert({ uuid: '00000000-0000-4000-8000-000000000001', device_id: lib.deviceId, name: 'photos', path: '/photos', kind: 'disk', index_mode: 'deep', ignore_rules: '[]', generation: null }, now);
    const root = entries.insertRoot(loc, '', 0, now, now);
    let files: EntryFacts[] = [];
    let uuids: string[] = [];
    let dirId = 0;
    const flush = () => {
      const ids = entries.insertMany(loc, files, now);
      entries.linkContents(ids.map((id, j) => ({ file: { ...files[j]!, id, content_id: null }, uuid: uuids[j]! })), now);
      files = [];
      uuids = [];
    };
    for (let i = 0; i < n; i++) {
      if (i % 1000 === 0) {
        if (files.length > 0) flush();
        dirId = entries.insert(loc, { parent_id: root, name: `d${i / 1000}`, rel_path: `d${i / 1000}`, kind: 'dir', size: 0, inode: 0, mtime_ms: now, link_target: null }, now);
      }
      const cas = (i + 1).toString(16).padStart(64, '0');
      const uuid = contentUuidFor(cas);
      const ms = start + Math.floor((((i * 7919) % n) / n) * 5 * 365 * DAY_MS / 1000) * 1000;
      const town = TOWNS[(i * 31) % TOWNS.length]!;
      const place = i % 3 === 2 ? undefined : { city: town, region: `${town} County`, country: 'Europe', cc: 'EU' };
      contents.insert({ uuid, cas_id: cas, cas_version: 1, kind: 'image', mime: 'image/jpeg', size: 1000, media_metadata: JSON.stringify({ v: 1, captured_at: new Date(ms).toISOString(), captured_ms: ms, ...(place ? { place } : {}) }), created_at: now });
      const name = `IMG_${String(i).padStart(6, '0')}.jpg`;
      files.push({ parent_id: dirId, name, rel_path: `d${Math.floor(i / 1000)}/${name}`, kind: 'file', size: 1000, inode: i + 1, mtime_ms: now, link_target: null });
      uuids.push(uuid);
      out.push(uuid);
    }
    if (files.length > 0) flush();
  });
  return out;
}

runMain(import.meta.url, main);
