/**
 * `npm run bench:ui` — the web UI's grid over a big library in a real headless Chromium (the
 * browser tests' launcher), against an anchor measured in the same run:
 *
 *   library   --contents image contents built straight into the database (test/support/big-library.ts:
 *             one capture every 20 minutes, so about 70 a day over ~4 years), their files made on disk;
 *             each content's thumb/grid@1x is one of 16 real 256×192 webp tiles (written per content,
 *             their checksum column not theirs). A real daemon (`vss daemon start`) serves the app.
 *             With --remote-percent P, P% of them (evenly spread) are held only by a paired device that
 *             is offline (DESIGN §15): their rows as a pull writes them, their files not here, their
 *             thumbnails kept as a prefetch keeps them; the grid shows them among this device's.
 *   paint     time from navigation start to the first grid cell on screen and to the first decoded
 *             thumbnail on screen (a requestAnimationFrame probe installed before the app's scripts;
 *             the app's own performance marks printed too), a cold browser cache each run, median
 *             of --runs. Anchor: a static page of the same number of plain DOM cells virtualized by
 *             nothing but a fixed-height div, the same tiles from a plain Node server. Target < 1 s.
 *   scroll    --screens screens scrolled one eighth of a screen per frame (requestAnimationFrame-driven),
 *             --scroll-runs times, interleaved with the anchors: frame deltas p50/p95/p99 of all frames. Anchors: the static page scrolled the same way, and an empty
 *             page's frame cadence. Target p95 < 16.7 ms.
 *   kinds     every --document-every'th content is a PDF (default one in ten), so the grid's default
 *             filter (photos and videos, issue 32) is at work in every figure above and below.
 *   scrubber  each year of the scrubber pressed in turn, oldest first after the newest (every press a far
 *             jump), --jump-runs times: from the press to the frame after which every thumbnail on
 *             screen is decoded, and the frames meanwhile. Anchor: the static page's scroller set to
 *             as many far places, timed the same way.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import type { Browser, BrowserContext } from 'playwright-core';
import type { Library } from '../src/library/library.js';
import type { PeerEntryFacts } from '../src/store/peer-entries.js';
import { buildBigLibrary } from '../test/support/big-library.js';
import { launchBrowser, newPage } from '../test/browser/launch.js';
import { ticketUrl } from '../test/browser/ui-library.js';
import { materializeBigLibrary } from './live-big-library.js';
import { startDaemon, stopDaemon, vssJson, waitSettled, type Daemon } from './daemon-procs.js';
import { startAnchorServer } from './ui-anchor-page.js';
import { installPaintProbe, readPaintTimes, scrollFrames, scrubberJumps, type PaintTimes, type ScrollFrames, type ScrubJump } from './ui-page-probes.js';
import { Summary, benchArgs, freshDir, kilo, median, num, ratio, rmrf, runMain, secs } from './util.js';

const USAGE = 'ui-bench [--contents N] [--document-every N] [--remote-percent P] [--runs R] [--screens S] [--scroll-runs R] [--jump-runs R] [--width W] [--height H] [--keep]';
const TILES = 16;
const FRAME_MS = 1000 / 60;
/**
 * One 60 Hz frame as frame timestamps show it: they are vsync-aligned but rounded to 0.1 ms, so an
 * idle page's deltas read 16.6–16.8 ms; a frame that missed its vsync reads 33.3 ms.
 */
const ONE_FRAME_MS = FRAME_MS + 0.5;

function parseOptions() {
  return benchArgs(USAGE, {
    contents: { default: 100_000, min: 100 },
    'document-every': { default: 10, min: 0 },
    'remote-percent': { default: 0, min: 0 },
    runs: { default: 5, min: 1 },
    screens: { default: 40, min: 2 },
    'scroll-runs': { default: 3, min: 1 },
    'jump-runs': { default: 3, min: 1 },
    width: { default: 1280, min: 320 },
    height: { default: 800, min: 320 },
  }, ['keep']);
}
type Opts = ReturnType<typeof parseOptions>;

function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

const msStr = (x: number | null) => (x === null || Number.isNaN(x) ? 'n/a' : `${num(x)} ms`);

