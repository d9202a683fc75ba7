/**
 * `node dist/bench/search-bench.js [--docs N] [--runs R] [--sample S] [--keep]`
 *
 * Search over N OCR'd documents (default 100k, see search-corpus.ts): a library with N contents,
 * one copy each, and their text as the index holds it (a name row and a row per page). The anchor
 * is bare SQLite FTS5: the same rows in a plain FTS5 table (same tokenizer), queried directly with
 * the same MATCH, ORDER BY rank, LIMIT 50 and snippet().
 *
 * - Indexing: the rows going into `search_docs` (FTS5 kept by triggers) against a bare INSERT into
 *   the FTS5 table, docs/s and MB/s of text; and the whole path for S contents with real OCR
 *   sidecar files (read, parsed, rows replaced, queue drained in slices).
 * - Queries: p50 / p99 of a fixed mix (common words, rare words, phrases, prefixes, two words) run
 *   R times through `LibraryApi.search.query` (a result per content, paths, locators) against the
 *   bare query. Targets: p99 < 50 ms, and ≤ 1.5× the bare query. Each query's best score is
 *   checked to be the bare query's best before anything is timed.
 * - Locators: finding the page and line box of 50 OCR results (their sidecar JSON read).
 * - A kind filter's worst case: common words filtered to a kind no content has (the fetch stops at its bound).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { Installation } from '../src/library/installation.js';
import { addLocation } from '../src/locations/locations.js';
import type { EntryFacts } from '../src/store/entries.js';
import { SidecarManager } from '../src/sidecars/manager.js';
import { Vss } from '../src/api/vss.js';
import { indexPending } from '../src/search/search-index.js';
import { MARK_END, MARK_START, ftsQuery, type Hit } from '../src/search/search-query.js';
import { locatorsOf } from '../src/search/locator.js';
import { searchedText } from '../src/search/ocr-text.js';
import { Corpus, type BenchDoc } from './search-corpus.js';
import { mulberry32 } from './mulberry32.js';
import { MiB, Summary, benchArgs, collectGarbage, freshDir, kilo, num, ratio, rmrf, runMain, secs } from './util.js';

const LIMIT = 50;
const BATCH_DOCS = 1000;

interface Row { id: number; text: string }

/** Document D's pages as its OCR sidecar holds them (ocrJson writes them): a block per line. */
function ocrPagesOf(d: BenchDoc) {
  return d.pages.map((lines, i) => ({
    page: i + 1, source: 'ocr', text: lines.join('\n'), confidence: 0.9, rotation: 0, width: 2480, height: 3508, unit: 'px',
    blocks: lines.map((l, k) => ({ text: l, bbox: [120, 150 + k * 48, 120 + l.length * 22, 190 + k * 48], confidence: 0.9 })),
  }));
}

/**
 * The rows the index holds for document D: its name, then a row per page with a line search
 * indexes (searchedText, as indexContent reads the sidecar: the corpus has one-letter lines, which
 * the OCR line rule leaves out), each with its page number. Both the bare table and search_docs get these.
 */
