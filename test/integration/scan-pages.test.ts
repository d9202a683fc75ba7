/**
 * The steps that go over a whole library — the queueing phase, Live Photo linking, and the
 * content, sidecar and job lists — read it a page at a time: no single read returns more rows
 * than a page, whatever the library's size. Counted on the real SQLite statements of a library
 * of a few thousand contents. Live Photo linking in pages must also find exactly the pairs the
 * pairing rules give over the whole location at once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import type { Statement } from 'better-sqlite3';
import { LibraryApi } from '../../src/api/index.js';
import { Vss, addLocation, contentUuidFor, linkLivePhotos, pairLivePhotos, queueGeneration, type Library, type MediaFile } from '../internals.js';
import type { SidecarFilter, SidecarRecord } from '../../src/store/sidecars.js';
import { buildBigLibrary } from '../support/big-library.js';
import { tempDir } from '../helpers.js';

/** The largest page any of these steps reads (the queueing phase's 2,000 contents). */
const MAX_PAGE_ROWS = 2000;
const SETTINGS = { ocrLanguages: ['eng'], models: {}, threads: 1 };

/**
 * Watch LIB's statements: the most rows one `.all()` returned, and every SQL text prepared (to
 * check its plan). The statements are SQLite's own; only their results are counted.
 */
function watchReads(lib: Library): { largest: () => number; sql: Set<string>; reset: () => void } {
  let largest = 0;
  const sql = new Set<string>();
  const db = lib.db;
  const prepare = db.prepare.bind(db);
  db.prepare = ((text: string) => {
    sql.add(text);
    const st = prepare(text) as Statement;
    const all = st.all.bind(st);
    st.all = ((...args: unknown[]) => {
      const rows = all(...args);
      largest = Math.max(largest, rows.length);
      return rows;
    }) as typeof st.all;
    return st;
  }) as typeof db.prepare;
  return { largest: () => largest, sql, reset: () => { largest = 0; sql.clear(); } };
}

/**
 * No read does the work of the whole library on every page: a page read (with a LIMIT) never
 * sorts its rows in a temporary b-tree (that sorts every matching row for each page), and nothing
 * finds entries through the (location, inode) index (that reads every entry of a location).
 * The library has no ANALYZE statistics, as a user's has not.
 */
/** Every sidecar row matching FILTER, read a page at a time through the store. */
function sidecarsOf(lib: Library, filter: SidecarFilter = {}): SidecarRecord[] {
  const out: SidecarRecord[] = [];
  for (let page = lib.store.sidecars.page(filter, 0, 1000); page.length > 0; page = lib.store.sidecars.page(filter, page.at(-1)!.id, 1000)) out.push(...page);
  return out;
}

