import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { freePort } from '../support/free-port.js';
import { basename, join, relative } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { FIXTURES, FIXTURES_SKIP, json, runCli, tempDir } from '../helpers.js';
// The CLI in this process for the calls that are not about its process (test/support/cli-here.ts);
// the daemon is started by a child, as a user's `vss daemon start` is.
import { cliHere } from '../support/cli-here.js';
import { launchBrowser, type LaunchedBrowser } from './launch.js';
import { cliInNs, makeNetnsPair, netnsSkipReason } from '../net/netns.js';
import { keepScreenshot } from './screenshot.js';
import { UI_SKIP } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const document: any;
declare const location: any;
declare const requestAnimationFrame: (fn: () => void) => number;

interface Status { pid: number; http: string; web_urls: string[] }

/** Already in the library (indexed before the phone pairs): never sent again. */
const HELD = 'exif/Canon_40D.jpg';
/** What the phone uploads: a HEIC, a Live Photo's still and movie, a video. */
const NEW = ['exif/heic/IMG_5195.HEIC', 'livephoto/apple-iphone6s/train.jpg', 'livephoto/apple-iphone6s/train.mov', 'video/photoprism-christmas-noaudio.mp4'];
/** A long video (a real one's bytes with more after them): long enough to be cut mid-way. */
const BIG_BYTES = 128 * 1024 * 1024;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

const hashOf = (path: string) => blake3(readFileSync(path)).toString('hex');

async function until<T>(what: string, fn: () => T | undefined | false, ms = 60_000, every = 20): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/**
 * Issue 44 items 3, 4 and 6 in a real Chromium as a phone (390×844, touch, scale 3) on the home
 * network's HTTPS address — the phone in a network namespace of its own and the daemon in another,
 * one link between them (as root; else 127.0.0.2 as the home network's address, the same server and
 * checks): it picks photos and videos under "Upload"; the one the library holds already is
 * not sent; the rest land whole, verified, once, in its uploads folder as DIR/YYYY/MM/NAME — the
 * daemon killed (SIGKILL) while the long video is half sent and started again, the upload going on
 * from the bytes that had arrived. Nothing partial is ever inside the location.
 */
