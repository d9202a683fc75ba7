import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { sessionCookieName } from '../../src/daemon/ui/session.js';
import { FIXTURES_SKIP, json } from '../helpers.js';
import { cliHere } from '../support/cli-here.js';
import { launchBrowser, type LaunchedBrowser } from './launch.js';
import { fingerOn, phoneContext, startPhoneLibrary, watchRefusals } from './phone-library.js';
import { keepScreenshot } from './screenshot.js';
import { UI_SKIP, type UiLibrary } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const document: any;
declare const window: any;
declare const location: any;
declare const getComputedStyle: any;

const TILES = 'main[aria-label="Library"] a[data-uuid]';
/** Controls of operations a browser that may only view may not call (issue 58: offered, then refused). */
const NOT_FOR_VIEWING = ['Copy', 'Move', 'Delete…', 'Send', 'Add location', 'Keep this one', 'Start pairing', 'Show a pairing code', 'Add', 'Save note', 'Hide from the grid', 'Create tag', 'Make album', 'Favourite'];

/** The buttons of PAGE now shown whose words or name are one of NAMES, by their words. */
async function shownButtons(page: Page, names: readonly string[]): Promise<string[]> {
  const all = await page.getByRole('button').evaluateAll((els: any[]) => els.filter((b) => b.getBoundingClientRect().width > 0).map((b) => [b.textContent.trim(), b.getAttribute('aria-label') ?? '']));
  return all.filter(([text, label]: string[]) => names.includes(text!) || names.includes(label!)).map(([text]: string[]) => text!);
}

/** The error region's messages now. */
const errorsShown = (page: Page) => page.locator('.errors .error').allTextContents();

/** Whether the page fits a phone: nothing wider than the screen, its text at a size read without zooming. */
async function phoneSized(page: Page): Promise<{ overflow: number; font: number }> {
  return page.evaluate(() => ({ overflow: document.documentElement.scrollWidth - window.innerWidth, font: parseFloat(getComputedStyle(document.querySelector('p')).fontSize) }));
}

/**
 * Issue 58 item 3 for a browser paired with fewer rights (`vss ui pair --may …`), in a real
 * Chromium at 390×844: every page it may open (grid, viewer, a photo's page, its navigation's
 * pages) asks for nothing it may not read — no 403, no error banner — and offers no control of
 * what it may not do; one that may handle files is offered those; this machine's user all. The
 * "Not signed in" page fits the phone and says why: never signed in, a session that ended, revoked.
 */
