import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { FIXTURES_SKIP, tempDir } from '../helpers.js';
import { launchBrowser, newPage, type LaunchedBrowser } from './launch.js';
import { fingerOn, phoneContext, startPhoneLibrary, watchRefusals } from './phone-library.js';
import { keepScreenshot } from './screenshot.js';
import { UI_SKIP, type UiLibrary } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const document: any;
declare const window: any;

const TILES = 'main[aria-label="Library"] a[data-uuid]';

/** What a page must never show a person, wherever they are: a page wider than the screen, an error banner. */
async function looksRight(page: Page, width: number, where: string): Promise<void> {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth as number);
  assert.ok(wide <= width, `${where}: the page is ${wide} px wide on a ${width} px screen`);
  const errors = await page.evaluate(() => [...document.querySelectorAll('.errors .error')].map((e: any) => e.textContent as string));
  assert.deepEqual(errors, [], `${where}: an error banner`);
}

/**
 * Issue 58's first hour, walked in a real Chromium as a new user would: on a phone (390×844,
 * touch) — open, upload a photo from the first screen, view it, swipe to the next, Back; delete a
 * photo in two taps (never refused: it is told it exists nowhere else) and restore it from the
 * Trash; the Similar page; the Guardian page, which warns of nothing until a policy is chosen,
 * then lists what is short of it and shows only those in the grid — and on a desktop (1440×900)
 * the same pages. No page wider than its screen, no error banner, nothing asked that the daemon
 * refused; screenshots in dist/screenshots/.
 */