describe('a phone uploads its photos once, resumably, through a daemon killed mid-way', { skip: FIXTURES_SKIP || UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-ui-upload-');
  // The phone in a namespace of its own, the daemon in another, one link between them (root); else the
  // home network's address is 127.0.0.2 here, the same server and checks (VSS_TEST_LAN_LOOPBACK=1 chooses it).
  const lan = netnsSkipReason() === false && process.env.VSS_TEST_LAN_LOOPBACK !== '1' ? makeNetnsPair('up', 219) : undefined;
  const host = lan?.addr.b ?? '127.0.0.2';
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_LAN_ADDRESSES: host };
  /** The daemon starts in its namespace (the CLI reaches it over its socket from anywhere). */
  const startDaemon = (args: string[]) => (lan ? cliInNs(lan.ns.b, ['daemon', 'start', ...args], env) : runCli(['daemon', 'start', ...args], env));
  const tree = join(tmp.path, 'Pictures');
  const uploadsTo = join(tree, 'Phone');
  const picks = join(tmp.path, 'camera-roll');
  let launched: LaunchedBrowser | undefined;
  let port = 0;

  before(async () => {
    mkdirSync(tree);
    mkdirSync(picks);
    copyFileSync(join(FIXTURES, HELD), join(tree, basename(HELD)));
    for (const f of [HELD, ...NEW]) copyFileSync(join(FIXTURES, f), join(picks, basename(f)));
    const big = join(picks, 'long-video.mp4');
    copyFileSync(join(FIXTURES, 'video/photoprism-blue-go-video.mp4'), big);
    for (let left = BIG_BYTES; left > 0; left -= 16 * 1024 * 1024) appendFileSync(big, randomBytes(Math.min(left, 16 * 1024 * 1024)));
    const offline = { ...env, VSS_NO_DAEMON: '1' };
    json(await cliHere(['--json', 'library', 'create', 'Photos', '--path', tmp.path], offline));
    // The thumbnails the phone's pages show, not every kind of the default policy: the daemon made
    // faces, OCR, proxies and film strips of each upload, which no check here looks at (most of the
    // file's CPU).
    json(await cliHere(['--json', 'location', 'add', tree, '--mode', 'deep', '--generate', 'thumb'], offline));
    port = lan ? 7443 : await freePort(host);
    const started = await startDaemon(['--lan', '--lan-port', String(port)]);
    assert.equal(started.code, 0, started.stderr);
    launched = await launchBrowser(lan ? { netns: lan.ns.a } : {});
  });

  after(async () => {
    await launched?.close();
    await cliHere(['daemon', 'stop'], env);
    lan?.remove();
    tmp.cleanup();
  });

  it('skips what the library has, and lands the rest verified in DIR/YYYY/MM/NAME after a kill', async () => {
    const pair = json<{ url: string; expires_at: string }>(await cliHere(['--json', 'ui', 'pair', '--name', 'Phone', '--uploads-to', uploadsTo], env));
    const status = json<Status>(await cliHere(['--json', 'daemon', 'status'], env));
    assert.ok(pair.url.startsWith(`https://${host}:${port}/ui/`), `on the home network's address: ${pair.url}`);
    assert.ok(status.web_urls.includes(`https://${host}:${port}/ui/`), JSON.stringify(status.web_urls));
    const device = json<Array<{ kind: string; uploads_to?: string | null; may?: { upload: boolean } }>>(await cliHere(['--json', 'devices', 'list'], env));
    assert.equal(device.length, 0, 'not a device until the address is opened');

    const context = await launched!.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, ignoreHTTPSErrors: true });
    context.setDefaultTimeout(20_000);
    const phone = await context.newPage();
    assert.equal((await phone.goto(pair.url))?.status(), 200);
    await phone.waitForFunction(() => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length === 1, undefined, { timeout: 60_000 });
    const listed = json<Array<{ kind: string; uploads_to: string | null; may: { view: boolean; upload: boolean; organise: boolean; files: boolean } }>>(await cliHere(['--json', 'devices', 'list'], env));
    assert.deepEqual(listed.map((d) => [d.kind, d.uploads_to, d.may]), [['browser', uploadsTo, { view: true, upload: true, organise: true, files: false }]]);

    const chooser = phone.waitForEvent('filechooser');
    await phone.getByRole('button', { name: 'Upload', exact: true }).click();
    await (await chooser).setFiles(readdirSync(picks).sort().map((n) => join(picks, n)));
    const sheet = phone.getByRole('region', { name: 'Uploads' });
    await sheet.waitFor();

    // Cut the long video mid-way: the daemon killed outright, its bytes so far in the data dir's uploads.
    const store = join(env.VSS_DATA_DIR, 'uploads');
    await until('half the long video', () => existsSync(store) && readdirSync(store).some((n) => !n.endsWith('.json') && (statSync(join(store, n), { throwIfNoEntry: false })?.size ?? 0) >= 32 * 1024 * 1024), 120_000, 5);
    process.kill(status.pid, 'SIGKILL');
    await until('the daemon gone', () => { try { process.kill(status.pid, 0); return false; } catch { return true; } }, 10_000);
    const partial = readdirSync(store).filter((n) => !n.endsWith('.json')).map((n) => statSync(join(store, n)).size);
    assert.ok(partial.some((s) => s > 0 && s < BIG_BYTES), `an upload half-sent: ${partial}`);
    assert.ok(!filesUnder(tree).some((p) => basename(p).startsWith('long-video')), 'nothing half-sent is inside the location');
    await keepScreenshot(phone, 'phone-upload-cut', false);
    const again = await startDaemon([]);
    assert.equal(again.code, 0, again.stderr);

    const picked = readdirSync(picks).length;
    await phone.waitForFunction((n: number) => {
      const items = [...document.querySelectorAll('.upload-item')];
      return items.length === n && items.every((li: any) => ['done', 'have'].includes(li.dataset.state));
    }, picked, { timeout: 120_000 }).catch(async (err: Error) => {
      await keepScreenshot(phone, 'phone-upload-stuck', false);
      throw new Error(`${err.message}: ${JSON.stringify(await phone.$$eval('.upload-item', (lis: any[]) => lis.map((li) => li.textContent)))}`);
    });
    await keepScreenshot(phone, 'phone-upload-done', false);
    const states = await phone.$$eval('.upload-item', (lis: any[]) => lis.map((li) => [li.querySelector('.upload-name').textContent, li.dataset.state]));
    assert.deepEqual(states.filter(([, s]) => s === 'have').map(([n]) => n), [basename(HELD)], 'the photo the library holds is not sent');
    assert.match(await sheet.textContent() ?? '', /already in your library/);

    const landed = filesUnder(uploadsTo).map((p) => relative(uploadsTo, p));
    for (const name of [...NEW.map((f) => basename(f)), 'long-video.mp4']) {
      const at = landed.filter((p) => basename(p) === name);
      assert.equal(at.length, 1, `${name} landed once: ${landed.join(', ')}`);
      assert.match(at[0]!, /^\d{4}\/\d{2}\/[^/]+$/, `${name} in YYYY/MM: ${at[0]}`);
      assert.equal(hashOf(join(uploadsTo, at[0]!)), hashOf(join(picks, name)), `${name} whole`);
    }
    assert.equal(landed.length, 5, `nothing else landed: ${landed.join(', ')}`);
    // The HEIC's month is when it was taken (its EXIF), not when it was copied here.
    assert.ok(landed.some((p) => p.endsWith('IMG_5195.HEIC') && !p.startsWith(`${new Date().getFullYear()}/`)), `the HEIC filed by its capture date: ${landed.join(', ')}`);
    assert.deepEqual(filesUnder(tree).filter((p) => basename(p).startsWith('.')), [], 'no partial or bookkeeping file inside the location');
    assert.deepEqual(readdirSync(store), [], 'the uploads\' own bytes are gone once landed');
    // Indexed like any file: the grid shows them.
    await phone.reload();
    await phone.waitForFunction(() => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length >= 4, undefined, { timeout: 60_000 });

    // The grid's own gestures: two fingers pinched apart show fewer, larger photos; a finger held on one starts selecting.
    const cdp = await context.newCDPSession(phone);
    // Each move in a frame of its own, as a finger's are (a loaded machine must not fold a gesture into one event).
    const frame = () => phone.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(undefined))));
    const touch = async (type: 'touchStart' | 'touchMove' | 'touchEnd', points: Array<{ x: number; y: number }>) => {
      await cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points });
      if (type === 'touchMove') await frame();
    };
    /** Pinch apart at Y from GAP px to 240: the gesture again (a person does it again) until DONE, at most 4 times. */
    const pinchOut = async (y: number, from: number, done: () => Promise<boolean>) => {
      for (let attempt = 0; attempt < 4 && !(await done()); attempt++) {
        await touch('touchStart', [{ x: 195 - from / 2, y }, { x: 195 + from / 2, y }]);
        for (let d = from + 25; d <= 240; d += 25) await touch('touchMove', [{ x: 195 - d / 2, y }, { x: 195 + d / 2, y }]);
        await touch('touchEnd', []);
        for (const end = Date.now() + 2_000; Date.now() < end && !(await done());) await frame();
      }
    };
    const tileWidth = async () => (await phone.locator('main[aria-label="Library"] a[data-uuid]').first().boundingBox())!.width;
    const before = await tileWidth();
    const grid = (await phone.locator('.grid').boundingBox())!;
    const cy = grid.y + Math.min(grid.height, 300) / 2;
    await pinchOut(cy, 50, async () => (await tileWidth()) > before * 1.2);
    await phone.waitForFunction((w: number) => document.querySelector('main[aria-label="Library"] a[data-uuid]').getBoundingClientRect().width > w * 1.2, before, { timeout: 10_000 });
    await keepScreenshot(phone, 'phone-grid-pinched', false);
    const tile = (await phone.locator('main[aria-label="Library"] a[data-uuid]').first().boundingBox())!;
    await touch('touchStart', [{ x: tile.x + tile.width / 2, y: tile.y + tile.height / 2 }]);
    await phone.getByRole('toolbar', { name: 'Selected items' }).getByText('1 item selected').waitFor({ timeout: 5_000 });
    await touch('touchEnd', []);
    assert.equal(await phone.locator('.pswp').count(), 0, 'a long press opens nothing');
    await keepScreenshot(phone, 'phone-grid-selecting', false);
    await phone.reload();
    await phone.waitForFunction(() => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length >= 4, undefined, { timeout: 60_000 });

    // The viewer: a tap on a phone opens it full screen, on the photo tapped.
    const first = await phone.locator('main[aria-label="Library"] a[data-uuid]').first().getAttribute('data-uuid');
    await phone.locator('main[aria-label="Library"] a[data-uuid]').first().tap();
    await phone.locator('.pswp--open').waitFor();
    await phone.waitForFunction((u: string | null) => document.querySelector('.pswp')?.getAttribute('data-uuid') === u, first, { timeout: 10_000 });
    await phone.locator('.pswp[data-open]').waitFor();
    const shown = () => phone.evaluate(() => document.querySelector('.pswp')?.getAttribute('data-uuid'));
    // A swipe to the left: the next photo.
    await touch('touchStart', [{ x: 330, y: 420 }]);
    for (let x = 310; x >= 30; x -= 20) await touch('touchMove', [{ x, y: 422 }]);
    await touch('touchEnd', []);
    await phone.waitForFunction((was: string | null) => { const u = document.querySelector('.pswp')?.getAttribute('data-uuid'); return u && u !== was; }, first, { timeout: 10_000 })
      .catch(async (err: Error) => { await keepScreenshot(phone, 'phone-viewer-stuck', false); throw new Error(`${err.message}: ${await shown()} was ${first}`); });
    await keepScreenshot(phone, 'phone-viewer', false);
    // A pinch (two fingers apart) zooms in.
    await pinchOut(420, 30, async () => (await phone.locator('.pswp--zoomed-in').count()) > 0);
    await phone.locator('.pswp--zoomed-in').waitFor({ timeout: 10_000 });
    await keepScreenshot(phone, 'phone-viewer-zoomed', false);
    await phone.locator('.pswp__button--close').tap();
    await phone.locator('.pswp--open').waitFor({ state: 'detached' });

    // The Places map, offline: a dot per town with its count; a tap opens that place's photos.
    await phone.goto(`${status.web_urls[0]!.replace(/\/ui\/$/, '')}/ui/#/places`);
    const dot = phone.locator('.places-map .map-cluster').first();
    await dot.waitFor({ timeout: 30_000 });
    await keepScreenshot(phone, 'phone-places-map', false);
    const towns = await phone.locator('.places-map .map-cluster').count();
    assert.ok(towns >= 1, 'the places are on the map');
    const label = await dot.getAttribute('aria-label') ?? '';
    await dot.tap();
    if (/ places, /.test(label)) await phone.getByRole('button', { name: 'Whole world' }).waitFor();
    else await phone.waitForFunction(() => decodeURIComponent(location.hash).includes('place:'));
    await context.close();
  });
  it('shows a browser that may only upload nothing of the library but its Upload', async () => {
    const pair = json<{ url: string }>(await cliHere(['--json', 'ui', 'pair', '--name', 'Drop box', '--may', 'upload', '--uploads-to', uploadsTo], env));
    const context = await launched!.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, ignoreHTTPSErrors: true });
    context.setDefaultTimeout(20_000);
    const phone = await context.newPage();
    assert.equal((await phone.goto(pair.url))?.status(), 200);
    await phone.getByRole('heading', { name: 'Upload photos and videos' }).waitFor();
    await phone.getByRole('button', { name: 'Upload', exact: true }).waitFor();
    assert.equal(await phone.getByRole('navigation', { name: 'Main' }).count(), 0, 'no pages of the library offered');
    assert.equal(await phone.locator('a[data-uuid]').count(), 0);
    const grid = await phone.evaluate(async () => (await fetch('/api/libraries/current/grid?limit=10', { credentials: 'same-origin' })).status);
    assert.equal(grid, 403, 'the library is not read');
    // Told no library's name nor any path of this machine (issue 57, N5).
    const shown = await phone.evaluate(() => document.body.innerText as string);
    assert.doesNotMatch(shown, /\bPhotos\b/, 'the library\'s name is not shown');
    assert.ok(!shown.includes(tmp.path), 'no path of this machine is shown');
    await keepScreenshot(phone, 'phone-upload-only', false);
    await context.close();
  });
});