async function tiles(): Promise<Buffer[]> {
  return Promise.all(Array.from({ length: TILES }, (_, i) => {
    const hue = Math.round((i * 360) / TILES);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="192"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">`
      + `<stop offset="0" stop-color="hsl(${hue},60%,55%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360},60%,35%)"/></linearGradient></defs>`
      + `<rect width="256" height="192" fill="url(#g)"/><circle cx="${60 + i * 8}" cy="90" r="34" fill="hsl(${hue},70%,80%)"/></svg>`;
    return sharp(Buffer.from(svg)).webp({ quality: 70 }).toBuffer();
  }));
}

/**
 * The session cookie in CONTEXT without loading the app (which would warm the cache): the
 * address `vss ui` prints (a ticket good once: SIGN_IN makes a new one), fetched through the
 * context's own request client, which keeps its cookies.
 */
async function signInContext(context: BrowserContext, signIn: () => Promise<string>): Promise<void> {
  const r = await context.request.get(await signIn(), { maxRedirects: 0 });
  if (r.status() !== 303) throw new Error(`signing in answered ${r.status()}, not 303`);
}

/** One cold navigation: a fresh context (empty cache) with the session cookie, to URL; the probe's times. */
async function paintOnce(browser: Browser, o: Opts, url: string, signIn?: () => Promise<string>): Promise<PaintTimes> {
  const { context, page } = await newPage(browser, { width: o.width, height: o.height, timeoutMs: 30_000 });
  try {
    if (signIn) await signInContext(context, signIn);
    await page.addInitScript(installPaintProbe);
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction(() => (globalThis as { __uiBench?: { firstThumb: number | null } }).__uiBench?.firstThumb != null, undefined, { timeout: 30_000, polling: 50 });
    return await page.evaluate(readPaintTimes);
  } finally {
    await context.close();
  }
}

/** One page at URL, its scrubber's years pressed in turn (or, on the anchor, JUMPS far scrolls). */
async function jumpOnce(browser: Browser, o: Opts, url: string, jumps?: number, signIn?: () => Promise<string>): Promise<ScrubJump[]> {
  const { context, page } = await newPage(browser, { width: o.width, height: o.height, timeoutMs: 120_000 });
  try {
    if (signIn) await signInContext(context, signIn);
    await page.addInitScript(installPaintProbe);
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction(() => (globalThis as { __uiBench?: { firstThumb: number | null } }).__uiBench?.firstThumb != null, undefined, { timeout: 30_000, polling: 50 });
    if (jumps === undefined) await page.waitForSelector('nav[aria-label="Years and months"] button.scrub-year', { timeout: 30_000 });
    await page.waitForTimeout(500);
    return await page.evaluate(scrubberJumps, { limitMs: 10_000, ...(jumps !== undefined ? { jumps } : {}) });
  } finally {
    await context.close();
  }
}

function jumpLine(what: string, runs: ScrubJump[][]): { median: number; p95Frame: number; missed: number } {
  const all = runs.flat();
  const times = all.map((j) => j.ms).filter((x): x is number => x !== null);
  const frames = all.flatMap((j) => j.deltas);
  const q = { median: median(times), p95Frame: quantile(frames, 0.95), missed: all.length - times.length };
  console.log(`  ${what.padEnd(26)} ${all.length} jumps (${[...new Set(all.map((j) => j.label))].join(', ')}): median ${msStr(q.median)}, slowest ${msStr(Math.max(...times))}`
    + `${q.missed ? `, ${q.missed} not shown within 10 s` : ''}; frames meanwhile p95 ${msStr(q.p95Frame)}`);
  return q;
}

