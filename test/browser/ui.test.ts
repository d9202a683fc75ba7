import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page, Response } from 'playwright-core';
import { FIXTURES, FIXTURES_SKIP, json } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { launchBrowser, newPage, type LaunchedBrowser } from './launch.js';
import { HAVE_SEARCH, nameOf, SEARCH_SKIP, startUiLibrary, UI_FIXTURES, UI_SKIP, type UiLibrary } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const document: any;
declare const window: any;
declare const getComputedStyle: any;

/**
 * The web UI as a user meets it: a real daemon over the fixtures, the app it serves at /ui/, a real
 * headless Chromium: one browser for the file, each test in a fresh context of its own (cookies,
 * storage, cache and service workers are a context's); closed at the end (close() fails the file
 * if a Chromium process outlives it).
 */
describe('the web UI in a real browser', { skip: FIXTURES_SKIP || UI_SKIP, timeout: 300_000 }, () => {
  let ui: UiLibrary;
  let launched: LaunchedBrowser;
  before(async () => {
    // What its pages show and its checks read: thumbnails, the video's proxy, the Live Photo's
    // movie, and the OCR of the three files the search finds (asked of the daemon's resolver, as a
    // page asks for a sidecar). Not every kind of every file: faces, perceptual hashes, film strips
    // and OCR of the photos (and of each file the tests add: 60 copies of a photo in one test) were
    // most of this file's CPU, and no check here looks at them.
    ui = await startUiLibrary('vss-browser-', { generate: 'thumb,proxy=quick,live_photo_video=embedded' });
    for (const f of ['ocrImage', 'scannedPdf', 'textPdf'] as const) {
      const got = await runCli(['sidecars', 'get', ui.uuidOf(f), 'ocr', 'default', '--timeout', '120'], ui.env);
      assert.equal(got.code, 0, `${nameOf(f)}'s OCR: ${got.stderr}`);
    }
    launched = await launchBrowser();
  });
  after(async () => {
    await launched?.close();
    await ui?.stop();
  });

  /** A signed-in page (an address `vss ui` prints, so the session cookie is set) of WIDTH × HEIGHT. */
  async function withPage(fn: (page: Page) => Promise<void>, size: { width?: number; height?: number } = {}): Promise<void> {
    const { context, page } = await newPage(launched.browser, size);
    try {
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      const answer = await page.goto(await ui.signInUrl());
      assert.equal(answer?.status(), 200);
      assert.equal(new URL(page.url()).search, '', 'the ticket left the address bar');
      await fn(page);
      assert.deepEqual(problems, [], 'no script error in the page');
    } finally {
      await context.close();
    }
  }

  const grid = (page: Page) => page.getByRole('main', { name: 'Library' });
  const searchBox = (page: Page) => page.getByRole('searchbox', { name: 'Search' });

  it('refuses a page without a session (401, says to run `vss ui`); a ticket signs in once, to a cookie that is not the token', async () => {
    const { context, page } = await newPage(launched.browser);
    try {
      const bare = await page.goto(`${ui.http}/ui/`);
      assert.equal(bare?.status(), 401);
      assert.match(await page.locator('body').innerText(), /vss ui/);
      const wrong = await page.goto(`${ui.http}/ui/?ticket=${'0'.repeat(43)}`);
      assert.equal(wrong?.status(), 401);
      assert.equal((await page.goto(`${ui.http}/ui/?token=${ui.token}`))?.status(), 401, 'the token does not sign in');
      const api = await page.goto(`${ui.http}/api/libraries/current/grid?offset=0&limit=10`);
      assert.equal(api?.status(), 401, 'the API without cookie or token');
      // With the right address the session cookie is set, HttpOnly and SameSite=Strict.
      const signIn = await ui.signInUrl();
      assert.equal((await page.goto(signIn))?.status(), 200);
      const cookie = (await page.context().cookies()).find((c) => c.name.startsWith('vss_session'));
      assert.ok(cookie, 'the session cookie');
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Strict');
      assert.notEqual(cookie.value, ui.token, 'the cookie is not the bearer token');
      // The address, used once, signs in no other browser.
      const other = await newPage(launched.browser);
      assert.equal((await other.page.goto(signIn))?.status(), 401);
      await other.context.close();
      assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read it');
    } finally {
      await context.close();
    }
  });

  it('a page of another 127.0.0.1 port gets nothing made with the session cookie: images and fetches are refused', async () => {
    // SameSite counts every port of 127.0.0.1 as one site, so the browser sends the cookie; Sec-Fetch-Site tells the daemon.
    // Icons are not in the policy: nothing makes them but a request for one.
    const uuid = ui.uuidOf('photo');
    const icon = (v: string) => `${ui.http}/api/libraries/current/sidecars/${uuid}/thumb/${v}`;
    const ready = async (v: string): Promise<boolean> => {
      const r = await fetch(`${ui.http}/api/libraries/current/content/${uuid}/detail`, { headers: { authorization: `Bearer ${ui.token}` }, signal: AbortSignal.timeout(30_000) });
      const d = (await r.json()) as { sidecars: Array<{ kind: string; variant: string; status: string }> };
      return d.sidecars.some((s) => s.kind === 'thumb' && s.variant === v && s.status === 'ready');
    };
    assert.equal(await ready('icon@1x') || await ready('icon@2x'), false, 'no icons yet');
    const other = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>other</title><img id="t" src="${icon('icon@1x')}">`);
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      await withPage(async (page) => {
        await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
        await page.waitForFunction(() => document.getElementById('t').complete, undefined, { timeout: 20_000 });
        assert.equal(await page.evaluate(() => document.getElementById('t').naturalWidth), 0, 'the image did not load');
        await page.evaluate(async (u: string) => { await fetch(u, { mode: 'no-cors', credentials: 'include' }).catch(() => undefined); }, icon('icon@2x'));
        assert.equal(await ready('icon@1x'), false, 'the image made nothing');
        assert.equal(await ready('icon@2x'), false, 'the fetch made nothing');
        // The same requests from the app's own page are answered (so the refusal was for where they came from).
        await page.goto(`${ui.http}/ui/`);
        assert.equal(await page.evaluate(async (u: string) => (await fetch(u)).status, icon('icon@1x')), 200);
        assert.equal(await ready('icon@1x'), true);
      });
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  it('renders the grid of thumbnails: alt is the file name, each image decoded', async () => {
    await withPage(async (page) => {
      const shown = ['ocrImage', 'scannedPdf', 'textPdf', 'livePhoto', 'video', 'photo', 'gpsPhoto'] as const;
      await grid(page).locator('img').first().waitFor();
      // The grid shows photos and videos first; the PDFs are among everything (issue 32).
      await page.getByRole('group', { name: 'Kinds shown' }).getByRole('button', { name: 'Everything' }).click();
      await page.waitForFunction(() => document.location.hash === '#/?kinds=all', undefined, { timeout: 10_000 });
      await grid(page).locator('img').first().waitFor();
      // The grid is virtualized (bench:ui shows it on 100k): scroll it screen by screen, noting each decoded thumbnail.
      const decoded = new Map<string, { src: string; href: string | null; width: number }>();
      for (let screen = 0; screen < 30; screen++) {
        // Two frames for the rows the scroll brought in, then their images loaded.
        await page.evaluate(() => new Promise((r) => window.requestAnimationFrame(() => window.requestAnimationFrame(r))));
        await page.waitForFunction(() => [...document.querySelectorAll('main[aria-label="Library"] img')].every((i: any) => i.complete), undefined, { timeout: 10_000 });
        const imgs = await page.evaluate(() => [...document.querySelectorAll('main[aria-label="Library"] img')].map((i: any) => ({
          alt: i.alt, src: i.getAttribute('src'), href: i.closest('a')?.getAttribute('href') ?? null, width: i.naturalWidth,
        })));
        for (const i of imgs) if (i.width > 0) decoded.set(i.alt, i);
        const atEnd = await grid(page).evaluate((main) => {
          const before = main.scrollTop;
          main.scrollBy(0, main.clientHeight * 0.8);
          return main.scrollTop === before;
        });
        if (atEnd) break;
      }
      for (const f of shown) {
        const img = decoded.get(nameOf(f));
        assert.ok(img, `${nameOf(f)}: its thumbnail decoded in the grid (saw ${[...decoded.keys()].join(', ')})`);
        assert.equal(img.href, `#/content/${ui.uuidOf(f)}`, `${nameOf(f)}: a link to its detail holds it`);
        assert.match(img.src, new RegExp(`/sidecars/${ui.uuidOf(f)}/thumb/grid(@|%40)1x`));
      }
      assert.equal(decoded.has(nameOf('livePhotoMovie')), false, 'a Live Photo movie is not a tile of its own');
      assert.ok(await grid(page).locator('h2').count() >= 1, 'day headers');
    });
  });

  it('search finds words of the OCR fixtures as you type, the right file first', { skip: SEARCH_SKIP }, async () => {
    await withPage(async (page) => {
      const results = page.getByRole('list', { name: 'Search results' });
      for (const [word, file] of [['lazy', 'ocrImage'], ['LinnSequencer', 'scannedPdf'], ['Sample', 'textPdf']] as const) {
        await searchBox(page).fill(word);
        await page.waitForFunction(
          ([name]) => document.querySelector('ul[aria-label="Search results"] > li')?.textContent?.includes(name),
          [nameOf(file)], { timeout: 10_000 },
        );
        const first = results.locator(':scope > li').first();
        assert.ok((await first.locator('mark').count()) >= 1, `${word}: the match is marked in the snippet`);
        assert.equal(await first.locator(`a[href^="#/content/${ui.uuidOf(file)}"]`).count() >= 1, true, `${word}: links to the detail`);
      }
      assert.match(page.url(), /#\/search\?q=Sample/, 'the search is in the address');
      await page.waitForFunction(() => document.title === 'Search: Sample · vss', undefined, { timeout: 5_000 });
    });
  });

  it('plays the Live Photo on hover', async () => {
    await withPage(async (page) => {
      await page.goto(`${ui.http}/ui/#/content/${ui.uuidOf('livePhoto')}`);
      await page.getByRole('heading', { level: 1, name: nameOf('livePhoto') }).waitFor();
      assert.equal(await page.title(), `${nameOf('livePhoto')} · vss`, 'the window is named after the file');
      const video = page.locator('video[aria-label="Live Photo"]');
      await video.waitFor({ state: 'attached' });
      assert.equal(await video.evaluate((v) => v.paused), true, 'still until hovered');
      // Over the still (the movie lies over it, hidden until it plays).
      await page.getByRole('img', { name: nameOf('livePhoto'), exact: true }).first().hover({ force: true });
      await page.waitForFunction((v) => !v.paused && v.currentTime > 0.05, await video.elementHandle(), { timeout: 10_000 });
    });
  });

  it('seeks in a video proxy with a Range request answered 206', async () => {
    await withPage(async (page) => {
      const ranged: Array<{ status: number; range: string | undefined }> = [];
      page.on('response', (r: Response) => {
        if (r.url().includes(`/sidecars/${ui.uuidOf('video')}/proxy/`)) ranged.push({ status: r.status(), range: r.request().headers().range });
      });
      await page.goto(`${ui.http}/ui/#/content/${ui.uuidOf('video')}`);
      const video = page.locator('video[aria-label="Video"]');
      await video.waitFor({ state: 'attached' });
      assert.equal(await video.getAttribute('controls') !== null, true, 'a video has controls');
      await page.waitForFunction((v) => v.readyState >= 1 && v.duration > 1, await video.elementHandle(), { timeout: 10_000 });
      await video.evaluate((v) => { v.currentTime = v.duration - 0.5; });
      await page.waitForFunction((v) => !v.seeking && v.currentTime > 1 && v.readyState >= 2, await video.elementHandle(), { timeout: 10_000 });
      assert.ok(ranged.some((r) => r.status === 206 && r.range?.startsWith('bytes=')), `a 206 answer to a Range request: ${JSON.stringify(ranged)}`);
    });
  });

  it('shows job progress live (SSE), with no reload', async () => {
    await withPage(async (page) => {
      await page.goto(`${ui.http}/ui/#/jobs`);
      await page.getByRole('list', { name: 'Jobs' }).waitFor();
      // Every state the page gives its progress bars from now on, and a marker a reload would lose.
      const before = await page.evaluate(() => {
        window.__seen = [];
        window.__noReload = true;
        const note = () => {
          for (const el of document.querySelectorAll('[role="progressbar"]')) {
            window.__seen.push([el.getAttribute('aria-label'), el.getAttribute('aria-valuenow'), el.getAttribute('aria-valuemax')]);
          }
        };
        new window.MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
        return [...document.querySelectorAll('[role="progressbar"]')].map((el: any) => el.getAttribute('aria-label'));
      }) as string[];
      // New work in the watched location: the daemon queues and runs its jobs; the page hears of them by SSE.
      copyFileSync(join(FIXTURES, 'video', 'photoprism-christmas-noaudio.mp4'), join(ui.tree, 'christmas.mp4'));
      const finished = await page.waitForFunction((old: string[]) => {
        const seen = window.__seen as Array<[string, string, string]>;
        const fresh = new Set(seen.filter(([label]) => label && !old.includes(label)).map(([label]) => label));
        // A new job seen at 0 and later at its maximum: it ran and finished on this page.
        return [...fresh].find((label) => {
          const states = seen.filter(([l]) => l === label);
          const start = states.findIndex(([, now]) => now === '0');
          return start >= 0 && states.slice(start).some(([, now, max]) => now === max);
        });
      }, before, { timeout: 45_000, polling: 100 });
      assert.match(String(await finished.jsonValue()), /^Job \d+/);
      assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
    });
  });

  it('follows the library live: a file copied into the watched folder appears as a tile with its thumbnail, no scroll, no reload, the focus kept', async () => {
    await withPage(async (page) => {
      const focusedUuid = ui.uuidOf('photo');
      const tile = page.locator(`main[aria-label="Library"] a[href="#/content/${focusedUuid}"]`);
      await tile.waitFor({ timeout: 20_000 });
      await tile.focus();
      const scrollTop = () => grid(page).evaluate((main) => main.scrollTop);
      const before = await scrollTop();
      await page.evaluate(() => { window.__noReload = true; });
      copyFileSync(join(FIXTURES, 'exif', 'orientation', 'portrait_6.jpg'), join(ui.tree, 'live-new.jpg'));
      // The tile arrives by the daemon's events alone; its thumbnail decodes (made by the resolver or the job, whichever is first).
      await page.waitForFunction(() => {
        const img = document.querySelector('main[aria-label="Library"] img[alt="live-new.jpg"]');
        return img !== null && img.complete && img.naturalWidth > 0;
      }, undefined, { timeout: 60_000, polling: 200 });
      // The grid thumbnail's sidecar event reads the tile again, with its checksum (the address the browser keeps).
      await page.waitForFunction(() => /[?&]v=/.test(document.querySelector('main[aria-label="Library"] img[alt="live-new.jpg"]')?.getAttribute('src') ?? ''),
        undefined, { timeout: 60_000, polling: 200 });
      assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
      assert.equal(await scrollTop(), before, 'the grid was not scrolled');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('href')), `#/content/${focusedUuid}`, 'the focused tile kept the focus');
    }, { height: 1000 });
  });

  it('reads a visible tile again when its thumbnail changes (no change of order): a thumbnail gone is asked for again', async () => {
    const uuid = ui.uuidOf('gpsPhoto');
    const sidecars = json<Array<{ content_uuid: string; kind: string; variant: string; path: string | null }>>(await runCli(['sidecars', 'list', '--json'], ui.env));
    const file = sidecars.find((s) => s.content_uuid === uuid && s.kind === 'thumb' && s.variant === 'grid@1x')?.path;
    assert.ok(file, 'the grid thumbnail of the GPS photo is made');
    await withPage(async (page) => {
      // Every page of the grid read, by when it was asked for: what lasts, unlike a src the daemon may make again at once.
      const reads: Array<{ sentAt: number; holds: boolean }> = [];
      const sentAt = new WeakMap<object, number>();
      page.on('request', (r) => { if (r.url().includes('/grid?offset=')) sentAt.set(r, Date.now()); });
      page.on('response', (r: Response) => {
        const at = sentAt.get(r.request());
        if (at === undefined) return;
        void r.json().then((body: { items: Array<{ content_uuid: string }> }) => reads.push({ sentAt: at, holds: body.items.some((it) => it.content_uuid === uuid) }), () => undefined);
      });
      await page.waitForFunction((alt: string) => /[?&]v=/.test(document.querySelector(`main[aria-label="Library"] img[alt="${alt}"]`)?.getAttribute('src') ?? ''),
        nameOf('gpsPhoto'), { timeout: 20_000 });
      await page.evaluate(() => { window.__noReload = true; });
      // The daemon's sidecar watch sees the file go (`sidecar:changed`): the page holding the tile is read again.
      const removedAt = Date.now();
      rmSync(file);
      for (const end = Date.now() + 30_000; !reads.some((r) => r.sentAt >= removedAt && r.holds);) {
        assert.ok(Date.now() < end, `the page holding the tile was read again after its thumbnail went (reads: ${JSON.stringify(reads)})`);
        await page.waitForTimeout(100);
      }
      // Asked for by its address, the daemon makes it again (if the job runner had not already); the tile shows it.
      await page.waitForFunction((alt: string) => {
        const img = document.querySelector(`main[aria-label="Library"] img[alt="${alt}"]`);
        return img !== null && img.complete && img.naturalWidth > 0;
      }, nameOf('gpsPhoto'), { timeout: 60_000, polling: 200 });
      assert.match(String(await src(page)), new RegExp(`/sidecars/${uuid}/thumb/grid(@|%40)1x`));
      assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
    }, { height: 1000 });
    function src(page: Page) {
      return page.evaluate((alt: string) => document.querySelector(`main[aria-label="Library"] img[alt="${alt}"]`)?.getAttribute('src') ?? null, nameOf('gpsPhoto'));
    }
  });

  /**
   * Scrolled to the end of the grid (the oldest), ADD() puts N newer contents in the watched folder:
   * the first whole tile on screen moves N places down the order and stays where it was on screen.
   */
  async function keepsInPlace(page: Page, n: number, newDay: string, add: () => void, hash = '#/'): Promise<void> {
    const heading = page.getByRole('heading', { level: 1 });
    await page.evaluate((h: string) => { document.location.hash = h; }, hash);
    await grid(page).locator('img').first().waitFor({ timeout: 20_000 });
    const items = async () => Number(/([0-9,]+) items/.exec(await heading.innerText())?.[1]?.replace(/,/g, '') ?? NaN);
    const before = await items();
    await grid(page).evaluate((main) => { main.scrollTop = main.scrollHeight; });
    await page.evaluate(() => new Promise((r) => window.requestAnimationFrame(() => window.requestAnimationFrame(r))));
    const anchor = await grid(page).evaluate((main) => {
      const top = main.getBoundingClientRect().top;
      const t = [...main.querySelectorAll('a[data-uuid]')].find((a: any) => a.getBoundingClientRect().top >= top);
      return { uuid: t.dataset.uuid as string, index: Number(t.dataset.i), top: t.getBoundingClientRect().top - top, scrollTop: main.scrollTop as number };
    });
    assert.ok(anchor.scrollTop > 0, 'the grid scrolls at this size');
    const detail = await fetch(`${ui.http}/api/libraries/current/grid?offset=${anchor.index}&limit=1`, { headers: { authorization: `Bearer ${ui.token}` }, signal: AbortSignal.timeout(30_000) });
    const day = ((await detail.json()) as { items: Array<{ day: string | null }> }).items[0]?.day;
    assert.ok(day === null || (day !== undefined && day < newDay), `the tile on top (${day}) is older than what comes (${newDay})`);
    add();
    await page.waitForFunction(([want]) => {
      const m = /([0-9,]+) items/.exec(document.querySelector('h1')?.textContent ?? '');
      return m !== null && Number(m[1]!.replace(/,/g, '')) >= want!;
    }, [before + n], { timeout: 90_000, polling: 200 });
    // Its page read again, the tile stands N places further, where it was on screen.
    const where = () => page.evaluate(([uuid, index]) => {
      const main = document.querySelector('main[aria-label="Library"]');
      const t = main?.querySelector(`a[data-uuid="${uuid}"][data-i="${index}"]`);
      const drawn = [...main.querySelectorAll(`a[data-uuid="${uuid}"]`)].map((a: any) => Number(a.dataset.i));
      return { top: t ? t.getBoundingClientRect().top - main.getBoundingClientRect().top : null, scrollTop: main.scrollTop as number, drawn };
    }, [anchor.uuid, String(anchor.index + n)] as const);
    let after = await where();
    for (const end = Date.now() + 30_000; after.top === null; after = await where()) {
      assert.ok(Date.now() < end, `the tile on top (item ${anchor.index}) is drawn as item ${anchor.index + n} within 30 s: ${JSON.stringify(after)}`);
      await page.waitForTimeout(100);
    }
    assert.ok(Math.abs(after.top! - anchor.top) <= 2, `the tile on top stayed in place: ${anchor.top} px, now ${after.top} (scrollTop ${anchor.scrollTop} → ${after.scrollTop})`);
  }

  it('keeps the tiles on screen in place when newer contents arrive above them', async () => {
    // A photo newer than every one of the library (2023-11-01): it sorts first, above every tile on
    // screen. A JPEG: the daemon makes its sidecars in a fraction of what a HEIC's decode costs.
    await withPage((page) => keepsInPlace(page, 1, '2023-11-01', () => copyFileSync(join(FIXTURES, 'livephoto', 'ente-pixel_8-NOT-motion.jpg'), join(ui.tree, 'newest.jpg'))), { width: 360, height: 500 });
  });

  it('keeps them in place when many more arrive than the rows drawn', { timeout: 240_000 }, async () => {
    // Copies of a photo of 2008-10-22, each a content of its own (a byte added after the image's end).
    // Every kind shown: the photos-only grid ends with that very photo, which its copies would tie
    // with; under every kind the undated documents end it, older than anything that comes. Not the
    // Canon photo: its time has sub-seconds, so sixty copies of it in one folder are one burst,
    // stacked into one tile moments after they are counted as sixty.
    const photo = readFileSync(join(FIXTURES, UI_FIXTURES.gpsPhoto));
    const many = 60;
    await withPage((page) => keepsInPlace(page, many, '2008-10-22', () => {
      for (let i = 0; i < many; i++) writeFileSync(join(ui.tree, `copy-${String(i).padStart(2, '0')}.jpg`), Buffer.concat([photo, Buffer.from([i])]));
    }, '#/?kinds=all'), { width: 360, height: 500 });
  });

  it('names each job after its content\'s file, for jobs listed and jobs that arrive live', async () => {
    await withPage(async (page) => {
      await page.goto(`${ui.http}/ui/#/jobs`);
      const jobs = page.getByRole('list', { name: 'Jobs' });
      await jobs.waitFor();
      const named = (name: string) => jobs.locator(':scope > li').filter({ has: page.getByRole('link', { name, exact: true }) });
      await named(nameOf('photo')).first().waitFor({ timeout: 10_000 });
      assert.equal(await named(nameOf('photo')).first().getByRole('link', { name: nameOf('photo'), exact: true }).getAttribute('href'), `#/content/${ui.uuidOf('photo')}`);
      await page.evaluate(() => { window.__noReload = true; });
      copyFileSync(join(FIXTURES, 'exif', 'orientation', 'landscape_1.jpg'), join(ui.tree, 'jobs-live.jpg'));
      await named('jobs-live.jpg').first().waitFor({ timeout: 60_000 });
      assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
    });
  });

  it('reaches the search box by Tab, with a visible focus ring', async () => {
    await withPage(async (page) => {
      await grid(page).locator('img').first().waitFor();
      let reached = false;
      for (let i = 0; i < 40 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'Search' && document.activeElement?.type === 'search');
      }
      assert.ok(reached, 'Tab reaches the search input within 40 presses');
      const ring = await page.evaluate(() => {
        const el = document.activeElement;
        const s = getComputedStyle(el);
        return { visible: el.matches(':focus-visible'), outline: `${s.outlineStyle} ${s.outlineWidth}`, shadow: s.boxShadow };
      });
      assert.ok(ring.visible, ':focus-visible applies');
      const outlined = !ring.outline.startsWith('none') && parseFloat(ring.outline.split(' ')[1]!) > 0;
      assert.ok(outlined || ring.shadow !== 'none', `a focus ring is drawn: outline ${ring.outline}, box-shadow ${ring.shadow}`);
    });
  });

  it('has no horizontal scroll at 360 px wide', async () => {
    await withPage(async (page) => {
      const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      await grid(page).locator('img').first().waitFor();
      assert.equal(await overflow(), 0, 'grid');
      const routes: Array<[string, (p: Page) => ReturnType<Page['locator']>]> = [
        [`#/content/${ui.uuidOf('ocrImage')}`, (p) => p.getByRole('heading', { level: 1, name: nameOf('ocrImage') })],
        ['#/jobs', (p) => p.getByRole('progressbar').first()],
        ['#/locations', (p) => p.getByLabel('Path')],
        ['#/devices', (p) => p.getByRole('button', { name: 'Start pairing' })],
      ];
      if (HAVE_SEARCH) routes.push(['#/search?q=lazy', (p) => p.getByRole('list', { name: 'Search results' }).locator(':scope > li').first()]);
      for (const [route, shown] of routes) {
        await page.goto(`${ui.http}/ui/${route}`);
        await shown(page).waitFor();
        assert.equal(await overflow(), 0, route);
      }
    }, { width: 360, height: 740 });
  });
});