describe('a phone with fewer rights: nothing refused, nothing offered it may not do; signed out, told why', { skip: FIXTURES_SKIP || UI_SKIP, timeout: 300_000 }, () => {
  let ui: UiLibrary;
  let launched: LaunchedBrowser;
  before(async () => {
    ui = await startPhoneLibrary('vss-ui-phone-rights-');
    launched = await launchBrowser();
  });
  after(async () => {
    await launched?.close();
    await ui?.stop();
  });

  const pairAs = async (name: string, may: string) => json<{ url: string }>(await cliHere(['--json', 'ui', 'pair', '--name', name, '--may', may], ui.env)).url;
  /** Open HASH in PAGE, and wait for its view: a new page, all of it read. */
  const go = async (page: Page, hash: string) => {
    await page.evaluate((h: string) => { document.querySelector('main')?.setAttribute('data-left', ''); location.hash = h; }, hash);
    await page.waitForFunction(() => { const m = document.querySelector('main'); return m !== null && !m.hasAttribute('data-left') && document.querySelector('[aria-busy="true"]') === null; });
  };

  it('a browser that may view: grid, viewer, a photo\'s page and its pages ask nothing refused, show no error, offer nothing it may not do', async () => {
    const context = await phoneContext(launched.browser);
    const phone = await context.newPage();
    const seen = watchRefusals(phone);
    assert.equal((await phone.goto(await pairAs('Viewer', 'view')))?.status(), 200);
    await phone.waitForFunction((sel: string) => document.querySelectorAll(sel).length >= 10, TILES);
    assert.deepEqual(await phone.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents(), ['Library', 'Files', 'Albums', 'Places', 'People', 'Locations', 'Tags', 'Similar']);
    assert.equal(await phone.locator('.tile-pick, .pick-day').count(), 0, 'nothing to pick: nothing could be done to it');
    assert.equal(await phone.getByRole('button', { name: 'Upload', exact: true }).count(), 0, 'no Upload: it may not upload');

    // A tap opens the viewer, a swipe goes on (its neighbours read), Back closes it; no favourite button in it; Info opens a photo's page.
    const finger = await fingerOn(context, phone);
    await phone.locator(TILES).nth(1).tap();
    await phone.locator('.pswp[data-open]').waitFor();
    const was = await phone.locator('.pswp').getAttribute('data-uuid');
    await finger.drag({ x: 330, y: 420 }, { x: 30, y: 422 });
    await phone.waitForFunction((u: string | null) => document.querySelector('.pswp')?.getAttribute('data-uuid') !== u, was);
    assert.equal(await phone.locator('.pswp__button--favourite').count(), 0);
    await phone.goBack({ waitUntil: 'commit' });
    await phone.locator('.pswp').waitFor({ state: 'detached' });
    await phone.locator(TILES).nth(2).tap();
    await phone.locator('.pswp[data-open]').waitFor();
    await phone.locator('.pswp__button--info').tap();
    await phone.getByRole('main', { name: 'Details' }).getByRole('heading', { level: 1 }).waitFor();
    await phone.getByRole('heading', { name: 'Favourite, rating and tags' }).waitFor();
    await keepScreenshot(phone, 'phone-view-only-detail', false);
    assert.deepEqual(await shownButtons(phone, NOT_FOR_VIEWING), [], 'a photo\'s page');
    assert.equal(await phone.getByRole('region', { name: 'Send to a device' }).count(), 0);

    // Every page its navigation offers, and those it does not (by address): nothing refused, nothing it may not do.
    for (const hash of ['#/albums', '#/places', '#/people', '#/locations', '#/tags', '#/similar']) {
      await go(phone, hash);
      assert.deepEqual(await shownButtons(phone, NOT_FOR_VIEWING), [], hash);
    }
    assert.ok(await phone.locator('.similar-members li').count() >= 2, 'the similar photos are shown, with no Keep');
    for (const hash of ['#/devices', '#/jobs', '#/guardian', '#/trash']) {
      await go(phone, '#/');
      await go(phone, hash);
      assert.equal(await phone.getByRole('heading', { name: 'On the computer only' }).count(), 1, hash);
    }
    await keepScreenshot(phone, 'phone-view-only-not-here', false);
    await go(phone, '#/');
    await phone.waitForFunction((sel: string) => document.querySelectorAll(sel).length >= 10, TILES);
    assert.deepEqual(seen.refused, [], 'nothing the daemon refused was asked');
    assert.deepEqual(await errorsShown(phone), [], 'no error banner');
    assert.deepEqual(seen.thrown, []);
    await context.close();
  });

  it('a browser that may handle files is offered Copy, Move, Delete and Keep this one; this machine\'s user also Add location and Start pairing', async () => {
    const context = await phoneContext(launched.browser);
    const phone = await context.newPage();
    const seen = watchRefusals(phone);
    assert.equal((await phone.goto(await pairAs('Files', 'view,files')))?.status(), 200);
    await phone.waitForFunction((sel: string) => document.querySelectorAll(sel).length >= 10, TILES);
    assert.ok((await phone.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).includes('Trash'));
    const uuid = (await phone.locator(TILES).first().getAttribute('data-uuid'))!;
    await go(phone, `#/content/${uuid}`);
    await phone.getByRole('heading', { name: 'Files' }).waitFor();
    assert.deepEqual(await shownButtons(phone, ['Copy', 'Move', 'Delete…', 'Send']), ['Copy', 'Move', 'Delete…'], 'files, but no sending (this machine\'s)');
    await go(phone, '#/similar');
    assert.ok((await shownButtons(phone, ['Keep this one'])).length >= 2, 'Keep this one, on each of a group');
    await go(phone, '#/locations');
    assert.deepEqual(await shownButtons(phone, ['Add location', 'Rescan', 'Pause']), []);
    assert.deepEqual(seen.refused, []);
    assert.deepEqual(await errorsShown(phone), []);
    await context.close();

    const own = await phoneContext(launched.browser);
    const mine = await own.newPage();
    assert.equal((await mine.goto(await ui.signInUrl()))?.status(), 200);
    await mine.waitForFunction((sel: string) => document.querySelectorAll(sel).length >= 10, TILES);
    await go(mine, `#/content/${uuid}`);
    await mine.getByRole('heading', { name: 'Files' }).waitFor();
    assert.deepEqual(await shownButtons(mine, ['Copy', 'Move', 'Delete…']), ['Copy', 'Move', 'Delete…']);
    await mine.getByRole('region', { name: 'Send to a device' }).or(mine.getByText('Pair a device to send this to it')).first().waitFor();
    await go(mine, '#/locations');
    await mine.getByRole('button', { name: 'Add location' }).waitFor();
    await go(mine, '#/devices');
    await mine.getByRole('button', { name: 'Start pairing' }).waitFor();
    await own.close();
  });

  it('the "Not signed in" page fits a phone and says why: never signed in, a session that ended, a browser revoked', async () => {
    const fresh = await phoneContext(launched.browser);
    const never = await fresh.newPage();
    assert.equal((await never.goto(`${ui.http}/ui/`))?.status(), 401);
    assert.equal(await never.locator('body').getAttribute('data-reason'), 'none');
    await never.getByRole('heading', { name: 'Not signed in' }).waitFor();
    const sized = await phoneSized(never);
    assert.ok(sized.overflow <= 0 && sized.font >= 16, `fits a phone: ${JSON.stringify(sized)}`);
    await keepScreenshot(never, 'phone-not-signed-in', false);
    // A session cookie of this daemon that signs no one in (the daemon restarted, 12 hours unused).
    await fresh.addCookies([{ name: sessionCookieName(ui.token), value: 'A'.repeat(43), url: ui.http }]);
    assert.equal((await never.goto(`${ui.http}/ui/`))?.status(), 401);
    assert.equal(await never.locator('body').getAttribute('data-reason'), 'expired');
    assert.match(await never.locator('body').innerText(), /session has ended/);
    await fresh.close();

    // Revoked while its app is open: the app's next request shows the same words in its place; its next page load the daemon's page.
    const context = await phoneContext(launched.browser);
    const phone = await context.newPage();
    assert.equal((await phone.goto(await pairAs('Lent phone', 'view')))?.status(), 200);
    await phone.waitForFunction((sel: string) => document.querySelectorAll(sel).length >= 10, TILES);
    const id = json<Array<{ id: string; name: string }>>(await cliHere(['--json', 'devices', 'list'], ui.env)).find((d) => d.name === 'Lent phone')!.id;
    assert.equal((await cliHere(['devices', 'revoke', id], ui.env)).code, 0);
    await phone.evaluate(() => { location.hash = '#/albums'; });
    await phone.locator('main.signed-out[data-reason="revoked"]').waitFor();
    assert.match(await phone.locator('main').innerText(), /revoked/);
    assert.deepEqual(await errorsShown(phone), [], 'said on a page of its own, not a banner');
    assert.equal((await phone.reload())?.status(), 401);
    assert.equal(await phone.locator('body').getAttribute('data-reason'), 'revoked');
    const after = await phoneSized(phone);
    assert.ok(after.overflow <= 0 && after.font >= 16, `fits a phone: ${JSON.stringify(after)}`);
    await keepScreenshot(phone, 'phone-revoked', false);
    await context.close();
  });
});