async function scrollOnce(browser: Browser, o: Opts, url: string, screens: number, signIn?: () => Promise<string>): Promise<ScrollFrames> {
  const { context, page } = await newPage(browser, { width: o.width, height: o.height, timeoutMs: 120_000 });
  try {
    if (signIn) await signInContext(context, signIn);
    await page.addInitScript(installPaintProbe);
    await page.goto(url, { waitUntil: 'commit' });
    if (screens > 0) await page.waitForFunction(() => (globalThis as { __uiBench?: { firstThumb: number | null } }).__uiBench?.firstThumb != null, undefined, { timeout: 30_000, polling: 50 });
    await page.waitForTimeout(500);
    return await page.evaluate(scrollFrames, { screens, stepScreens: 1 / 8, frames: screens === 0 ? 8 * o.screens : 0 });
  } finally {
    await context.close();
  }
}

function pooled(runs: ScrollFrames[]): ScrollFrames {
  return {
    deltas: runs.flatMap((r) => r.deltas),
    scrolledPx: runs.reduce((n, r) => n + r.scrolledPx, 0),
    maxImages: Math.max(...runs.map((r) => r.maxImages)),
    scroller: runs[0]!.scroller,
    longFrames: runs.flatMap((r) => r.longFrames),
  };
}

function paintLine(what: string, runs: PaintTimes[]): { cell: number; thumb: number } {
  const cell = median(runs.map((r) => r.firstCell ?? NaN));
  const thumb = median(runs.map((r) => r.firstThumb ?? NaN));
  const fcp = median(runs.map((r) => r.fcp ?? NaN));
  const marks = [...new Set(runs.flatMap((r) => Object.keys(r.marks)))].map((m) => `${m} ${msStr(median(runs.map((r) => r.marks[m] ?? NaN)))}`);
  console.log(`  ${what.padEnd(26)} first cell ${msStr(cell)}, first thumbnail ${msStr(thumb)}, FCP ${msStr(fcp)}`
    + ` (runs: ${runs.map((r) => num(r.firstThumb ?? NaN)).join(', ')})${marks.length ? `; app marks: ${marks.join(', ')}` : ''}`);
  return { cell, thumb };
}

function frameLine(what: string, f: ScrollFrames): { p50: number; p95: number; p99: number } {
  const q = { p50: quantile(f.deltas, 0.5), p95: quantile(f.deltas, 0.95), p99: quantile(f.deltas, 0.99) };
  const long = f.deltas.filter((d) => d > ONE_FRAME_MS).length;
  console.log(`  ${what.padEnd(26)} ${f.deltas.length} frames: p50 ${msStr(q.p50)}, p95 ${msStr(q.p95)}, p99 ${msStr(q.p99)}, max ${msStr(Math.max(...f.deltas))};`
    + ` ${long} frames missed (longer than one); scrolled ${kilo(f.scrolledPx)} px of ${f.scroller}; at most ${f.maxImages} images in the DOM`);
  const longest = [...f.longFrames].sort((a, b) => b.ms - a.ms).slice(0, 3);
  if (longest.length > 0) console.log(`  ${''.padEnd(26)} ${f.longFrames.length} frames over 50 ms; longest: ${longest.map((l) => `${l.ms} ms (${l.script})`).join('; ')}`);
  return q;
}

