import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { json, tempDir, until } from '../helpers.js';
import { cliHere } from '../support/cli-here.js';
import { launchBrowser, newPage } from './launch.js';
import { keepScreenshot } from './screenshot.js';
import { UI_SKIP } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const document: any;

/**
 * The explorer's actions (issue 59 item 5), in a real headless Chromium against a real daemon: a
 * folder picked and tagged (the CLI's search then finds the folder), a file dragged onto a folder
 * and moved there, another cut and pasted into it with the keyboard (each planned and asked first;
 * the bytes on disk moved), the focus kept on its entry
 * through a new order, and a folder in no location that this device lets be browsed shown beside
 * its locations, opened, its photo's tile made on demand into the library's cache (nothing written
 * beside the photo).
 */
describe('the Files view: pick folders, drop onto a folder, folders not added', { skip: UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-ui-explorer-act-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const photos = join(tmp.path, 'Photos');
  const outside = join(tmp.path, 'Scans');
  const libs = join(tmp.path, 'libs');

  before(async () => {
    mkdirSync(join(photos, 'Trip', 'Day 1'), { recursive: true });
    writeFileSync(join(photos, 'Trip', 'small.txt'), 'x');
    writeFileSync(join(photos, 'Trip', 'middle.txt'), 'z'.repeat(5_000));
    writeFileSync(join(photos, 'Trip', 'large.txt'), 'y'.repeat(50_000));
    mkdirSync(join(outside, 'Old'), { recursive: true });
    await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 200, g: 80, b: 30 } } }).jpeg().toFile(join(outside, 'scan.jpg'));
    const offline = { ...env, VSS_NO_DAEMON: '1' };
    assert.equal((await cliHere(['library', 'create', 'Home', '--path', libs], offline)).code, 0);
    assert.equal((await cliHere(['device', 'rename', 'Laptop'], offline)).code, 0);
    assert.equal((await cliHere(['location', 'add', photos, '--mode', 'shallow'], offline)).code, 0);
    assert.equal((await cliHere(['device', 'browsable', 'add', outside], offline)).code, 0);
  });
  after(async () => {
    await cliHere(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  const view = (page: Page) => page.getByRole('grid', { name: 'Folder' });
  const row = (page: Page, name: string) => view(page).getByRole('row').filter({ hasText: name });
  const bar = (page: Page) => page.getByRole('toolbar', { name: 'Selected items' });

  it('tags a picked folder, moves a file dropped onto a folder, keeps the focus through a sort, and shows a folder not added with its photo\'s tile', async () => {
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 1440, height: 900 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      assert.equal((await page.goto(json<{ url: string }>(await cliHere(['ui', '--json'], env)).url))?.status(), 200);
      await page.getByRole('link', { name: 'Files' }).first().click();
      await row(page, 'Laptop').getByRole('link').click();

      // Beside the location: the folder this device lets be browsed, marked as not added.
      await view(page).getByText('Photos').waitFor({ timeout: 20_000 });
      await row(page, outside).waitFor({ timeout: 20_000 });
      assert.match(await row(page, outside).innerText(), /not added/);

      // A folder picked (Ctrl-click) and tagged: no album for a folder; the search finds the folder.
      await row(page, 'Photos').getByRole('link').click();
      await row(page, 'Trip').waitFor({ timeout: 10_000 });
      await row(page, 'Trip').click({ modifiers: ['Control'] });
      await bar(page).getByText('1 item selected').waitFor({ timeout: 10_000 });
      assert.equal(await bar(page).getByRole('button', { name: 'Add to album…' }).count(), 0, 'a folder goes in no album');
      await bar(page).getByRole('button', { name: 'Tag…' }).click();
      const tagBox = bar(page).getByRole('combobox', { name: 'Tag selected' });
      await tagBox.fill('journey');
      await tagBox.press('Enter');
      const hit = await until('search tag:journey finds the folder', 20_000, async () => {
        const r = await cliHere(['search', 'tag:journey', '--json'], env);
        if (r.code !== 0) throw new Error(r.stderr);
        return (JSON.parse(r.stdout) as Array<{ path: string; kind?: string }>).find((x) => x.path === join(photos, 'Trip'));
      }, 250);
      assert.equal(hit.kind, 'folder');
      await bar(page).getByRole('button', { name: 'Clear selection' }).click();

      // Into Trip: the focus stays on middle.txt through a sort by size.
      await row(page, 'Trip').getByRole('link').click();
      await row(page, 'middle.txt').waitFor({ timeout: 10_000 });
      await row(page, 'middle.txt').click();
      await page.getByRole('button', { name: 'Size' }).click();
      await page.getByRole('button', { name: /Size ↑/ }).waitFor({ timeout: 5_000 });
      assert.equal(await page.evaluate(() => document.querySelector('.files-entry.focused .files-name')?.textContent), 'middle.txt');
      assert.equal(await view(page).getAttribute('aria-activedescendant'), await row(page, 'middle.txt').getAttribute('id'));

      // small.txt dragged onto Day 1: asked first, then moved on disk.
      await row(page, 'small.txt').dragTo(row(page, 'Day 1'));
      const drop = page.getByRole('region', { name: 'Dropped' });
      await drop.getByText('To Day 1').waitFor({ timeout: 10_000 });
      await drop.getByRole('button', { name: 'Move…' }).click();
      await drop.getByRole('alertdialog', { name: 'Confirm move' }).getByRole('button', { name: 'Move', exact: true }).click();
      await drop.getByRole('status').filter({ hasText: 'Moved 1 file' }).waitFor({ timeout: 30_000 });
      assert.ok(existsSync(join(photos, 'Trip', 'Day 1', 'small.txt')), 'moved into Day 1');
      assert.ok(!existsSync(join(photos, 'Trip', 'small.txt')), 'gone from Trip');
      await keepScreenshot(page, 'files-dropped-desktop');
      await drop.getByRole('button', { name: 'Close' }).click();

      // The keyboard's drag: middle.txt cut (Ctrl+X), Day 1 opened, pasted there (Ctrl+V): asked first, then moved.
      await row(page, 'middle.txt').click();
      await view(page).press('Control+x');
      await page.getByRole('status').filter({ hasText: '1 entry held to move' }).waitFor({ timeout: 5_000 });
      await row(page, 'Day 1').getByRole('link').click();
      await row(page, 'small.txt').waitFor({ timeout: 10_000 });
      await view(page).press('Control+v');
      await drop.getByText('To Day 1').waitFor({ timeout: 10_000 });
      await drop.getByRole('button', { name: 'Move…' }).click();
      await drop.getByRole('alertdialog', { name: 'Confirm move' }).getByRole('button', { name: 'Move', exact: true }).click();
      await drop.getByRole('status').filter({ hasText: 'Moved 1 file' }).waitFor({ timeout: 30_000 });
      assert.ok(existsSync(join(photos, 'Trip', 'Day 1', 'middle.txt')), 'pasted into Day 1');
      assert.ok(!existsSync(join(photos, 'Trip', 'middle.txt')), 'gone from Trip');
      await drop.getByRole('button', { name: 'Close' }).click();

      // The folder not added: opened from its device, its photo's tile made on demand.
      await page.getByRole('navigation', { name: 'Where' }).getByRole('link', { name: 'Laptop' }).click();
      await row(page, outside).getByRole('link').click();
      await row(page, 'scan.jpg').waitFor({ timeout: 20_000 });
      assert.deepEqual((await view(page).getByRole('row').allInnerTexts()).map((t) => t.split('\n')[0]!.trim()), ['Old', 'scan.jpg'], 'its folder, then its file');
      await page.getByRole('button', { name: 'Grid' }).click();
      const tile = page.locator('.files-grid .files-entry img');
      await tile.waitFor({ timeout: 20_000 });
      await until('the tile drawn', 20_000, async () => (await tile.evaluate((img: any) => img.complete && img.naturalWidth > 0)) || undefined, 200);
      assert.deepEqual(readdirSync(outside).sort(), ['Old', 'scan.jpg'], 'nothing written beside the photo');
      assert.equal(readdirSync(join(libs, 'Home.sdlibrary', 'cache', 'browse-thumbs')).filter((n) => n.endsWith('.webp')).length, 1, 'one tile in the cache');
      await keepScreenshot(page, 'files-not-added-desktop');
      assert.deepEqual(problems, []);
    } finally {
      await launched.close();
    }
  });
});