function rowsOf(d: BenchDoc): Array<{ locator: number | null; text: string }> {
  const rows: Array<{ locator: number | null; text: string }> = [{ locator: null, text: d.name }];
  for (const p of ocrPagesOf(d)) {
    const text = searchedText(p);
    if (text.trim() !== '') rows.push({ locator: p.page, text });
  }
  return rows;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** A fixed query mix drawn from the corpus: what people type into a search box over scanned paper. */
function queryMix(corpus: Corpus, docs: number): Array<{ kind: string; q: string }> {
  const w = corpus.words;
  const rank = new Map(w.map((x, i) => [x, i]));
  const mix: Array<{ kind: string; q: string }> = [];
  const rnd = mulberry32(42);
  const pick = (from: number, to: number) => w[from + Math.floor(rnd() * (to - from))]!;
  for (let i = 0; i < 8; i++) mix.push({ kind: 'common word', q: pick(60, 300) });
  // Rare words that some document has: a word of rank 5,000 or more from a document's text.
  while (mix.length < 16) {
    const words = corpus.doc(Math.floor(rnd() * docs)).pages.flat().join(' ').split(' ');
    const rare = words.find((x) => (rank.get(x.toLowerCase()) ?? 0) >= 5_000);
    if (rare !== undefined) mix.push({ kind: 'rare word', q: rare.toLowerCase() });
  }
  for (let i = 0; i < 8; i++) {
    const d = corpus.doc(Math.floor(rnd() * docs));
    const line = d.pages[0]![Math.floor(rnd() * d.pages[0]!.length)]!.split(' ');
    const at = Math.floor(rnd() * Math.max(1, line.length - 1));
    mix.push({ kind: 'phrase', q: `"${line.slice(at, at + 2).join(' ')}"` });
  }
  for (let i = 0; i < 8; i++) mix.push({ kind: 'prefix', q: `${pick(300, 3_000).slice(0, 4)}*` });
  for (let i = 0; i < 4; i++) mix.push({ kind: 'two words', q: `${pick(60, 300)} ${pick(300, 3_000)}` });
  return mix;
}

function ocrJson(d: BenchDoc): Buffer {
  const pages = ocrPagesOf(d);
  return Buffer.from(JSON.stringify({ text: pages.map((p) => p.text).join('\n\n'), lang: 'eng', confidence: 0.9, engine: 'bench', pageCount: pages.length, pagesRead: pages.length, truncated: false, pages }));
}

async function main(): Promise<void> {
  const o = benchArgs('search-bench [--docs N] [--runs R] [--sample S] [--keep]',
    { docs: { default: 100_000, min: 100 }, runs: { default: 15, min: 3 }, sample: { default: 3_000, min: 10 } }, ['keep']);
  const workDir = freshDir(tmpdir(), 'vss-search-bench-');
  const summary = new Summary();
  const corpus = new Corpus();
  try {
    const dataDir = join(workDir, 'data');
    const tree = join(workDir, 'tree');
    mkdirSync(tree);
    const lib = new Installation({ dataDir }).createLibrary('SearchBench', workDir, { makeCurrent: false });
    const libRoot = lib.root;
    const uuids: string[] = [];
    let textBytes = 0;
    let rowCount = 0;
    let ourS = 0;
    try {
      // N contents with one copy each, as a scan would leave them (the rows are not timed).
      const loc = addLocation(lib, tree, { mode: 'content' }).id;
      const now = Date.now();
      // Through the stores as a scan writes them: the contents, then the files in multi-row inserts and links.
      const { entries, contents } = lib.store;
      const rootId = entries.rootOf(loc)!;
      lib.store.transaction(() => {
        const files: EntryFacts[] = [];
        for (let i = 0; i < o.docs; i++) {
          const uuid = randomUUID();
          uuids.push(uuid);
          const name = corpus.doc(i).name;
          const pdf = name.endsWith('.pdf');
          contents.insert({ uuid, cas_id: `cas${i}`, cas_version: 1, kind: pdf ? 'document' : 'image', mime: pdf ? 'application/pdf' : 'image/tiff', size: 1000, media_metadata: null, created_at: now });
          files.push({ parent_id: rootId, name, rel_path: name, kind: 'file', size: 1000, inode: i + 1, mtime_ms: now, link_target: null });
        }
        const ids = entries.insertMany(loc, files, now);
        entries.linkContents(ids.map((id, i) => ({ file: { ...files[i]!, id, content_id: null }, uuid: uuids[i]! })), now);
      });
      // Raw: the links queued every content for search, and the rows are written below instead; the store has no bulk drop.
      lib.db.exec('DELETE FROM search_pending');

      // Indexing, rows: what indexContent writes, against a bare FTS5 INSERT of the same rows.
      // Raw on purpose: the row writes alone are timed against the bare FTS5 insert of the same rows.
      const ins = lib.db.prepare("INSERT INTO search_docs (content_uuid, source, locator, at, text, cjk) VALUES (?, ?, ?, NULL, ?, 0)");
      console.log(`building ${kilo(o.docs)} documents…`);
      for (let from = 0; from < o.docs; from += BATCH_DOCS) {
        const docs = Array.from({ length: Math.min(BATCH_DOCS, o.docs - from) }, (_, k) => corpus.doc(from + k));
        const t0 = performance.now();
        lib.db.transaction(() => {
          docs.forEach((d, k) => {
            const [name, ...pages] = rowsOf(d);
            ins.run(uuids[from + k]!, 'name', null, name!.text);
            for (const p of pages) ins.run(uuids[from + k]!, 'ocr', p.locator, p.text);
          });
        })();
        ourS += (performance.now() - t0) / 1000;
        for (const d of docs) for (const r of rowsOf(d)) { textBytes += Buffer.byteLength(r.text); rowCount++; }
      }
    } finally {
      lib.close();
    }

    const bare = new Database(join(workDir, 'bare.db'));
    bare.pragma('journal_mode = WAL');
    bare.pragma('synchronous = NORMAL');
    bare.pragma('cache_size = -32000');
    bare.exec("CREATE VIRTUAL TABLE bare USING fts5(text, tokenize = 'unicode61 remove_diacritics 2')");
    const bareIns = bare.prepare('INSERT INTO bare (rowid, text) VALUES (?, ?)');
    let bareS = 0;
    let rowid = 0;
    for (let from = 0; from < o.docs; from += BATCH_DOCS) {
      const rows: Row[] = [];
      for (let k = 0; k < Math.min(BATCH_DOCS, o.docs - from); k++) for (const r of rowsOf(corpus.doc(from + k))) rows.push({ id: ++rowid, text: r.text });
      const t0 = performance.now();
      bare.transaction(() => { for (const r of rows) bareIns.run(r.id, r.text); })();
      bareS += (performance.now() - t0) / 1000;
    }
    const mbText = textBytes / MiB;
    console.log(`\n== Indexing ${kilo(o.docs)} OCR documents (${kilo(rowCount)} rows, ${num(mbText)} MiB of text) ==`);
    console.log(`  anchor, bare FTS5 INSERT:          ${secs(bareS)} = ${kilo(o.docs / bareS)} docs/s, ${num(mbText / bareS)} MB/s`);
    console.log(`  search_docs (FTS5 + trigram by triggers): ${secs(ourS)} = ${kilo(o.docs / ourS)} docs/s, ${num(mbText / ourS)} MB/s, ${ratio(ourS / bareS)} the bare insert`);
    summary.add({ what: `indexing rows, ${kilo(o.docs)} docs`, value: `${num(mbText / ourS)} MB/s`, ratio: `${ratio(ourS / bareS)} bare`, target: '', ok: null });

    // The whole path for S contents: their OCR sidecars written (untimed), then queued and indexed as the follower does.
    const lib2 = new Installation({ dataDir }).openLibrary(libRoot);
    let sampleBytes = 0;
    try {
      const manager = new SidecarManager(lib2);
      const n = Math.min(o.sample, o.docs);
      for (let i = 0; i < n; i++) {
        const d = corpus.doc(i);
        manager.writeGenerated({ contentUuid: uuids[i]!, kind: 'ocr', variant: 'default', format: 'json' }, ocrJson(d), 'bench');
        for (const r of rowsOf(d)) sampleBytes += Buffer.byteLength(r.text);
      }
      lib2.store.search.queue(uuids.slice(0, n));
      const t0 = performance.now();
      const indexed = await indexPending(lib2);
      const fullS = (performance.now() - t0) / 1000;
      if (indexed !== n) throw new Error(`indexed ${indexed} of ${n} queued contents`);
      const bareRate = mbText / bareS;
      console.log(`  whole path, ${kilo(n)} contents with OCR sidecar files (read, parsed, rows replaced, in slices): ${secs(fullS)} = ${kilo(n / fullS)} docs/s, ${num(sampleBytes / MiB / fullS)} MB/s of text, ${ratio(bareRate / (sampleBytes / MiB / fullS))} the bare insert per MB`);
      summary.add({ what: `indexing OCR sidecars, ${kilo(n)} contents`, value: `${kilo(n / fullS)} docs/s`, ratio: `${ratio(bareRate / (sampleBytes / MiB / fullS))} bare`, target: '', ok: null });

      // Locators: 50 OCR results with sidecar files, their page and line box found.
      // Raw on purpose: hits shaped as a query returns them, picked by page, with no query run.
      const hits = lib2.db.prepare("SELECT d.content_uuid, 'image' AS kind, 0 AS score, d.source, d.locator, d.at, d.text FROM search_docs d WHERE d.source = 'ocr' AND d.locator = 1 AND d.content_uuid IN (SELECT value FROM json_each(?))")
        .all(JSON.stringify(uuids.slice(0, LIMIT))) as Array<Hit & { text: string }>;
      // Marked as the query's snippet() marks a match (search-query.ts MARK_START / MARK_END).
      for (const h of hits) h.snippet = `…${MARK_START}${h.text.split(/\s+/)[5] ?? h.text.split(/\s+/)[0]}${MARK_END}…`;
      const locRuns: number[] = [];
      for (let r = 0; r < o.runs; r++) {
        const t = performance.now();
        const locs = locatorsOf(lib2, hits);
        locRuns.push(performance.now() - t);
        if (locs.some((l) => l?.box === undefined)) throw new Error('a locator without its box');
      }
      console.log(`  locators of ${hits.length} OCR results (sidecar JSON read for boxes): p50 ${num(percentile(locRuns, 50))} ms`);
    } finally {
      lib2.close();
    }

    // Queries, through the core API a daemon serves, against the bare FTS5 query.
    const vss = new Vss({ dataDir });
    const api = vss.openLibrary({ path: libRoot });
    try {
      const bareQ = bare.prepare(`SELECT rowid, rank, snippet(bare, 0, '[', ']', '…', 12) AS snippet FROM bare WHERE bare MATCH ? ORDER BY rank LIMIT ${LIMIT}`);
      const mix = queryMix(corpus, o.docs);
      for (const m of mix) {
        const ours = await api.search.query(m.q);
        const theirs = bareQ.all(ftsQuery(m.q)) as Array<{ rank: number }>;
        if (ours.length === 0 || theirs.length === 0) throw new Error(`${m.q}: nothing found (${ours.length} / ${theirs.length})`);
        if (Math.abs(ours[0]!.score - theirs[0]!.rank) > 1e-9 * Math.abs(theirs[0]!.rank)) throw new Error(`${m.q}: best score ${ours[0]!.score} ≠ bare ${theirs[0]!.rank}`);
      }
      const ourMs = new Map<string, number[]>();
      const bareMs = new Map<string, number[]>();
      const add = (m: Map<string, number[]>, k: string, v: number) => { const l = m.get(k); if (l) l.push(v); else m.set(k, [v]); };
      collectGarbage();
      for (let r = 0; r < o.runs; r++) {
        for (const m of mix) {
          let t = performance.now();
          await api.search.query(m.q);
          const ms = performance.now() - t;
          add(ourMs, m.kind, ms);
          add(ourMs, 'all', ms);
          const match = ftsQuery(m.q);
          t = performance.now();
          bareQ.all(match);
          const bms = performance.now() - t;
          add(bareMs, m.kind, bms);
          add(bareMs, 'all', bms);
        }
      }
      console.log(`\n== Queries over ${kilo(o.docs)} documents: ${mix.length} queries × ${o.runs} runs, limit ${LIMIT} ==`);
      console.log(`  ${'queries'.padEnd(12)} ${'vss p50'.padStart(9)} ${'bare p50'.padStart(9)} ${'ratio'.padStart(6)}   ${'vss p99'.padStart(9)} ${'bare p99'.padStart(9)} ${'ratio'.padStart(6)}`);
      for (const k of [...new Set(mix.map((m) => m.kind)), 'all']) {
        const a = ourMs.get(k)!;
        const b = bareMs.get(k)!;
        const [a50, b50, a99, b99] = [percentile(a, 50), percentile(b, 50), percentile(a, 99), percentile(b, 99)];
        console.log(`  ${k.padEnd(12)} ${`${num(a50)} ms`.padStart(9)} ${`${num(b50)} ms`.padStart(9)} ${ratio(a50 / b50).padStart(6)}   ${`${num(a99)} ms`.padStart(9)} ${`${num(b99)} ms`.padStart(9)} ${ratio(a99 / b99).padStart(6)}`);
      }
      console.log(`  the mix: ${mix.map((m) => m.q).join(', ')}`);
      const a = ourMs.get('all')!;
      const b = bareMs.get('all')!;
      const p99 = percentile(a, 99);
      summary.add({ what: `search p99, ${kilo(o.docs)} docs`, value: `${num(p99)} ms`, ratio: `${ratio(p99 / percentile(b, 99))} bare`, target: '< 50 ms, ≤ 1.5× bare', ok: p99 < 50 && p99 / percentile(b, 99) <= 1.5 });
      summary.add({ what: `search p50, ${kilo(o.docs)} docs`, value: `${num(percentile(a, 50))} ms`, ratio: `${ratio(percentile(a, 50) / percentile(b, 50))} bare`, target: '', ok: null });
      summary.add({ what: 'bare FTS5 p99 (anchor)', value: `${num(percentile(b, 99))} ms`, ratio: '', target: '', ok: null });

      // The worst case of a kind filter: common words in a kind no content has, so no fetch fills the
      // limit; the fetch stops at its bound (search-query.ts) instead of ranking every match.
      const kindMs: number[] = [];
      const kindBare: number[] = [];
      const common = mix.filter((m) => m.kind === 'common word');
      for (let r = 0; r < o.runs; r++) {
        for (const m of common) {
          let t = performance.now();
          const found = await api.search.query(m.q, { kind: 'audio' });
          kindMs.push(performance.now() - t);
          if (found.length !== 0) throw new Error(`${m.q}: found audio where there is none`);
          t = performance.now();
          bareQ.all(ftsQuery(m.q));
          kindBare.push(performance.now() - t);
        }
      }
      console.log(`  common word, kind with no content (bounded fetch): p50 ${num(percentile(kindMs, 50))} ms, p99 ${num(percentile(kindMs, 99))} ms (bare unfiltered p99 ${num(percentile(kindBare, 99))} ms)`);
      summary.add({ what: 'kind filter worst case p99', value: `${num(percentile(kindMs, 99))} ms`, ratio: `${ratio(percentile(kindMs, 99) / percentile(kindBare, 99))} bare`, target: '', ok: null });
      console.log();
      summary.print();
    } finally {
      api.close();
      bare.close();
    }
  } finally {
    if (!o.keep) rmrf(workDir);
    else console.log(`kept ${workDir}`);
  }
}

runMain(import.meta.url, main);