async function main(): Promise<void> {
  const o = parseOptions();
  const work = freshDir(tmpdir(), 'vss-ui-bench-');
  const summary = new Summary();
  let daemon: Daemon | undefined;
  const t0 = performance.now();
  try {
    const dir = join(work, 'big');
    mkdirSync(dir);
    const thumbs = await tiles();
    const tb = performance.now();
    const big = buildBigLibrary(dir, { contents: o.contents, capturedEveryMs: 20 * 60_000, ...(o['document-every'] > 0 ? { documentEvery: o['document-every'] } : {}) });
    const remote = o['remote-percent'] > 0 ? moveToPeer(big.lib, Math.min(100, o['remote-percent']) / 100) : 0;
    if (remote > 0) console.log(`${kilo(remote)} of the contents held only by a paired device (offline)`);
    const made = materializeBigLibrary(big.lib, big.locationId, join(dir, 'photos'), (i) => thumbs[i % TILES]!);
    big.lib.close();
    const documents = o['document-every'] > 0 ? Math.floor(o.contents / o['document-every']) : 0;
    console.log(`library: ${kilo(o.contents)} contents (${kilo(documents)} PDFs the photo grid leaves out), ${kilo(made.files)} files and ${kilo(made.sidecars)} thumbnails (${TILES} distinct webp tiles) made in ${secs((performance.now() - tb) / 1000)}`);

    daemon = await startDaemon(big.dataDir);
    const settled = await waitSettled(daemon, { limitMs: 240_000 });
    const ui = await vssJson<{ url: string; http: string }>(['--data-dir', big.dataDir, 'ui']);
    console.log(`daemon ${daemon.pid} settled in ${secs(settled.ms / 1000)}${settled.settled ? '' : ' (NOT settled)'}; app at ${ui.http}/ui/`);
    // The printed address signs in the first context; each later one asks for its own ticket, as `vss ui` does.
    let printed: string | undefined = ui.url;
    const signIn = async (): Promise<string> => {
      const url = printed ?? (await ticketUrl(ui.http, daemon!.token));
      printed = undefined;
      return url;
    };
    const anchor = await startAnchorServer(o.contents, thumbs);
    const launched = await launchBrowser();
    try {
      const browser = launched.browser;
      // One navigation each first, not counted: the browser's own first start-up of a renderer.
      await paintOnce(browser, o, `${ui.http}/ui/`, signIn);
      await paintOnce(browser, o, anchor.url);
      const app: PaintTimes[] = [];
      const stat: PaintTimes[] = [];
      for (let r = 0; r < o.runs; r++) {
        app.push(await paintOnce(browser, o, `${ui.http}/ui/`, signIn));
        stat.push(await paintOnce(browser, o, anchor.url));
      }
      console.log(`\n== First grid paint, ${o.width}×${o.height}, cold cache, median of ${o.runs} ==`);
      const a = paintLine('vss web UI', app);
      const s = paintLine('anchor: static page', stat);
      summary.add({ what: `first thumbnail painted, ${kilo(o.contents)} contents${remote > 0 ? ` (${kilo(remote)} a paired device's)` : ''}`, value: msStr(a.thumb), ratio: `${ratio(a.thumb / s.thumb)} static`, target: '< 1 s', ok: a.thumb < 1000 });
      summary.add({ what: 'first grid cell painted', value: msStr(a.cell), ratio: `${ratio(a.cell / s.cell)} static`, target: '', ok: null });

      console.log(`\n== Scrolling ${o.screens} screens, 1/8 screen per frame, ${o['scroll-runs']} runs each (interleaved), frames pooled ==`);
      const appRuns: ScrollFrames[] = [];
      const statRuns: ScrollFrames[] = [];
      const emptyRuns: ScrollFrames[] = [];
      for (let r = 0; r < o['scroll-runs']; r++) {
        appRuns.push(await scrollOnce(browser, o, `${ui.http}/ui/`, o.screens, signIn));
        statRuns.push(await scrollOnce(browser, o, anchor.url, o.screens));
        emptyRuns.push(await scrollOnce(browser, o, 'about:blank', 0));
      }
      const af = frameLine('vss web UI', pooled(appRuns));
      const sf = frameLine('anchor: static page', pooled(statRuns));
      const ef = frameLine('anchor: empty page, idle', pooled(emptyRuns));
      summary.add({ what: 'scroll frame p95', value: msStr(af.p95), ratio: `${ratio(af.p95 / sf.p95)} static, ${ratio(af.p95 / ef.p95)} empty`, target: '< 16.7 ms (one 60 Hz frame)', ok: af.p95 < ONE_FRAME_MS });
      summary.add({ what: 'scroll frame p50 / p99', value: `${msStr(af.p50)} / ${msStr(af.p99)}`, ratio: `${ratio(af.p99 / sf.p99)} static (p99)`, target: '', ok: null });
      summary.add({ what: 'anchor: static page p50 / p95 / p99', value: `${msStr(sf.p50)} / ${msStr(sf.p95)} / ${msStr(sf.p99)}`, ratio: '', target: '', ok: null });
      summary.add({ what: 'anchor: empty page p50 / p95 / p99', value: `${msStr(ef.p50)} / ${msStr(ef.p95)} / ${msStr(ef.p99)}`, ratio: '', target: '', ok: null });

      console.log(`\n== The scrubber: each year pressed in turn, ${o['jump-runs']} runs (interleaved with the anchor's far scrolls) ==`);
      const appJumps: ScrubJump[][] = [];
      const statJumps: ScrubJump[][] = [];
      for (let r = 0; r < o['jump-runs']; r++) {
        const jumps = await jumpOnce(browser, o, `${ui.http}/ui/`, undefined, signIn);
        appJumps.push(jumps);
        statJumps.push(await jumpOnce(browser, o, anchor.url, jumps.length));
      }
      const aj = jumpLine('vss web UI (scrubber)', appJumps);
      const sj = jumpLine('anchor: static page', statJumps);
      summary.add({ what: 'scrubber press to a year, thumbnails shown', value: msStr(aj.median), ratio: `${ratio(aj.median / sj.median)} static`, target: '', ok: aj.missed === 0 ? null : false });
      summary.add({ what: 'frames while jumping, p95', value: msStr(aj.p95Frame), ratio: `${ratio(aj.p95Frame / sj.p95Frame)} static`, target: '', ok: null });
    } finally {
      await launched.close();
      await anchor.close();
    }
  } finally {
    if (daemon) await stopDaemon(daemon);
    if (!o.keep) rmrf(work);
    else console.log(`kept ${work}`);
  }
  console.log(`\n(${secs((performance.now() - t0) / 1000)} in all)\n`);
  summary.print();
}

/**
 * Hand SHARE of LIB's contents (evenly spread) to a paired device: its rows written as a pull
 * writes them (its own folder names, the same facts), this device's entries and contents of them
 * removed; their thumbnails stay, as a prefetch keeps them. How many moved. Raw SQL on purpose:
 * the bench reshapes a library no command would.
 */
function moveToPeer(lib: Library, share: number): number {
  const peer = '00000000-0000-4000-8000-0000000000bb';
  const rows = lib.db.prepare(
    `SELECT c.id, c.uuid, c.cas_id, c.cas_version, c.kind, c.mime, c.size, c.media_metadata, e.id AS entry, e.name, e.rel_path
     FROM content_identities c JOIN entries e ON e.content_id = c.id WHERE e.kind = 'file' ORDER BY e.id`,
  ).all() as Array<{ id: number; uuid: string; cas_id: string; cas_version: number; kind: string; mime: string; size: number; media_metadata: string | null; entry: number; name: string; rel_path: string }>;
  const moved = rows.filter((_, i) => Math.floor((i + 1) * share) > Math.floor(i * share));
  const { store } = lib;
  store.transaction(() => {
    store.devices.upsertPeer({ uuid: peer, name: 'Laptop', publicKey: '', os: 'linux' }, Date.now());
    store.peerLocations.replace(peer, [{ location_id: 1, uuid: '00000000-0000-4000-8000-0000000000b1', name: 'Photos', path: '/Users/me/Photos', index_mode: 'deep', files: moved.length, dirs: 0, bytes: 0 }]);
    const byDir = new Map<string, PeerEntryFacts[]>();
    for (const r of moved) {
      const dir = r.rel_path.slice(0, Math.max(0, r.rel_path.lastIndexOf('/')));
      let list = byDir.get(dir);
      if (!list) byDir.set(dir, (list = []));
      list.push({ name: r.name, kind: 'file', size: r.size, mtime_ms: 0, content_uuid: r.uuid });
    }
    store.peerContents.putMany(peer, moved.map((r) => ({ content_uuid: r.uuid, cas_id: r.cas_id, cas_version: r.cas_version, kind: r.kind, mime: r.mime, size: r.size, media_metadata: r.media_metadata })));
    for (const [dir, list] of byDir) store.peerEntries.putMany(peer, 1, dir, list, 1);
    const dropEntry = lib.db.prepare('DELETE FROM entries WHERE id = ?');
    const dropContent = lib.db.prepare('DELETE FROM content_identities WHERE id = ?');
    for (const r of moved) {
      dropEntry.run(r.entry);
      dropContent.run(r.id);
    }
  });
  return moved.length;
}

runMain(import.meta.url, main);
