import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { json, tempDir } from '../helpers.js';
import { cliHere } from '../support/cli-here.js';
import { launchBrowser, newPage } from './launch.js';
import { keepScreenshot } from './screenshot.js';
import { UI_SKIP } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const document: any;

/** Entries of the big folder: what a camera card's DCIM folder holds after a year. */
const BIG = 10_000;

/**
 * The explorer (issue 59 item 5: `#/files/…`), as a person meets it in a real headless Chromium
 * against a real daemon: devices, then a device's locations, then folders, by click and by keyboard
 * (arrows, Enter, Backspace), breadcrumbs named by device and folder, sorted by size, a grid, a file
 * picked by Space (the grid's actions offered), a 10,000-entry folder drawn a screenful at a time,
 * at desktop and at phone width, with screenshots.
 */
describe('the Files view (explorer)', { skip: UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-ui-explorer-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const photos = join(tmp.path, 'Photos');
  let signIn = async () => '';

  before(async () => {
    mkdirSync(join(photos, 'Trip', 'Day 1'), { recursive: true });
    mkdirSync(join(photos, 'Big'));
    writeFileSync(join(photos, 'Trip', 'small.txt'), 'x');
    writeFileSync(join(photos, 'Trip', 'large.txt'), 'y'.repeat(50_000));
    writeFileSync(join(photos, 'Trip', 'middle.txt'), 'z'.repeat(5_000));
    for (let i = 0; i < BIG; i++) writeFileSync(join(photos, 'Big', `IMG_${String(i).padStart(5, '0')}.txt`), String(i));
    const offline = { ...env, VSS_NO_DAEMON: '1' };
    assert.equal((await cliHere(['library', 'create', 'Home', '--path', join(tmp.path, 'libs')], offline)).code, 0);
    assert.equal((await cliHere(['device', 'rename', 'Laptop'], offline)).code, 0);
    assert.equal((await cliHere(['location', 'add', photos, '--mode', 'shallow'], offline)).code, 0);
    const first = json<{ url: string }>(await cliHere(['ui', '--json'], env)).url;
    let used = false;
    signIn = async () => {
      if (!used) {
        used = true;
        return first;
      }
      return json<{ url: string }>(await cliHere(['ui', '--json'], env)).url;
    };
  });
  after(async () => {
    await cliHere(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  const view = (page: Page) => page.getByRole('grid', { name: 'Folder' });
  const names = (page: Page) => page.evaluate(() => [...document.querySelectorAll('.files-entry .files-name a, .files-entry .files-name')].map((e: any) => e.textContent.replace(/ offline$/, '')).filter((t: string, i: number, all: string[]) => all.indexOf(t) === i));
  const crumbs = (page: Page) => page.getByRole('navigation', { name: 'Where' }).innerText();

  for (const size of [{ width: 1440, height: 900, label: 'desktop' }, { width: 390, height: 844, label: 'phone' }]) {
    it(`devices, locations, folders by click and keyboard; sorted; a grid; a file picked; 10,000 entries a screenful at a time (${size.label})`, async () => {
      const launched = await launchBrowser();
      try {
        const { page } = await newPage(launched.browser, { width: size.width, height: size.height });
        const problems: string[] = [];
        page.on('pageerror', (err) => problems.push(String(err)));
        assert.equal((await page.goto(await signIn()))?.status(), 200);
        // Within the app, as its Files link goes (an address typed into the bar is a request from no page: refused).
        await page.getByRole('link', { name: 'Files' }).first().click();
        await view(page).getByText('Laptop').waitFor({ timeout: 20_000 }).catch(async (err: unknown) => {
          throw new Error(`${String(err)}; the page at ${page.url()}: ${(await page.locator('body').innerText()).slice(0, 800)}`);
        });
        assert.deepEqual(await names(page), ['Laptop'], 'the top: one row per device');
        await keepScreenshot(page, `files-devices-${size.label}`);

        // By keyboard: Enter opens the device, then its location.
        await view(page).focus();
        await page.keyboard.press('Enter');
        await view(page).getByText('Photos').waitFor({ timeout: 10_000 });
        assert.match(await crumbs(page), /Files\s*›\s*Laptop/);
        await page.keyboard.press('Enter');
        await view(page).getByText('Trip').waitFor({ timeout: 10_000 });
        assert.deepEqual(await names(page), ['Big', 'Trip'], 'the location\'s folders');
        assert.match(page.url(), /#\/files\/[0-9a-f-]{36}\/Photos$/);
        assert.match(await crumbs(page), /Files\s*›\s*Laptop\s*›\s*Photos/);

        // Arrow down to Trip, open it: folders first, then files by name; sorted by size on a click.
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        await view(page).getByText('large.txt').waitFor({ timeout: 10_000 });
        assert.deepEqual(await names(page), ['Day 1', 'large.txt', 'middle.txt', 'small.txt']);
        await page.getByRole('button', { name: 'Size' }).click();
        assert.deepEqual(await names(page), ['Day 1', 'small.txt', 'middle.txt', 'large.txt'], 'by size, smallest first, folders first');
        await page.getByRole('button', { name: /Size/ }).click();
        assert.deepEqual(await names(page), ['Day 1', 'large.txt', 'middle.txt', 'small.txt'], 'a second click: largest first');
        assert.match(await crumbs(page), /Photos\s*›\s*Trip/);
        await keepScreenshot(page, `files-folder-${size.label}`);

        // A grid of the same entries; Backspace goes up.
        await page.getByRole('button', { name: 'Grid' }).click();
        await page.locator('.files-grid .files-entry').first().waitFor({ timeout: 10_000 });
        assert.equal(await page.locator('.files-grid .files-entry').count(), 4);
        await keepScreenshot(page, `files-grid-${size.label}`);
        await page.getByRole('button', { name: 'List' }).click();
        await view(page).focus();
        await page.keyboard.press('Backspace');
        await view(page).getByText('Big').waitFor({ timeout: 10_000 });

        // The 10,000-entry folder: drawn a screenful at a time, its last entry reached by End.
        const t0 = Date.now();
        await view(page).getByText('Big').click();
        await page.keyboard.press('Enter');
        await view(page).getByText('IMG_00000.txt').waitFor({ timeout: 20_000 });
        const firstDrawMs = Date.now() - t0;
        const drawn = await page.locator('.files-entry').count();
        assert.ok(drawn > 5 && drawn < 200, `${drawn} rows in the page for ${BIG} entries (virtualised); first drawn in ${firstDrawMs} ms`);
        assert.match(await page.locator('.files-count').innerText(), /10000 entries/);
        await view(page).focus();
        await page.keyboard.press('End');
        await view(page).getByText(`IMG_${String(BIG - 1).padStart(5, '0')}.txt`).waitFor({ timeout: 10_000 });
        await keepScreenshot(page, `files-big-${size.label}`, false);
        assert.deepEqual(problems, []);
      } finally {
        await launched.close();
      }
    });
  }
});
