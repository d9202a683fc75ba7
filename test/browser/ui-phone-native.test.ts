import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FIXTURES_SKIP } from '../helpers.js';
import type { Page } from 'playwright-core';
import { launchBrowser, newPage, type LaunchedBrowser } from './launch.js';
import { fingerOn, LONG_FOLDER, PAIR_JPEG, phoneContext, startPhoneLibrary } from './phone-library.js';
import { keepScreenshot } from './screenshot.js';
import { UI_SKIP, type UiLibrary } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const document: any;
declare const window: any;
declare const location: any;
declare const history: any;
declare const getComputedStyle: any;

/** The badges of the tiles TILE selects that lie under their tile's tick box: each said with where both are. */
function badgesUnderBoxes(page: Page, tile: string): Promise<string[]> {
  return page.evaluate((sel: string) => [...document.querySelectorAll(sel)].flatMap((t: any) => {
    const pick = t.querySelector('.tile-pick');
    if (!pick) return [];
    const b = pick.getBoundingClientRect();
    return [...t.querySelectorAll('.badge')]
      .map((el: any) => ({ text: el.textContent, r: el.getBoundingClientRect() }))
      .filter(({ r }: any) => r.left < b.right - 0.5 && b.left < r.right - 0.5 && r.top < b.bottom - 0.5 && b.top < r.bottom - 0.5)
      .map(({ text, r }: any) => `${text} at ${Math.round(r.left)}–${Math.round(r.right)} under the box at ${Math.round(b.left)}–${Math.round(b.right)}`);
  }), tile);
}

/**
 * Issue 58 item 3, "the phone, native-feeling", in a real Chromium as a phone (390×844, touch)
 * and a desktop (1440×900), this machine's user signed in: Upload on the first screen; the viewer
 * a history entry (Back closes it, the page under it unchanged; a swipe down closes it too, and
 * leaves no entry behind); its buttons legible on black and its counter on one line; the year
 * scrubber over no control; the Similar page's cards holding their text; a selected tile's
 * badges clear of its tick box. (A browser of fewer rights: ui-phone-rights.test.ts.)
 */
