/**
 * `npm run bench:phone` (`node dist/bench/phone-bench.js [--upload-mib M] [--runs R] [--contents N] [--checks C] [--swipes S]`)
 *
 * The phone's loop (issue 44), in a real headless Chromium as a phone (390×844, touch, scale 3),
 * each figure against an anchor measured in the same run:
 *
 *   upload   a video of --upload-mib MiB (a real MP4's head, random bytes after) picked under
 *            "Upload" on the daemon's home-network address (HTTPS, 127.0.0.2 as the LAN) by a
 *            paired browser: from its first byte sent to its answer "uploaded" (tus in 8 MiB
 *            PATCHes, then verified by its BLAKE3 and landed in its folder). Anchor: the same bytes
 *            PUT in one request by the same browser to a bare Node HTTPS server on the same
 *            address, written to the same disk and flushed. Interleaved, --runs each (taking turns
 *            to go first, the disk's dirty pages written back before each), new bytes each run
 *            (bytes the library has are not sent again). Target ≥ 80% of the anchor.
 *            The hashing before (in the browser, WebAssembly) is printed apart.
 *   check    "already have it?" for 10,000 content ids over the LAN's HTTPS with the browser's
 *            cookie, against a library of --contents contents; median of --checks. Anchor: a page
 *            of 200 contents read the same way. Target < 1 s.
 *   paint    first photo on screen at phone size with the CPU throttled 4× (CDP), --contents
 *            contents, cold cache, median of --runs. Anchor: the static page of as many cells (the
 *            ui bench's), throttled the same. Target < 1.5 s.
 *   swipe    the viewer opened on the first photo, then --swipes times to the next: from the key to
 *            the frame where the new slide shows a picture (its thumbnail at once, the larger one
 *            after). p50/p95. Anchor: an empty page's frame. Target p95 < 100 ms.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, createWriteStream, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes, randomFillSync } from 'node:crypto';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildBigLibrary } from '../test/support/big-library.js';
import { FIXTURES } from '../test/helpers.js';
import { launchBrowser } from '../test/browser/launch.js';
import { ticketUrl } from '../test/browser/ui-library.js';
import { materializeBigLibrary } from './live-big-library.js';
import { startDaemon, stopDaemon, vssJson, waitSettled, type Daemon } from './daemon-procs.js';
import { startAnchorServer } from './ui-anchor-page.js';
import { installPaintProbe, readPaintTimes, type PaintTimes } from './ui-page-probes.js';
import { pairedCookie } from './support/paired-cookie.js';
import { Summary, benchArgs, freshDir, kilo, median, num, ratio, rmrf, runMain, secs } from './util.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const document: any;
declare const requestAnimationFrame: (fn: () => void) => number;
declare const KeyboardEvent: any;

const HERE = fileURLToPath(new URL('.', import.meta.url));
const VSS = join(resolve(HERE, '..', '..'), 'bin', 'vss');
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, ignoreHTTPSErrors: true };
const MiB = 1024 * 1024;

function vss(args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(process.execPath, [VSS, ...args], { env, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`vss ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function freePort(host: string): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, host, () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

const quantile = (xs: readonly number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))]!;
const msStr = (x: number) => `${num(x)} ms`;

/** A video of MIB MiB: a real MP4's first bytes (so it is one by its magic), random bytes after. */
function makeVideo(path: string, mib: number): void {
  copyFileSync(join(FIXTURES, 'video/photoprism-blue-go-video.mp4'), path);
  const fd = openSync(path, 'a');
  const chunk = Buffer.alloc(16 * MiB);
  try {
    for (let left = mib * MiB; left > 0; left -= chunk.length) writeSync(fd, randomFillSync(chunk), 0, Math.min(chunk.length, left));
  } finally {
    closeSync(fd);
  }
}