describe('the first hour, on a phone and a desktop', { skip: FIXTURES_SKIP || UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-ui-first-hour-picks-');
  let ui: UiLibrary;
  let launched: LaunchedBrowser;
  before(async () => {
    ui = await startPhoneLibrary('vss-ui-first-hour-');
    launched = await launchBrowser();
  });
  after(async () => {
    await launched?.close();
    await ui?.stop();
    tmp.cleanup();
  });

  it('on a phone: open, upload, view, swipe, Back, delete and restore, Similar, Guardian', async () => {
    const context = await phoneContext(launched.browser);
    const phone = await context.newPage();
    const seen = watchRefusals(phone);
    assert.equal((await phone.goto(await ui.signInUrl()))?.status(), 200);
    await phone.waitForFunction((sel: string) => document.querySelectorAll(sel).length >= 10, TILES);
    await looksRight(phone, 390, 'the first screen');
    await keepScreenshot(phone, 'first-hour-phone-open', false);

    // Upload from the first screen: a photo the library does not have lands, and its tile comes.
    mkdirSync(join(tmp.path, 'camera'));
    const pick = join(tmp.path, 'camera', 'first-hour.jpg');
    await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 200, g: 90, b: 40 } } }).jpeg().toFile(pick);
    const chooser = phone.waitForEvent('filechooser');
    await phone.getByRole('button', { name: 'Upload', exact: true }).tap();
    await (await chooser).setFiles([pick]);
    await phone.waitForFunction(() => [...document.querySelectorAll('.upload-item')].some((li: any) => li.dataset.state === 'done'), undefined, { timeout: 60_000 }).catch(async (err: Error) => {
      await keepScreenshot(phone, 'first-hour-phone-upload-stuck', false);
      throw new Error(`${err.message}: ${JSON.stringify(await phone.$$eval('.upload-item', (lis: any[]) => lis.map((li) => [li.dataset.state, li.textContent])))}`);
    });
    // Its tile comes (the grid is drawn as it scrolls: an undated photo is at its end).
    const landed = phone.locator(TILES).filter({ has: phone.locator('img[alt="first-hour.jpg"]') });
    await phone.getByRole('button', { name: 'Close' }).tap();
    await phone.waitForFunction(() => {
      window.scrollTo(0, document.documentElement.scrollHeight);
      return document.querySelector('main[aria-label="Library"] img[alt="first-hour.jpg"]') !== null;
    }, undefined, { polling: 200, timeout: 30_000 });
    await landed.first().scrollIntoViewIfNeeded();
    await keepScreenshot(phone, 'first-hour-phone-uploaded', false);

    // View, swipe to the next, Back: the viewer closes, the grid is where it was.
    const viewer = phone.locator('.pswp[data-open]');
    await phone.evaluate(() => window.scrollTo(0, 0));
    await phone.locator(TILES).nth(1).tap();
    await viewer.waitFor();
    const counter = phone.locator('.pswp__counter');
    const first = await counter.innerText();
    const finger = await fingerOn(context, phone);
    await finger.drag({ x: 330, y: 420 }, { x: 40, y: 420 }, 14);
    await phone.waitForFunction((was: string) => document.querySelector('.pswp__counter')?.textContent !== was, first);
    await keepScreenshot(phone, 'first-hour-phone-viewer', false);
    await phone.goBack({ waitUntil: 'commit' });
    await phone.locator('.pswp').waitFor({ state: 'detached' });
    assert.ok(['', '#/'].includes(await phone.evaluate(() => document.location.hash as string)), 'Back left the grid\'s address');

    // Delete a photo (its only copy) in two taps from its page: never refused, it says the photo now exists nowhere else.
    const victim = 'noise-03.jpg';
    await phone.locator(TILES).filter({ has: phone.locator(`img[alt="${victim}"]`) }).first().tap();
    await viewer.waitFor();
    await phone.locator('.pswp__button--info').tap();
    await phone.getByRole('main', { name: 'Details' }).waitFor();
    const files = phone.getByRole('region', { name: 'Files' });
    await files.getByRole('button', { name: 'Delete…' }).tap();
    await files.getByRole('alertdialog', { name: 'Confirm delete' }).getByRole('button', { name: 'Delete' }).tap();
    await files.getByRole('status').filter({ hasText: 'exists nowhere else — it stays in the trash for 30 days, then is gone' }).waitFor({ timeout: 30_000 });
    assert.equal(existsSync(join(ui.tree, victim)), false, 'in the trash');
    await looksRight(phone, 390, 'the photo\'s page after its delete');
    await keepScreenshot(phone, 'first-hour-phone-deleted', false);

    // The Trash page: it is there; restored, it is back at its path.
    await phone.evaluate(() => { document.location.hash = '#/trash'; });
    const inTrash = phone.getByRole('list', { name: 'In the trash' });
    await inTrash.getByText(victim, { exact: true }).waitFor();
    await looksRight(phone, 390, 'the Trash page');
    await keepScreenshot(phone, 'first-hour-phone-trash', false);
    await inTrash.getByRole('button', { name: `Restore ${victim}` }).tap();
    await phone.getByText('The trash is empty.').waitFor();
    assert.equal(existsSync(join(ui.tree, victim)), true, 'restored to its path');

    // The Similar page: the photo and its smaller re-save, side by side, their text inside their cards.
    await phone.evaluate(() => { document.location.hash = '#/similar'; });
    await phone.getByRole('heading', { name: 'Similar' }).first().waitFor();
    await looksRight(phone, 390, 'the Similar page');
    await keepScreenshot(phone, 'first-hour-phone-similar', false);

    // The Guardian page: no policy chosen, so nothing is called short and no tile is coloured as a warning.
    await phone.evaluate(() => { document.location.hash = '#/guardian'; });
    const guardian = phone.getByRole('main', { name: 'Guardian' });
    await guardian.getByText('No policy chosen yet').waitFor();
    assert.deepEqual(await guardian.locator('.guardian-tally.warn, .guardian-tally.bad').count(), 0, 'no warning before a policy is chosen');
    assert.equal(await guardian.getByRole('link', { name: 'Show them in the grid' }).count(), 0);
    await looksRight(phone, 390, 'the Guardian page');
    await keepScreenshot(phone, 'first-hour-phone-guardian', false);
    // Chosen: the suggested policy (2 copies) taken; every photo here exists once, so all are short of it now, in orange and red.
    await guardian.getByRole('button', { name: 'Use this policy' }).tap();
    await guardian.locator('.guardian-tally.bad').first().waitFor();
    await guardian.getByRole('link', { name: 'Show them in the grid' }).tap();
    await phone.waitForFunction(() => document.location.hash.includes('risk=1'));
    await phone.waitForFunction((sel: string) => document.querySelectorAll(sel).length >= 10, TILES);
    assert.equal(await phone.getByRole('checkbox', { name: 'At risk only' }).isChecked(), true);
    await keepScreenshot(phone, 'first-hour-phone-at-risk', false);
    assert.deepEqual([seen.refused, seen.thrown], [[], []], 'nothing refused, nothing thrown');
    await context.close();
  });

  it('on a desktop: the grid, a photo\'s page, Trash, Similar and Guardian fit and show no error', async () => {
    const { page } = await newPage(launched.browser, { width: 1440, height: 900 });
    const seen = watchRefusals(page);
    assert.equal((await page.goto(await ui.signInUrl()))?.status(), 200);
    await page.waitForFunction((sel: string) => document.querySelectorAll(sel).length >= 10, TILES);
    await looksRight(page, 1440, 'the grid');
    await keepScreenshot(page, 'first-hour-desktop-grid', false);
    for (const [hash, heading] of [['#/trash', 'Trash'], ['#/similar', 'Similar'], ['#/guardian', 'Guardian']] as const) {
      await page.evaluate((h: string) => { document.location.hash = h; }, hash);
      await page.getByRole('heading', { name: heading }).first().waitFor();
      await looksRight(page, 1440, `the ${heading} page`);
      await keepScreenshot(page, `first-hour-desktop-${heading.toLowerCase()}`, false);
    }
    assert.deepEqual([seen.refused, seen.thrown], [[], []], 'nothing refused, nothing thrown');
  });
});
