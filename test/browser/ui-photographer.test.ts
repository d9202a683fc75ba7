import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FIXTURES_SKIP } from '../helpers.js';
import { launchBrowser, newPage } from './launch.js';
import { keepScreenshot } from './screenshot.js';
import { startUiLibrary, UI_SKIP, type UiLibrary } from './ui-library.js';

declare const document: any;

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/**
 * A photographer's library in the web UI (issue 45), a real daemon over real files and a real
 * Chromium: camera RAW files (Nikon NEF, Canon CR3) show in the grid and their detail with the
 * picture the camera embedded, a RAW with none (GoPro GPR) says so; the Similar page finds a
 * re-saved photo beside its original, one is kept on a phone-sized screen, the other lands in the
 * Trash page, from where it is restored byte for byte.
 */
describe('a photographer\'s library in the web UI', { skip: FIXTURES_SKIP || UI_SKIP, timeout: 300_000 }, () => {
  let ui: UiLibrary;
  before(async () => {
    ui = await startUiLibrary('vss-ui-photographer-', {
      only: ['livePhoto'],
      moreFixtures: ['raw/nikon-d7100.NEF', 'raw/canon-eos-r6.cr3', 'raw/gopro-hero6-black.gpr'],
      prepare: async (tree) => {
        await sharp(join(tree, 'train.jpg')).rotate().resize(1600).jpeg({ quality: 55 }).toFile(join(tree, 'train-resaved.jpg'));
      },
    });
  });
  after(async () => {
    await ui?.stop();
  });

  it('shows RAW files by their embedded pictures, and says so of one without', async () => {
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 1280, height: 900 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      assert.equal((await page.goto(await ui.signInUrl()))?.status(), 200);
      await page.evaluate(() => { document.location.hash = '#/?kinds=all'; });
      for (const name of ['nikon-d7100.NEF', 'canon-eos-r6.cr3']) {
        const img = page.getByRole('main', { name: 'Library' }).locator('a[data-uuid]').filter({ has: page.locator(`img[alt="${name}"]`) }).locator('img').first();
        await img.waitFor({ timeout: 30_000 });
        await page.waitForFunction((el: any) => el.complete && el.naturalWidth > 0, await img.elementHandle(), { timeout: 30_000 });
      }
      await keepScreenshot(page, 'raw-grid', false);
      // The NEF's detail: the camera's own 6000×4000 JPEG, shown at the detail size.
      await page.getByRole('main', { name: 'Library' }).locator('a[data-uuid]').filter({ has: page.locator('img[alt="nikon-d7100.NEF"]') }).first().click();
      await page.waitForFunction(() => {
        const img = document.querySelector('figure.media img') as { complete: boolean; naturalWidth: number } | null;
        return img !== null && img.complete && img.naturalWidth >= 1000;
      }, undefined, { timeout: 30_000 });
      await keepScreenshot(page, 'raw-detail', false);
      // The GPR: no picture in it, said in words.
      await page.evaluate(() => { document.location.hash = '#/?kinds=all'; });
      await page.getByRole('main', { name: 'Library' }).locator('a[data-uuid][aria-label^="gopro-hero6-black.gpr"]').first().click();
      await page.getByText(/No picture: no preview in this file/).waitFor({ timeout: 30_000 });
      assert.deepEqual(problems, []);
    } finally {
      await launched.close();
    }
  });

  it('finds a re-saved photo as similar, keeps the original on a phone-sized screen, and restores the other from the trash', async () => {
    const resaved = join(ui.tree, 'train-resaved.jpg');
    const before = sha(resaved);
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 390, height: 844 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      assert.equal((await page.goto(await ui.signInUrl()))?.status(), 200);
      await page.evaluate(() => { document.location.hash = '#/similar'; });
      const group = page.getByRole('region', { name: 'Group of 2' });
      await group.waitFor({ timeout: 30_000 });
      assert.match(await group.innerText(), /train\.jpg · suggested to keep/);
      assert.match(await group.innerText(), /JPEG · 1600×1200/);
      await keepScreenshot(page, 'similar-phone', false);
      await group.getByRole('button', { name: 'Keep train.jpg' }).click();
      await page.getByRole('status').filter({ hasText: /^Kept train\.jpg; 1 file of the others moved to the trash\./ }).waitFor({ timeout: 60_000 });
      await page.getByText('No near-duplicates found.').waitFor({ timeout: 20_000 });
      assert.equal(existsSync(resaved), false);

      await page.evaluate(() => { document.location.hash = '#/trash'; });
      const inTrash = page.getByRole('list', { name: 'In the trash' });
      await inTrash.getByText('train-resaved.jpg', { exact: true }).waitFor({ timeout: 20_000 });
      await keepScreenshot(page, 'trash-phone', false);
      await inTrash.getByRole('button', { name: 'Restore train-resaved.jpg' }).click();
      await page.getByText('The trash is empty.').waitFor({ timeout: 20_000 });
      assert.equal(sha(resaved), before, 'restored byte for byte');
      assert.deepEqual(problems, []);
    } finally {
      await launched.close();
    }
  });
});
