import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { FIXTURES_SKIP } from '../helpers.js';
import { launchBrowser, newPage } from './launch.js';
import { keepScreenshot } from './screenshot.js';
import { makeShoot, type Shoot } from '../support/stack-shoot.js';
import { startUiLibrary, UI_SKIP, type UiLibrary } from './ui-library.js';

declare const document: any;

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/**
 * A photographer's library in the web UI (issue 45), a real daemon over real files and a real
 * Chromium: a card of RAW+JPEG pairs from three makers and bursts shows as stacks, one tile each
 * with its count, opened to see its members; a RAW shows with the picture its camera embedded (in
 * the grid, the detail, the viewer), one with none (GoPro GPR) says so; a RAW made its stack's
 * face shows for it; the Similar page finds a re-saved photo beside its original, one is kept on a
 * phone-sized screen, the other lands in the Trash page, from where it is restored byte for byte;
 * a burst's tile deleted takes every frame to the trash.
 */
describe('a photographer\'s library in the web UI', { skip: FIXTURES_SKIP || UI_SKIP, timeout: 300_000 }, () => {
  let ui: UiLibrary;
  let shoot: Shoot;
  before(async () => {
    ui = await startUiLibrary('vss-ui-photographer-', {
      only: ['livePhoto'],
      moreFixtures: ['raw/gopro-hero6-black.gpr'],
      // What the pages shown need: the pictures and the fingerprints (faces, text and speech are other tests').
      generate: 'thumb,phash',
      prepare: async (tree) => {
        await sharp(join(tree, 'train.jpg')).rotate().resize(1600).jpeg({ quality: 55 }).toFile(join(tree, 'train-resaved.jpg'));
        shoot = await makeShoot(join(tree, 'card'));
      },
    });
  });
  after(async () => {
    await ui?.stop();
  });

  const tile = (page: any, name: string) => page.getByRole('main', { name: 'Library' }).locator('a[data-uuid]').filter({ has: page.locator(`img[alt="${name}"]`) });
  const shown = async (page: any, img: any) => {
    await img.waitFor({ timeout: 30_000 });
    await page.waitForFunction((el: any) => el.complete && el.naturalWidth > 0, await img.elementHandle(), { timeout: 30_000 });
  };

  it('shows RAW+JPEG pairs and bursts as stacks, a RAW by its embedded picture, and says so of one without', async () => {
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 1280, height: 900 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      assert.equal((await page.goto(await ui.signInUrl()))?.status(), 200);
      await page.evaluate(() => { document.location.hash = '#/?kinds=all'; });
      // One tile a stack, its cover's picture and its count; the RAW behind a JPEG and a burst's other frames are no tiles of their own.
      for (const { jpeg } of shoot.pairs) {
        const t = tile(page, basename(jpeg)).first();
        await shown(page, t.locator('img'));
        assert.equal(await t.locator('.stack-badge').innerText(), 'RAW+JPEG');
        assert.match((await t.getAttribute('aria-label'))!, /a stack of 2 \(RAW and JPEG\)/);
      }
      for (const b of shoot.bursts) {
        const t = tile(page, basename(b.frames[0]!)).first();
        await shown(page, t.locator('img'));
        assert.equal(await t.locator('.stack-badge').innerText(), `▤ ${b.frames.length}`, b.how);
        for (const other of b.frames.slice(1)) assert.equal(await tile(page, basename(other)).count(), 0, `${basename(other)} is behind its cover`);
      }
      for (const { raw } of shoot.pairs) assert.equal(await tile(page, basename(raw)).count(), 0, `${basename(raw)} is behind its JPEG`);
      // A RAW of its own (its JPEG was taken 20 s apart) is a tile with the picture its camera embedded.
      await shown(page, tile(page, basename(shoot.apart.raw)).first().locator('img'));
      await keepScreenshot(page, 'stacks-grid', false);

      // Opened, a stack shows its members; the NEF's page shows the camera's own 6000×4000 JPEG at the detail size.
      await tile(page, 'DSC_0001.JPG').first().click();
      const strip = page.getByRole('region', { name: 'Stack' });
      await strip.getByText(/RAW and JPEG: 2 files of one shot/).waitFor({ timeout: 30_000 });
      await shown(page, strip.locator('img[alt="DSC_0001.NEF"]'));
      await strip.locator('a').filter({ has: page.locator('img[alt="DSC_0001.NEF"]') }).click();
      await page.waitForFunction(() => {
        const img = document.querySelector('figure.media img') as { complete: boolean; naturalWidth: number } | null;
        return img !== null && img.complete && img.naturalWidth >= 1000;
      }, undefined, { timeout: 30_000 });
      await keepScreenshot(page, 'raw-detail', false);
      // Made the stack's face, the RAW is its tile.
      await page.getByRole('region', { name: 'Stack' }).getByRole('button', { name: 'Show this one for the stack' }).click();
      await page.getByRole('region', { name: 'Stack' }).getByRole('button', { name: 'Show this one for the stack' }).waitFor({ state: 'detached', timeout: 20_000 });
      await page.evaluate(() => { document.location.hash = '#/?kinds=all'; });
      await shown(page, tile(page, 'DSC_0001.NEF').first().locator('img'));
      assert.equal(await tile(page, 'DSC_0001.JPG').count(), 0);
      // The GPR: no picture in it, said in words.
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
      await group.waitFor({ state: 'detached', timeout: 20_000 });
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

  it('a file operation on a burst\'s tile takes every frame of it', async () => {
    const frames = shoot.bursts[0]!.frames;
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 1280, height: 900 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      assert.equal((await page.goto(await ui.signInUrl()))?.status(), 200);
      await page.evaluate(() => { document.location.hash = '#/?kinds=all'; });
      const t = tile(page, basename(frames[0]!)).first();
      await t.waitFor({ timeout: 30_000 });
      await page.locator(`input[data-pick="${await t.getAttribute('data-i')}"]`).click();
      const bar = page.getByRole('toolbar', { name: 'Selected items' });
      await bar.getByText('1 item selected').waitFor({ timeout: 10_000 });
      await bar.getByRole('button', { name: 'Copy to…' }).click();
      const copy = bar.getByRole('region', { name: 'Copy selected' });
      await copy.getByLabel('Destination location').selectOption({ label: 'Pictures' });
      await copy.getByLabel('Destination folder').fill('picked');
      await copy.getByRole('button', { name: 'Copy…' }).click();
      const ask = copy.getByRole('alertdialog', { name: 'Confirm copy' });
      await ask.waitFor({ timeout: 20_000 });
      assert.match(await ask.innerText(), new RegExp(`Copy ${frames.length} files .* into Pictures/picked\\?`));
      await ask.getByRole('button', { name: 'Copy', exact: true }).click();
      await copy.getByRole('status').filter({ hasText: `Copied ${frames.length} files` }).waitFor({ timeout: 30_000 });
      for (const f of frames) assert.equal(sha(join(ui.tree, 'picked', basename(f))), sha(f), `${basename(f)} went with its stack`);
      await copy.getByRole('button', { name: 'Close' }).click();
      await bar.getByRole('button', { name: 'Clear selection' }).click();
      // Full screen, the burst is one item with its count; pressed, its page shows its frames.
      await t.click();
      await page.getByRole('region', { name: 'Stack' }).getByText(`A burst of ${frames.length}`).waitFor({ timeout: 20_000 });
      await page.getByRole('button', { name: 'Full screen' }).click();
      await page.locator('.pswp[data-open]').waitFor({ timeout: 10_000 });
      const stackButton = page.locator('.pswp__button--stack');
      await stackButton.waitFor({ timeout: 10_000 });
      assert.equal(await stackButton.innerText(), `▤ ${frames.length}`);
      await stackButton.click();
      await page.locator('.pswp--open').waitFor({ state: 'detached', timeout: 10_000 });
      await page.getByRole('region', { name: 'Stack' }).waitFor({ timeout: 20_000 });
      assert.deepEqual(problems, []);
    } finally {
      await launched.close();
    }
  });
});
