import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { FIXTURES, FIXTURES_SKIP, json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';
import { launchBrowser, newPage } from './launch.js';
import { HAVE_SEARCH, UI_SKIP, daemonGet } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const document: any;

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];
const PHOTO = 'exif/Canon_40D.jpg';
const GPS_PHOTO = 'exif/gps/DSCN0010.jpg';

interface Item { content_uuid: string; name: string; local: boolean; devices: string[] }

/**
 * The web UI over one library across two devices (DESIGN §15), as a new user meets it: a laptop
 * indexes its photos, a desktop its documents, they pair (two real daemons over loopback); the
 * desktop's grid shows the laptop's photos beside its own documents, each named with its device,
 * a device filter narrows it, a remote photo's detail lists its copies by address, search finds
 * it, a document's detail sends it to the laptop (Spacedrop), an album made on the laptop opens on
 * the desktop and the desktop adds to it, and with the laptop off its photos stay, marked offline. A real headless Chromium.
 */
describe('the web UI across two paired devices', { skip: FIXTURES_SKIP || UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-ui-devices-');
  const A = { VSS_DATA_DIR: join(tmp.path, 'laptop') };
  const B = { VSS_DATA_DIR: join(tmp.path, 'desktop') };
  const photos = join(tmp.path, 'Photos');
  const documents = join(tmp.path, 'Documents');
  const inbox = join(tmp.path, 'laptop-inbox');
  let http = '';
  let token = '';
  let signIn = '';
  after(async () => {
    await Promise.all([runCli(['daemon', 'stop'], A), runCli(['daemon', 'stop'], B)]);
    tmp.cleanup();
  });

  const api = <T>(path: string): Promise<T> => daemonGet<T>(http, token, path);
  const gridItems = async () => (await api<{ items: Item[] }>('/api/libraries/current/grid?offset=0&limit=100')).items;

  before(async () => {
    mkdirSync(photos);
    mkdirSync(documents);
    copyFileSync(join(FIXTURES, PHOTO), join(photos, 'Canon_40D.jpg'));
    copyFileSync(join(FIXTURES, GPS_PHOTO), join(photos, 'DSCN0010.jpg'));
    writeFileSync(join(documents, 'letter.txt'), 'dear desktop');

    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'libs')], A)).code, 0);
    assert.equal((await runCli(['device', 'rename', 'Laptop'], A)).code, 0);
    assert.equal((await runCli(['device', 'rename', 'Desktop'], B)).code, 0);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], A)).code, 0);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], B)).code, 0);
    // Thumbnails alone: the page draws them; faces, OCR and fingerprints of the two photos, most of
    // the laptop daemon's work, no check here reads.
    const added = await runCli(['location', 'add', photos, '--name', 'Photos', '--mode', 'deep', '--generate', 'thumb'], A);
    assert.equal(added.code, 0, added.stderr);
    await pairDaemons(A, B);
    assert.equal((await runCli(['files', 'inbox', '--dir', inbox], A)).code, 0);
    assert.equal((await runCli(['location', 'add', documents, '--name', 'Documents', '--mode', 'content'], B)).code, 0);

    const ui = json<{ url: string; http: string }>(await runCli(['ui', '--json'], B));
    http = ui.http;
    signIn = ui.url;
    token = (await import('node:fs')).readFileSync(join(B.VSS_DATA_DIR, 'daemon.token'), 'utf8').trim();
    // The laptop's photos reach the desktop's grid (pulled on connect, and on the laptop's change after its scan).
    await until('the laptop\'s photos in the desktop\'s grid', 60_000, async () => {
      const items = await gridItems();
      return items.filter((i) => !i.local).length === 2 && items.some((i) => i.local) ? true : undefined;
    }, 300);
  });

  const grid = (page: Page) => page.getByRole('main', { name: 'Library' });
  const tileNames = (page: Page) => grid(page).locator('a[data-uuid]').evaluateAll((els) => els.map((e: any) => e.getAttribute('aria-label') as string));

  it('shows the laptop\'s photos beside the desktop\'s documents, each named with its device; a filter narrows it; a remote photo\'s detail lists its copies; search finds it; the desktop sends a file to the laptop from a detail; an album made on the laptop opens on the desktop, which adds to it; with the laptop off its photos stay, offline', async () => {
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser);
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      assert.equal((await page.goto(signIn))?.status(), 200);
      // Every kind: the desktop's document beside the laptop's photos (the grid shows photos and videos first, issue 32).
      await page.evaluate(() => { document.location.hash = '#/?kinds=all'; });

      // Every device's contents, each tile named with its device (the device's own name, as it renamed itself).
      await page.waitForFunction(() => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length === 3, undefined, { timeout: 30_000 });
      assert.deepEqual((await tileNames(page)).sort(), ['Canon_40D.jpg, on Laptop', 'DSCN0010.jpg, on Laptop', 'letter.txt, on Desktop']);
      assert.deepEqual(
        (await grid(page).locator('.device-badge').allInnerTexts()).sort(),
        ['Desktop', 'Laptop', 'Laptop'],
        'a badge on each tile names its device',
      );
      // The laptop's photo's thumbnail, fetched from the laptop through the desktop's resolver, is drawn.
      const remoteImg = grid(page).locator('a[aria-label="Canon_40D.jpg, on Laptop"] img');
      await page.waitForFunction((img: any) => img.complete && img.naturalWidth > 0, await remoteImg.elementHandle(), { timeout: 60_000 });

      // The device filter: this device's only, then the laptop's only, then all again.
      const filter = page.getByRole('combobox', { name: 'Device' });
      assert.deepEqual(await filter.locator('option').allInnerTexts(), ['All devices', 'Desktop (this device)', 'Laptop']);
      await filter.selectOption({ label: 'Desktop (this device)' });
      await page.waitForFunction(() => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length === 1, undefined, { timeout: 10_000 });
      assert.deepEqual(await tileNames(page), ['letter.txt, on Desktop']);
      assert.match(page.url(), /#\/\?device=local&kinds=all$/);
      await filter.selectOption({ label: 'Laptop' });
      await page.waitForFunction(() => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length === 2, undefined, { timeout: 10_000 });
      assert.deepEqual((await tileNames(page)).sort(), ['Canon_40D.jpg, on Laptop', 'DSCN0010.jpg, on Laptop']);
      await filter.selectOption({ label: 'All devices' });
      await page.waitForFunction(() => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length === 3, undefined, { timeout: 10_000 });

      // A photo only the laptop holds: its detail says what it is and where its copy is.
      await grid(page).locator('a[aria-label="Canon_40D.jpg, on Laptop"]').click();
      await page.getByRole('heading', { level: 1, name: 'Canon_40D.jpg' }).waitFor();
      const copies = page.getByRole('list', { name: 'Copies on every device' });
      await copies.waitFor();
      assert.match(await copies.innerText(), /Laptop\s+online\s+Laptop:\/Photos\/Canon_40D\.jpg/);
      const details = await page.getByRole('region', { name: 'Details' }).innerText();
      assert.match(details, /No copy on this device/);
      assert.match(details, /Dimensions\s+100 × 68/, 'its metadata, as the laptop read it');

      // Search on the desktop finds the laptop's photo by name, with its address.
      if (HAVE_SEARCH) {
        await page.getByRole('searchbox', { name: 'Search' }).fill('Canon_40D');
        const first = page.getByRole('list', { name: 'Search results' }).locator(':scope > li').first();
        await first.waitFor({ timeout: 20_000 });
        assert.match(await first.innerText(), /on Laptop[\s\S]*Laptop:\/Photos\/Canon_40D\.jpg/);
      }

      // Shared data (DESIGN §16): the laptop favourites and rates its photo; the desktop's open grid shows it, with no reload.
      await page.evaluate(() => { document.location.hash = '#/?kinds=all'; });
      await page.waitForFunction(() => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length === 3, undefined, { timeout: 10_000 });
      const canon = (await gridItems()).find((i) => i.name === 'Canon_40D.jpg')!.content_uuid;
      const set = await runCli(['meta', 'set', canon, '--favorite', '--rating', '4'], A);
      assert.equal(set.code, 0, set.stderr);
      const meta = grid(page).getByRole('group', { name: 'Canon_40D.jpg: favourite and rating' });
      await meta.getByRole('button', { name: 'Favourite', pressed: true }).waitFor({ timeout: 20_000 });
      await meta.getByRole('group', { name: /Rating: 4/ }).waitFor({ timeout: 5_000 });

      // Spacedrop from the detail: the desktop's letter sent to the laptop arrives in its inbox, verified.
      await page.evaluate(() => { document.location.hash = '#/?kinds=all'; });
      await grid(page).locator('a[aria-label="letter.txt, on Desktop"]').click();
      await page.getByRole('heading', { level: 1, name: 'letter.txt' }).waitFor();
      const send = page.getByRole('region', { name: 'Send to a device' });
      await send.getByRole('combobox', { name: 'Send to' }).selectOption({ label: 'Laptop' });
      await send.getByRole('button', { name: 'Send' }).click();
      await send.locator('.status-completed').waitFor({ timeout: 30_000 });
      assert.equal(readFileSync(join(inbox, 'letter.txt'), 'utf8'), 'dear desktop');

      // An album made on the laptop (shared data, issue 32): the desktop's Albums page lists it, and
      // opening it shows the laptop's two photos under its name.
      const made = await runCli(['album', 'add', 'Trip', join(photos, 'Canon_40D.jpg'), join(photos, 'DSCN0010.jpg')], A);
      assert.equal(made.code, 0, made.stderr);
      const trip = await until('the laptop\'s album on the desktop', 30_000, async () =>
        (await api<Array<{ album_id: string; name: string; count: number }>>('/api/libraries/current/albums')).find((a) => a.name === 'Trip' && a.count === 2), 250);
      await page.getByRole('link', { name: 'Albums', exact: true }).click();
      const albumCard = page.getByRole('list', { name: 'Albums' }).locator('.album-card').filter({ has: page.locator('.album-name', { hasText: /^Trip$/ }) });
      await albumCard.waitFor({ timeout: 10_000 });
      assert.match(await albumCard.innerText(), /2 items/);
      await albumCard.locator('a.album-open').click();
      await page.waitForFunction((id: string) => document.location.hash === `#/?album=${id}`, trip.album_id, { timeout: 10_000 });
      await page.locator('.album-header h2', { hasText: 'Trip' }).waitFor({ timeout: 10_000 });
      await page.waitForFunction(() => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length === 2, undefined, { timeout: 10_000 });
      assert.deepEqual((await tileNames(page)).sort(), ['Canon_40D.jpg, on Laptop', 'DSCN0010.jpg, on Laptop']);
      // The desktop puts its own letter in it from the grid's selection: the laptop's album holds three.
      await page.evaluate(() => { document.location.hash = '#/?kinds=all'; });
      await page.waitForFunction(() => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length === 3, undefined, { timeout: 10_000 });
      const letterAt = await grid(page).locator('a[aria-label="letter.txt, on Desktop"]').getAttribute('data-i');
      await page.locator(`input[data-pick="${letterAt}"]`).click();
      const selected = page.getByRole('toolbar', { name: 'Selected items' });
      await selected.getByText('1 item selected').waitFor({ timeout: 10_000 });
      await selected.getByRole('button', { name: 'Add to album…' }).click();
      const albumBox = selected.getByRole('combobox', { name: 'Album name' });
      await albumBox.fill('Trip');
      await albumBox.press('Enter');
      const onLaptop = await until('the letter in the laptop\'s album', 30_000, async () => {
        const r = await runCli(['album', 'show', 'Trip', '--json'], A);
        const a = r.code === 0 ? (JSON.parse(r.stdout) as { album_id: string; contents: string[] }) : undefined;
        return a && a.contents.length === 3 ? a : undefined;
      }, 250);
      assert.equal(onLaptop.album_id, trip.album_id, 'one album, not a second of the same name');
      assert.ok(onLaptop.contents.includes((await gridItems()).find((i) => i.name === 'letter.txt')!.content_uuid));
      await page.keyboard.press('Escape');

      // The laptop goes off: its photos stay in the desktop's grid, marked offline (the open grid asks again every few seconds).
      await page.evaluate(() => { document.location.hash = '#/?kinds=all'; });
      await page.waitForFunction(() => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length === 3, undefined, { timeout: 10_000 });
      assert.equal((await runCli(['daemon', 'stop'], A)).code, 0);
      await page.waitForFunction(() => document.querySelectorAll('main[aria-label="Library"] a.thumb.offline').length === 2, undefined, { timeout: 45_000 });
      assert.deepEqual((await tileNames(page)).sort(), ['Canon_40D.jpg, on Laptop, offline', 'DSCN0010.jpg, on Laptop, offline', 'letter.txt, on Desktop']);
      assert.deepEqual((await grid(page).locator('.device-badge').allInnerTexts()).sort(), ['Desktop', 'Laptop · offline', 'Laptop · offline']);
      assert.deepEqual(await page.getByRole('combobox', { name: 'Device' }).locator('option').allInnerTexts(), ['All devices', 'Desktop (this device)', 'Laptop (offline)']);
      assert.deepEqual(problems, [], 'no script error in the page');
    } finally {
      await launched.close();
    }
  });
});