function assertPagedPlans(lib: Library, sql: Iterable<string>): void {
  for (const text of [...sql]) {
    if (/^\s*(EXPLAIN|INSERT|UPDATE|DELETE|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(text)) continue;
    const params = (text.match(/\?/g) ?? []).map(() => null);
    // Read on purpose: the plan SQLite makes for a store's statement is what this checks.
    const plan = (lib.db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail);
    const where = `${text.replace(/\s+/g, ' ')}\n  ${plan.join('\n  ')}`;
    assert.ok(!plan.some((d) => /entries_by_inode/.test(d)), `reads a whole location: ${where}`);
    if (/\bLIMIT \?/.test(text)) assert.ok(!plan.some((d) => /TEMP B-TREE FOR (LAST \d+ TERMS OF )?ORDER BY/.test(d)), `sorts every row for each page: ${where}`);
  }
}

describe('whole-library steps read a page at a time', () => {
  const CONTENTS = 5000;
  let dir: ReturnType<typeof tempDir>;
  let lib: Library;
  let locationId: number;
  let rows: ReturnType<typeof watchReads>;

  before(() => {
    dir = tempDir('vss-scan-pages-');
    const big = buildBigLibrary(dir.path, { contents: CONTENTS, livePhotos: true });
    lib = big.lib;
    locationId = big.locationId;
    rows = watchReads(lib);
  });
  after(() => {
    lib.close();
    dir.cleanup();
  });

  test('the queueing phase finds every content that lacks its sidecar', () => {
    let unmade = 0;
    for (const s of sidecarsOf(lib)) if (s.id % 3 === 0) unmade += lib.store.sidecars.delete(s.content_uuid, s.kind, s.variant);
    assert.ok(unmade > 0);
    rows.reset();
    const r = queueGeneration(lib, { locationId, settings: SETTINGS });
    assert.deepEqual({ pending: r.pending, queued: r.queued }, { pending: unmade, queued: unmade });
    assert.ok(rows.largest() <= MAX_PAGE_ROWS, `one read returned ${rows.largest()} rows`);
    assertPagedPlans(lib, rows.sql);
  });

  test('Live Photo linking records every pair', async () => {
    rows.reset();
    const r = await linkLivePhotos({ lib, locationId, onSkip: (p, why) => assert.fail(`${p}: ${why}`) });
    assert.equal(r.livePhotos, CONTENTS / 2);
    assert.ok(rows.largest() <= MAX_PAGE_ROWS, `one read returned ${rows.largest()} rows`);
    assertPagedPlans(lib, rows.sql);
  });

  test('content, sidecar and job lists, with and without filters', () => {
    const api = new LibraryApi(lib, { dataDir: join(dir.path, 'data'), access: 'read' });
    rows.reset();
    const count = (items: Iterable<unknown>) => {
      let n = 0;
      for (const _ of items) n++;
      return n;
    };
    assert.equal(count(api.content.iterate()), CONTENTS);
    assert.equal(count(api.content.iterate({ kind: 'video', locationId })), CONTENTS / 2);
    assert.equal(count(api.sidecars.iterate()), CONTENTS + CONTENTS / 2);
    assert.equal(count(api.sidecars.iterate({ kind: 'live_photo_video' })), CONTENTS / 2);
    assert.equal(count(api.sidecars.iterate({ kind: 'thumb', status: 'pending' })), Math.floor(CONTENTS / 3));
    assert.equal(count(api.sidecars.iterate({ status: 'ready' })), CONTENTS - Math.floor(CONTENTS / 3) + CONTENTS / 2);
    assert.equal(count(api.jobs.iterate()), CONTENTS + Math.floor(CONTENTS / 3));
    assert.equal(count(api.jobs.iterate({ status: 'completed' })), CONTENTS);
    assert.equal(count(api.jobs.iterate({ kind: 'thumb', status: 'queued' })), Math.floor(CONTENTS / 3));
    assert.ok(rows.largest() <= MAX_PAGE_ROWS, `one read returned ${rows.largest()} rows`);
    assertPagedPlans(lib, rows.sql);
  });
});

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('Live Photo linking in pages finds the pairs the rules give over the whole location', () => {
  let dir: ReturnType<typeof tempDir>;
  let lib: Library;

  before(() => { dir = tempDir('vss-live-pages-'); });
  after(() => {
    lib?.close();
    dir.cleanup();
  });

  test('3,000 shots: copies in several folders, identifiers across pages, clashing names and times', async () => {
    const rand = random(8);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const photos = join(dir.path, 'photos');
    mkdirSync(photos);
    lib = new Vss({ dataDir: join(dir.path, 'data') }).createLibrary('pages', join(dir.path, 'libraries'));
    const loc = addLocation(lib, photos, { mode: 'deep', generation: 'none' });
    const { entries, contents } = lib.store;
    const root = entries.rootOf(loc.id)!;
    const now = Date.now();
    const folders = new Map<string, number>();
    const folder = (name: string) => {
      let id = folders.get(name);
      if (id === undefined) {
        id = entries.insert(loc.id, { parent_id: root, name, rel_path: name, kind: 'dir', size: 0, inode: 0, mtime_ms: now, link_target: null }, now);
        folders.set(name, id);
      }
      return id;
    };
    const taken = (dirName: string, name: string) => entries.child(folder(dirName), name) !== undefined;
    let serial = 0;
    const content = (kind: 'image' | 'video', meta: Record<string, unknown>) => {
      const casId = blake3(Buffer.from(`shot content ${serial++}`)).toString('hex');
      const uuid = contentUuidFor(casId);
      const mime = kind === 'image' ? 'image/jpeg' : pick(['video/quicktime', 'video/quicktime', 'video/mp4']);
      const id = contents.upsert({ uuid, cas_id: casId, cas_version: 1, kind, mime, size: 1000 }, now);
      contents.setMediaMetadata(id, JSON.stringify({ v: 1, ...meta }));
      return { id, uuid };
    };
    const entry = (dirName: string, name: string, contentId: number) => {
      const file = { parent_id: folder(dirName), name, rel_path: `${dirName}/${name}`, kind: 'file' as const, size: 1000, inode: serial, mtime_ms: now, link_target: null };
      const id = entries.insert(loc.id, file, now);
      entries.linkContent({ ...file, id }, contentId, now);
      return id;
    };

    // What the pairing rules see of each file, built beside the rows.
    const stills: MediaFile[] = [];
    const movies: MediaFile[] = [];
    const FOLDERS = ['2023', '2023/trip', '2024', '2024/trip', 'copies', 'exports/a', 'exports/b'];
    const base = 1_700_000_000_000;
    lib.store.transaction(() => {
      for (let k = 0; k < 3000; k++) {
        // Every fifth shot reuses an earlier shot's name: same stem, other folders, other times.
        const stem = `IMG_${k % 5 === 4 ? Math.floor(rand() * k) : k}`;
        const id = rand() < 0.6 ? `live-${k}` : undefined;
        const exact = rand() < 0.7;
        const ms = rand() < 0.9 ? base + k * 60_000 : undefined;
        const time = ms === undefined ? undefined : { ms, exactZone: exact };
        const still = content('image', { captured_ms: ms, captured_zone: exact ? 'explicit' : 'inferred', content_identifier: id });
        const stillFolders = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(FOLDERS)))].filter((f) => !taken(f, `${stem}.JPG`));
        if (stillFolders.length === 0) continue;
        for (const f of stillFolders) {
          const name = `${stem}.JPG`;
          stills.push({ entryId: entry(f, name, still.id), contentUuid: still.uuid, relPath: `${f}/${name}`, ids: id ? [id.toUpperCase()] : [], time });
        }
        if (rand() < 0.3) continue;
        // The movie: mostly beside a copy of its still, sometimes elsewhere; its id may be missing or wrong.
        const mf = rand() < 0.7 ? pick(stillFolders) : pick(FOLDERS);
        const mid = rand() < 0.1 ? `live-${k + 1}` : rand() < 0.6 ? `live-${k}` : undefined;
        const mms = ms === undefined ? (rand() < 0.5 ? base : undefined) : ms - Math.floor(rand() * 5000) + (exact ? 0 : 3_600_000 * Math.floor(rand() * 3));
        const mtime = mms === undefined ? undefined : { ms: mms, exactZone: exact };
        const movie = content('video', { captured_ms: mms, captured_zone: exact ? 'explicit' : 'unknown', content_identifier: mid });
        const name = `${rand() < 0.2 ? stem.toLowerCase() : stem}.MOV`;
        if (taken(mf, name)) continue;
        movies.push({ entryId: entry(mf, name, movie.id), contentUuid: movie.uuid, relPath: `${mf}/${name}`, ids: mid ? [mid.toUpperCase()] : [], time: mtime });
      }
    });

    const pairs = [...pairLivePhotos(stills, movies)];
    const expected = new Map(pairs.map(([uuid, p]) => [uuid, p.movie.entryId]));
    const by = (how: string) => pairs.filter(([, p]) => p.by === how).length;
    assert.ok(by('identifier') > 500 && by('name-and-time') > 300, `too few pairs of a kind (${by('identifier')} by identifier, ${by('name-and-time')} by name): the generator no longer makes enough`);
    const r = await linkLivePhotos({ lib, locationId: loc.id, onSkip: (p, why) => assert.fail(`${p}: ${why}`) });
    const recorded = new Map(sidecarsOf(lib, { kind: 'live_photo_video' }).filter((row) => row.variant === 'original').map((row) => [row.content_uuid, row.source_entry_id]));
    assert.equal(r.livePhotos, expected.size);
    assert.deepEqual(recorded, expected);
  });
});