describe('the phone, native-feeling (and the desktop\'s grid)', { skip: FIXTURES_SKIP || UI_SKIP, timeout: 300_000 }, () => {
  let ui: UiLibrary;
  let launched: LaunchedBrowser;
  before(async () => {
    ui = await startPhoneLibrary('vss-ui-phone-native-');
    launched = await launchBrowser();
  });
  after(async () => {
    await launched?.close();
    await ui?.stop();
  });

  const tiles = 'main[aria-label="Library"] a[data-uuid]';

  it('on a phone: Upload on the first screen; Back and a swipe down close the viewer; its controls legible, its counter on one line', async () => {
    const context = await phoneContext(launched.browser);
    const phone = await context.newPage();
    assert.equal((await phone.goto(await ui.signInUrl()))?.status(), 200);
    await phone.waitForFunction((sel: string) => document.querySelectorAll(sel).length >= 10, tiles);

    // 1. Upload: inside the screen as it opens (not at the end of the sideways filter bar), and it opens the picker.
    const upload = phone.getByRole('button', { name: 'Upload', exact: true });
    const box = (await upload.boundingBox())!;
    const nav = (await phone.getByRole('navigation', { name: 'Main' }).boundingBox())!;
    assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= 390 && box.y + box.height <= nav.y, `Upload on the first screen: ${JSON.stringify(box)}`);
    const chooser = phone.waitForEvent('filechooser');
    await upload.tap();
    assert.equal((await chooser).isMultiple(), true);
    await keepScreenshot(phone, 'phone-first-screen', false);

    // 3. The viewer is a history entry: Back closes it; the page under it is the same page, unchanged.
    await phone.getByRole('link', { name: 'Albums' }).tap();
    await phone.getByRole('heading', { name: 'Albums' }).waitFor();
    await phone.getByRole('link', { name: 'Library' }).tap();
    await phone.waitForFunction((sel: string) => document.querySelectorAll(sel).length >= 10, tiles);
    await phone.evaluate(() => { document.querySelector('main').dataset.before = 'viewer'; });
    const depth = await phone.evaluate(() => history.length as number);
    const viewer = phone.locator('.pswp[data-open]');
    await phone.locator(tiles).nth(2).tap();
    await viewer.waitFor();
    assert.equal(await phone.evaluate(() => history.length as number), depth + 1, 'opening the viewer pushed one entry');
    await phone.goBack({ waitUntil: 'commit' });
    await phone.locator('.pswp').waitFor({ state: 'detached' });
    assert.equal(await phone.evaluate(() => location.hash as string), '#/', 'Back left the address as it was');
    assert.equal(await phone.evaluate(() => document.querySelector('main')?.dataset.before), 'viewer', 'the page under the viewer is the one it opened over, not drawn anew');

    // A swipe down closes it too, and takes its entry away: the next Back goes where it went before the viewer.
    const finger = await fingerOn(context, phone);
    await phone.locator(tiles).nth(2).tap();
    await viewer.waitFor();
    await finger.drag({ x: 195, y: 380 }, { x: 195, y: 760 }, 16);
    await phone.locator('.pswp').waitFor({ state: 'detached' });
    assert.equal(await phone.evaluate(() => location.hash as string), '#/');
    await phone.goBack({ waitUntil: 'commit' });
    await phone.getByRole('heading', { name: 'Albums' }).waitFor();
    await phone.goForward({ waitUntil: 'commit' });
    await phone.waitForFunction((sel: string) => document.querySelectorAll(sel).length >= 10, tiles);

    // Info leaves the viewer for the photo's page, in the viewer's place: Back from it is the grid, the viewer closed.
    await phone.locator(tiles).nth(2).tap();
    await viewer.waitFor();
    await phone.locator('.pswp__button--info').tap();
    await phone.waitForFunction(() => location.hash.startsWith('#/content/'));
    await phone.getByRole('main', { name: 'Details' }).waitFor();
    // Its "Full screen" opens the viewer over that page; Info there only closes it, and one Back still reaches the grid.
    const detail = await phone.evaluate(() => location.hash as string);
    await phone.getByRole('button', { name: 'Full screen' }).tap();
    await viewer.waitFor();
    await phone.locator('.pswp__button--info').tap();
    await phone.locator('.pswp').waitFor({ state: 'detached' });
    await phone.waitForFunction((h: string) => location.hash === h && history.state?.vssViewer === undefined, detail);
    await phone.goBack({ waitUntil: 'commit' });
    await phone.waitForFunction(() => location.hash === '#/');
    await phone.locator('.pswp').waitFor({ state: 'detached' });

    // 4. On the RAW+JPEG stack: every button of the toolbar at 3:1 or more against the black, inside the screen; the counter one line.
    await phone.locator(tiles).filter({ has: phone.locator(`img[alt="${PAIR_JPEG}"]`) }).first().tap();
    await viewer.waitFor();
    await phone.locator('.pswp__button--stack').waitFor();
    const bar = await phone.evaluate(() => {
      const rgba = (s: string) => { const v = (s.match(/[\d.]+/g) ?? []).map(Number); return { c: v.slice(0, 3), a: v[3] ?? 1 }; };
      const lum = (c: number[]) => {
        const [r, g, b] = c.map((x) => { const v = x / 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const pswp = document.querySelector('.pswp');
      const bg = rgba(getComputedStyle(document.querySelector('.pswp__bg')).backgroundColor).c;
      const shown = [...document.querySelectorAll('.pswp__top-bar > *')].filter((el: any) => el.getBoundingClientRect().width > 0 && getComputedStyle(el).display !== 'none');
      return {
        width: window.innerWidth,
        // The lines its words take (the box keeps PhotoSwipe's fixed height when they wrap: their rects are counted).
        counter: (() => {
          const el = document.querySelector('.pswp__counter');
          const range = document.createRange();
          range.selectNodeContents(el);
          return { text: el.textContent, lines: new Set([...range.getClientRects()].map((r: any) => Math.round(r.top))).size };
        })(),
        items: shown.map((el: any) => {
          // What is drawn: an icon's fill, else the text's colour; faded by the opacity of it and of what holds it.
          const icon = el.querySelector('.pswp__icn');
          const fg = rgba(icon ? getComputedStyle(icon).fill : getComputedStyle(el).color);
          let alpha = fg.a;
          for (let n = el; n && n !== pswp; n = n.parentElement) alpha *= Number(getComputedStyle(n).opacity);
          const seen = fg.c.map((v, i) => v * alpha + bg[i]! * (1 - alpha));
          const [hi, lo] = [lum(seen), lum(bg)].sort((a, b) => b - a);
          const r = el.getBoundingClientRect();
          return { name: el.className, contrast: (hi! + 0.05) / (lo! + 0.05), left: r.left, right: r.right };
        }),
      };
    });
    assert.ok(bar.items.some((i) => i.name.includes('pswp__button--stack')), JSON.stringify(bar.items));
    for (const i of bar.items) {
      assert.ok(i.contrast >= 3, `${i.name}: contrast ${i.contrast.toFixed(2)} on black`);
      assert.ok(i.left >= 0 && i.right <= bar.width + 0.5, `${i.name} inside the screen: ${i.left}–${i.right}`);
    }
    assert.match(bar.counter.text, /^\d+ \/ \d{2}$/, 'two digits of items, as in "9 / 19"');
    assert.equal(bar.counter.lines, 1, `the counter "${bar.counter.text}" on one line`);
    await keepScreenshot(phone, 'phone-viewer-stack', false);
    await phone.goBack({ waitUntil: 'commit' });
    await phone.locator('.pswp').waitFor({ state: 'detached' });

    // 9 (on the phone). A long press picks: every tick box shows, and no badge lies under its tile's box.
    const live = (await phone.locator(tiles).filter({ has: phone.locator('.badge', { hasText: 'LIVE' }) }).first().boundingBox())!;
    await finger.hold({ x: live.x + live.width / 2, y: live.y + live.height / 2 }, () => phone.getByRole('toolbar', { name: 'Selected items' }).waitFor());
    assert.deepEqual(await badgesUnderBoxes(phone, '.tile'), [], 'no badge under a tick box while picking');
    await keepScreenshot(phone, 'phone-grid-picking-badges', false);
    await context.close();
  });

  it('on a desktop: the year scrubber covers no control, Upload\'s middle opens the picker; Similar\'s cards hold their text; a picked tile\'s badges stay clear of its box', async () => {
    const { page } = await newPage(launched.browser, { width: 1440, height: 900, timeoutMs: 20_000 });
    assert.equal((await page.goto(await ui.signInUrl()))?.status(), 200);
    await page.waitForFunction((sel: string) => document.querySelectorAll(sel).length >= 10, tiles);
    const scrubber = page.getByRole('navigation', { name: 'Years and months' });
    await scrubber.waitFor();

    // 7. Nothing the user presses lies under the scrubber; Upload's own middle is Upload, and opens the picker.
    const under = await page.evaluate(() => {
      const s = document.querySelector('nav.scrubber').getBoundingClientRect();
      return [...document.querySelectorAll('button, select, input, a[href], textarea')]
        .filter((el: any) => !el.closest('nav.scrubber'))
        .map((el: any) => ({ el, r: el.getBoundingClientRect() }))
        .filter(({ r }: any) => r.width > 0 && r.height > 0 && r.top < window.innerHeight && r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom)
        .map(({ el }: any) => el.getAttribute('aria-label') ?? el.textContent);
    });
    assert.deepEqual(under, [], 'no control under the year scrubber');
    const upload = page.getByRole('button', { name: 'Upload', exact: true });
    // Measured just before each click (the header may still settle on a loaded machine), a few tries at most: its middle is Upload, and opens the picker.
    let opened = false;
    for (let attempt = 0; attempt < 3 && !opened; attempt++) {
      const u = (await upload.boundingBox())!;
      const middle = { x: u.x + u.width / 2, y: u.y + u.height / 2 };
      assert.equal(await page.evaluate(({ x, y }: { x: number; y: number }) => document.elementFromPoint(x, y)?.textContent, middle), 'Upload');
      const chooser = page.waitForEvent('filechooser', { timeout: 8_000 }).then(() => true, () => false);
      await page.mouse.click(middle.x, middle.y);
      opened = await chooser;
    }
    assert.ok(opened, 'a click on Upload\'s middle opens the file picker');
    await keepScreenshot(page, 'desktop-grid-scrubber', false);

    // 9. A tile picked (Ctrl-click) with each kind of badge: LIVE, RAW+JPEG, a video's length; none under its tick box.
    const badged = page.locator(`${tiles}:has(.badges)`);
    const n = await badged.count();
    assert.ok(n >= 3, `tiles with badges: ${n}`);
    for (let i = 0; i < n; i++) await badged.nth(i).click({ modifiers: ['Control'] });
    await page.getByRole('toolbar', { name: 'Selected items' }).getByText(`${n} items selected`).waitFor();
    const texts = await page.locator('.tile.selected .badges .badge').allTextContents();
    assert.ok(texts.includes('LIVE') && texts.includes('RAW+JPEG') && texts.some((t) => /^\d+:\d\d$/.test(t)), `the picked tiles' badges: ${texts.join(', ')}`);
    assert.deepEqual(await badgesUnderBoxes(page, '.tile.selected'), [], 'no badge of a picked tile under its tick box');
    await keepScreenshot(page, 'desktop-grid-picked', false);

    // 8. The Similar page, at a desktop's width and a phone's: no card's text runs out of its card.
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: width > 400 ? 900 : 844 });
      await page.goto(`${ui.http}/ui/#/similar`);
      await page.locator('.similar-members li').nth(1).waitFor({ timeout: 30_000 });
      assert.ok((await page.locator('.similar-members').textContent())!.includes(LONG_FOLDER), 'the long path is shown');
      const out = await page.evaluate(() => [...document.querySelectorAll('.similar-members li')].flatMap((li: any) => {
        const card = li.getBoundingClientRect();
        const spill = li.scrollWidth > li.clientWidth + 1 ? [`card ${li.clientWidth} px wide holds ${li.scrollWidth} px`] : [];
        const texts = [...li.querySelectorAll('*')].filter((el: any) => [...el.childNodes].some((t: any) => t.nodeType === 3 && t.textContent.trim() !== ''));
        return [...spill, ...texts.flatMap((el: any) => {
          const range = document.createRange();
          range.selectNodeContents(el);
          return [...range.getClientRects()].filter((r: any) => r.left < card.left - 0.5 || r.right > card.right + 0.5).map(() => `"${el.textContent.slice(0, 40)}" runs out of its card`);
        })];
      }));
      assert.deepEqual(out, [], `at ${width} px`);
      await keepScreenshot(page, `similar-${width}`, false);
    }
  });
});