/** The anchor: a bare HTTPS server taking a PUT of the whole file (written to the same disk, flushed), and a page to send it from. */
function startBareServer(host: string, port: number, tls: { cert: Buffer; key: Buffer }, dir: string): Promise<https.Server> {
  const page = `<!doctype html><meta charset="utf-8"><input type="file" id="f"><script>
document.getElementById('f').onchange = async (e) => {
  const file = e.target.files[0]; const t0 = performance.now();
  const r = await fetch('/put', { method: 'PUT', body: file });
  window.__put = { ms: performance.now() - t0, status: r.status };
};</script>`;
  const server = https.createServer(tls, (req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      return;
    }
    const path = join(dir, `put-${Date.now()}`);
    const out = createWriteStream(path);
    req.pipe(out);
    out.on('finish', () => {
      const fd = openSync(path, 'r');
      fsyncSync(fd);
      closeSync(fd);
      rmSync(path, { force: true });
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((res) => server.listen(port, host, () => res(server)));
}

async function phoneContext(browser: Browser): Promise<BrowserContext> {
  const c = await browser.newContext(PHONE);
  c.setDefaultTimeout(600_000);
  return c;
}

/** One upload through the app: the hashing time and the sending time (first byte to "uploaded"). */
async function uploadOnce(page: Page, file: string): Promise<{ hashMs: number; sendMs: number }> {
  await page.evaluate(() => { document.querySelectorAll('.upload-sheet button').forEach((b: any) => { if (b.textContent === 'Close') b.click(); }); });
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await (await chooser).setFiles(file);
  // State changes are read each frame in the page: their times are the page's own.
  const times = await page.evaluate(() => new Promise<{ hash: number; send: number; done: number }>((res, rej) => {
    const at: Record<string, number> = {};
    const frame = () => {
      const li = document.querySelector('.upload-item');
      const s = li?.dataset.state;
      if (s && at[s] === undefined) at[s] = performance.now();
      if (s === 'failed') return rej(new Error(li.textContent));
      if (s === 'done') return res({ hash: at.hashing ?? at.done!, send: at.sending ?? at.done!, done: at.done! });
      requestAnimationFrame(frame);
    };
    frame();
  }));
  return { hashMs: times.send - times.hash, sendMs: times.done - times.send };
}

async function putOnce(page: Page, file: string): Promise<number> {
  await page.evaluate(() => { (window as any).__put = undefined; });
  await page.locator('#f').setInputFiles(file);
  await page.waitForFunction(() => (window as any).__put !== undefined, undefined, { polling: 50, timeout: 600_000 });
  const r = await page.evaluate(() => (window as any).__put as { ms: number; status: number });
  if (r.status !== 200) throw new Error(`the bare PUT answered ${r.status}`);
  return r.ms;
}
declare const window: any;

async function benchUpload(o: { 'upload-mib': number; runs: number }, summary: Summary, browser: Browser, work: string): Promise<void> {
  const dir = join(work, 'upload');
  const photos = join(dir, 'photos');
  mkdirSync(photos, { recursive: true });
  const env = { ...process.env, VSS_DATA_DIR: join(dir, 'data'), VSS_LAN_ADDRESSES: '127.0.0.2', VSS_LOG_LEVEL: undefined, VSS_LIBRARY: undefined, VSS_NO_DAEMON: undefined };
  vss(['library', 'create', 'Phone bench', '--path', dir], env);
  vss(['location', 'add', photos], env);
  const port = await freePort('127.0.0.2');
  vss(['daemon', 'start', '--lan', '--lan-port', String(port)], env);
  let bare: https.Server | undefined;
  try {
    const { url } = JSON.parse(vss(['--json', 'ui', 'pair', '--name', 'Bench phone', '--uploads-to', join(photos, 'Phone')], env)) as { url: string };
    const tls = { cert: readFileSync(join(env.VSS_DATA_DIR, 'lan-tls', 'cert.pem')), key: readFileSync(join(env.VSS_DATA_DIR, 'lan-tls', 'key.pem')) };
    const barePort = await freePort('127.0.0.2');
    bare = await startBareServer('127.0.0.2', barePort, tls, dir);
    const context = await phoneContext(browser);
    const app = await context.newPage();
    await app.goto(url);
    await app.getByRole('button', { name: 'Upload', exact: true }).waitFor();
    const anchor = await context.newPage();
    await anchor.goto(`https://127.0.0.2:${barePort}/`);
    const ms = { hash: [] as number[], send: [] as number[], put: [] as number[] };
    for (let r = 0; r < o.runs; r++) {
      const file = join(dir, `video-${r}.mp4`);
      makeVideo(file, o['upload-mib']);
      // Every measure starts with nothing left to write back (the file just made, the one before landed), and they take turns going first.
      const flushDisk = () => spawnSync('sync');
      let u: { hashMs: number; sendMs: number };
      if (r % 2 === 0) {
        flushDisk();
        ms.put.push(await putOnce(anchor, file));
        flushDisk();
        u = await uploadOnce(app, file);
      } else {
        flushDisk();
        u = await uploadOnce(app, file);
        flushDisk();
        ms.put.push(await putOnce(anchor, file));
      }
      ms.hash.push(u.hashMs);
      ms.send.push(u.sendMs);
      rmSync(file, { force: true });
      console.log(`  run ${r + 1}: bare PUT ${secs(ms.put.at(-1)! / 1000)}, vss upload ${secs(u.sendMs / 1000)} (hashing before it ${secs(u.hashMs / 1000)})`);
    }
    await context.close();
    const put = median(ms.put);
    const send = median(ms.send);
    const rate = (t: number) => `${num((o['upload-mib'] / (t / 1000)))} MiB/s`;
    summary.add({ what: `upload ${o['upload-mib']} MiB from the phone (tus, verified, landed)`, value: `${secs(send / 1000)}, ${rate(send)}`, ratio: `${Math.round((put / send) * 100)}% of a bare PUT`, target: '≥ 80%', ok: put / send >= 0.8 });
    summary.add({ what: '  anchor: bare HTTPS PUT of the same bytes', value: `${secs(put / 1000)}, ${rate(put)}`, ratio: '', target: '', ok: null });
    summary.add({ what: '  hashing in the browser first (BLAKE3, WebAssembly)', value: `${secs(median(ms.hash) / 1000)}, ${rate(median(ms.hash))}`, ratio: '', target: '', ok: null });
  } finally {
    bare?.close();
    vss(['daemon', 'stop'], env);
  }
}

async function tiles(): Promise<Buffer[]> {
  return Promise.all(Array.from({ length: 16 }, (_, i) => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="192"><rect width="256" height="192" fill="hsl(${i * 22},60%,50%)"/></svg>`;
    return sharp(Buffer.from(svg)).webp({ quality: 70 }).toBuffer();
  }));
}

/** A fresh phone context, throttled 4×, its cookie set by a ticket: the first photo painted. */
async function paintOnce(browser: Browser, url: string, signIn?: () => Promise<string>): Promise<PaintTimes> {
  const context = await phoneContext(browser);
  try {
    if (signIn) {
      const r = await context.request.get(await signIn(), { maxRedirects: 0 });
      if (r.status() !== 303) throw new Error(`signing in answered ${r.status()}`);
    }
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await page.addInitScript(installPaintProbe);
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction(() => (globalThis as { __uiBench?: { firstThumb: number | null } }).__uiBench?.firstThumb != null, undefined, { timeout: 60_000, polling: 50 });
    return await page.evaluate(readPaintTimes);
  } finally {
    await context.close();
  }
}

/** The viewer on the first photo, then SWIPES times to the next: ms from the key to a picture on the new slide. */
async function swipes(browser: Browser, url: string, signIn: () => Promise<string>, n: number): Promise<number[]> {
  const context = await phoneContext(browser);
  try {
    const r = await context.request.get(await signIn(), { maxRedirects: 0 });
    if (r.status() !== 303) throw new Error(`signing in answered ${r.status()}`);
    const page = await context.newPage();
    await page.goto(url);
    const tile = page.locator('main[aria-label="Library"] a[data-uuid]').first();
    await tile.waitFor();
    await tile.tap();
    await page.locator('.pswp[data-open]').waitFor();
    return await page.evaluate((count: number) => new Promise<number[]>((res) => {
      const out: number[] = [];
      const shown = (was: string | null) => {
        const el = document.querySelector('.pswp');
        if (!el || el.getAttribute('data-uuid') === was) return false;
        const holder = document.querySelector('.pswp__item[aria-hidden="false"]');
        return [...(holder?.querySelectorAll('img') ?? [])].some((img: any) => img.complete && img.naturalWidth > 0);
      };
      const next = () => {
        if (out.length === count) return res(out);
        const was = document.querySelector('.pswp')?.getAttribute('data-uuid') ?? null;
        const t0 = performance.now();
        document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
        const frame = () => {
          if (shown(was)) {
            out.push(performance.now() - t0);
            // The slide animation settles before the next key, as a finger would.
            setTimeout(next, 400);
          } else if (performance.now() - t0 > 5000) {
            out.push(5000);
            (globalThis as any).__swipeDebug = `${document.querySelector('.pswp')?.getAttribute('data-uuid')} was ${was}; ${document.querySelector('.pswp__item[aria-hidden="false"]')?.outerHTML.slice(0, 400)}`;
            setTimeout(next, 400);
          } else requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      };
      next();
    }), n).then(async (r) => { const d = await page.evaluate(() => (globalThis as any).__swipeDebug); if (d) console.log('swipe debug:', d); return r; });
  } finally {
    await context.close();
  }
}

async function benchBig(o: { contents: number; runs: number; checks: number; swipes: number }, summary: Summary, browser: Browser, work: string): Promise<void> {
  const dir = join(work, 'big');
  mkdirSync(dir);
  const thumbs = await tiles();
  const t0 = performance.now();
  const big = buildBigLibrary(dir, { contents: o.contents, capturedEveryMs: 20 * 60_000 });
  materializeBigLibrary(big.lib, big.locationId, join(dir, 'photos'), (i) => thumbs[i % thumbs.length]!);
  big.lib.close();
  console.log(`library: ${kilo(o.contents)} contents made in ${secs((performance.now() - t0) / 1000)}`);
  const port = await freePort('127.0.0.2');
  // --lan is kept as the device's setting: started once with it, the bench's own start keeps it.
  const lanEnv = { ...process.env, VSS_LAN_ADDRESSES: '127.0.0.2' };
  vss(['--data-dir', big.dataDir, 'daemon', 'start', '--lan', '--lan-port', String(port)], lanEnv);
  vss(['--data-dir', big.dataDir, 'daemon', 'stop'], lanEnv);
  let daemon: Daemon | undefined;
  try {
    daemon = await startDaemon(big.dataDir, { VSS_LAN_ADDRESSES: '127.0.0.2' });
    const settled = await waitSettled(daemon, { limitMs: 240_000 });
    console.log(`daemon settled in ${secs(settled.ms / 1000)}${settled.settled ? '' : ' (NOT settled)'}`);
    const ui = await vssJson<{ url: string; http: string }>(['--data-dir', big.dataDir, 'ui']);
    let printed: string | undefined = ui.url;
    const signIn = async (): Promise<string> => {
      const url = printed ?? (await ticketUrl(ui.http, daemon!.token));
      printed = undefined;
      return url;
    };

    // "Already have it?": 10,000 content ids, over the home network with a paired browser's cookie.
    const { url: pairUrl } = JSON.parse(vss(['--data-dir', big.dataDir, '--json', 'ui', 'pair'], lanEnv)) as { url: string };
    const cookie = await pairedCookie(pairUrl);
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const call = (method: string, path: string, body?: string) => new Promise<{ ms: number; body: string }>((res, rej) => {
      const t = performance.now();
      const req = https.request(`https://127.0.0.2:${port}${path}`, { method, agent, rejectUnauthorized: false, headers: { cookie, 'sec-fetch-site': 'same-origin', 'x-vss-ui': '1', ...(body ? { 'content-type': 'application/json' } : {}) } }, (r) => {
        let text = '';
        r.on('data', (c: Buffer) => { text += c.toString(); });
        r.on('end', () => (r.statusCode === 200 ? res({ ms: performance.now() - t, body: text }) : rej(new Error(`${path}: ${r.statusCode} ${text.slice(0, 200)}`))));
      });
      req.on('error', rej);
      req.end(body);
    });
    const ids = Array.from({ length: 10_000 }, () => randomBytes(32).toString('hex'));
    const checks: number[] = [];
    const pages: number[] = [];
    for (let i = 0; i < o.checks + 1; i++) {
      const c = await call('POST', '/api/uploads/check', JSON.stringify({ cas_ids: ids }));
      const p = await call('GET', '/api/libraries/current/grid?limit=200');
      if (i > 0) { checks.push(c.ms); pages.push(p.ms); }
    }
    agent.destroy();
    summary.add({ what: `"already have it?" for 10,000 content ids (${kilo(o.contents)} contents)`, value: msStr(median(checks)), ratio: `${ratio(median(checks) / median(pages))} a grid page of 200`, target: '< 1 s', ok: median(checks) < 1000 });

    const anchor = await startAnchorServer(o.contents, thumbs);
    try {
      await paintOnce(browser, `${ui.http}/ui/`, signIn);
      const app: PaintTimes[] = [];
      const stat: PaintTimes[] = [];
      for (let r = 0; r < o.runs; r++) {
        app.push(await paintOnce(browser, `${ui.http}/ui/`, signIn));
        stat.push(await paintOnce(browser, anchor.url));
      }
      const a = median(app.map((p) => p.firstThumb!));
      const s = median(stat.map((p) => p.firstThumb!));
      summary.add({ what: `first photo on screen, 390×844, CPU 4× slower, ${kilo(o.contents)} contents`, value: msStr(a), ratio: `${ratio(a / s)} static`, target: '< 1.5 s', ok: a < 1500 });
    } finally {
      await anchor.close();
    }

    const sw = await swipes(browser, `${ui.http}/ui/`, signIn, o.swipes);
    summary.add({ what: `swipe to the next photo in the viewer, p95 of ${o.swipes}`, value: msStr(quantile(sw, 0.95)), ratio: `p50 ${msStr(quantile(sw, 0.5))}; ${ratio(quantile(sw, 0.95) / (1000 / 60))} a 60 Hz frame`, target: '< 100 ms', ok: quantile(sw, 0.95) < 100 });
  } finally {
    if (daemon) await stopDaemon(daemon);
  }
}

async function main(): Promise<void> {
  const o = benchArgs('phone-bench [--upload-mib M] [--runs R] [--contents N] [--checks C] [--swipes S] [--no-upload] [--no-library]', {
    'upload-mib': { default: 1024, min: 8 }, runs: { default: 3, min: 1 }, contents: { default: 100_000, min: 100 }, checks: { default: 5, min: 1 }, swipes: { default: 40, min: 5 },
  }, ['no-upload', 'no-library']);
  const work = freshDir(tmpdir(), 'vss-phone-bench-');
  const summary = new Summary();
  const launched = await launchBrowser();
  const t0 = performance.now();
  try {
    if (!o['no-upload']) {
      console.log(`== Upload from the phone, ${o['upload-mib']} MiB, ${o.runs} runs, interleaved with a bare PUT ==`);
      await benchUpload(o, summary, launched.browser, work);
    }
    if (!o['no-library']) {
      console.log(`\n== A big library on the phone: the check, the first photo, the viewer ==`);
      await benchBig(o, summary, launched.browser, work);
    }
  } finally {
    await launched.close();
    rmrf(work);
  }
  console.log(`\n(${secs((performance.now() - t0) / 1000)} in all)\n`);
  summary.print();
}

runMain(import.meta.url, main);
