import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FIXTURES_SKIP } from '../helpers.js';
import { launchBrowser, newPage } from './launch.js';
import { nameOf, startUiLibrary, UI_SKIP, type UiLibrary } from './ui-library.js';

interface Status { contents: number; single: { contents: number }; safe: { contents: number }; policy: { copies: number }; policy_chosen: boolean }

/**
 * The Guardian page (issue 30) as a user meets it: a real daemon over the fixtures (each file held
 * once, on one drive of one device), a real headless Chromium. No tile wears a copy count; before
 * a policy is chosen a detail says its count plainly and the page warns of nothing (issue 58); the
 * suggested policy taken on the page, the detail says the content exists once against it, and the
 * page says how many do and lists them with where their copy is; the policy changed on the page,
 * the counts follow.
 */
describe('the Guardian page in the web UI', { skip: FIXTURES_SKIP || UI_SKIP, timeout: 300_000 }, () => {
  let ui: UiLibrary;
  before(async () => {
    // What the pages shown need: the thumbnails of the tiles, a detail and the Guardian page (text, faces, video and speech are other tests').
    ui = await startUiLibrary('vss-ui-guardian-', { generate: 'thumb' });
  });
  after(async () => {
    await ui?.stop();
  });

  const status = async (): Promise<Status> => {
    const r = await fetch(`${ui.http}/api/libraries/current/guardian/status`, { headers: { authorization: `Bearer ${ui.token}` }, signal: AbortSignal.timeout(30_000) });
    assert.ok(r.ok, `status: ${r.status}`);
    return (await r.json()) as Status;
  };

  it('shows what exists once and where, and keeps a policy set on the page', async () => {
    const before = await status();
    assert.ok(before.contents > 0 && before.single.contents === before.contents, 'every fixture is held once');
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 1280, height: 900 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      assert.equal((await page.goto(await ui.signInUrl()))?.status(), 200);
      // No tile wears a count; before a policy is chosen the detail says it plainly, where a person looks for it.
      assert.equal(before.policy_chosen, false);
      const tile = page.getByRole('main', { name: 'Library' }).locator(`a[data-uuid="${ui.uuidOf('photo')}"]`);
      await tile.waitFor({ timeout: 20_000 });
      assert.doesNotMatch((await tile.getAttribute('aria-label')) ?? '', /once/);
      assert.equal(await tile.locator('.badge', { hasText: '1×' }).count(), 0);
      await tile.click();
      const plain = page.getByRole('main').getByRole('definition').filter({ hasText: 'One copy in the library' });
      await plain.waitFor({ timeout: 10_000 });
      assert.match(await plain.innerText(), /One copy in the library \(no policy chosen yet: the Guardian suggests 2\)\./);
      assert.doesNotMatch((await plain.getAttribute('class')) ?? '', /once|short/, 'no warning colour');
      const detailUrl = page.url();
      await page.getByRole('link', { name: 'Guardian' }).first().click();
      const main = page.getByRole('main', { name: 'Guardian' });
      const once = main.getByRole('listitem').filter({ hasText: 'exist once' }).first();
      await once.waitFor({ timeout: 20_000 });
      assert.match(await once.innerText(), new RegExp(`^${before.single.contents}\\b`), 'the count of contents held once');
      assert.equal(await main.locator('.guardian-tally.warn, .guardian-tally.bad').count(), 0, 'nothing coloured as a warning before a policy is chosen');
      const risk = main.getByRole('region', { name: 'Contents short of the policy' });
      await risk.getByText('Choose the library\'s policy above').waitFor();

      // The suggested policy taken: now the page and the detail warn against it.
      await main.getByRole('form', { name: 'The library\'s policy' }).getByRole('button', { name: 'Use this policy' }).click();
      await main.locator('.guardian-tally.bad').filter({ hasText: 'exist once' }).waitFor({ timeout: 10_000 });
      assert.equal((await status()).policy_chosen, true);
      const photo = risk.getByRole('link', { name: nameOf('photo') });
      await photo.waitFor({ timeout: 10_000 });
      // (A `has` locator is looked for inside each item: from the page, not from the region.)
      const item = risk.getByRole('listitem').filter({ has: page.getByRole('link', { name: nameOf('photo') }) }).first();
      assert.match(await item.innerText(), /exists once · needs 1 more copy/);
      assert.match(await item.innerText(), new RegExp(`online\\s+\\S.*${nameOf('photo').replace('.', '\\.')}`), 'where its one copy is, online');
      await page.goto(detailUrl);
      const safety = page.getByRole('main').getByRole('definition').filter({ hasText: 'Exists once' });
      await safety.waitFor({ timeout: 10_000 });
      assert.match(await safety.innerText(), /Exists once: a lost drive loses it; its policy asks for 1 more copy\./);
      await page.getByRole('link', { name: 'Guardian' }).first().click();

      // One copy is enough for this library: set on the page, kept by the daemon, and the counts follow.
      const form = main.getByRole('form', { name: 'The library\'s policy' });
      await form.getByLabel('Copies').fill('1');
      await form.getByRole('button', { name: 'Keep this policy' }).click();
      await risk.getByText('Every content has the copies its policy asks for.').waitFor({ timeout: 10_000 });
      const after = await status();
      assert.equal(after.policy.copies, 1);
      assert.equal(after.safe.contents, after.contents);
      await page.goto(`${ui.http}/ui/#/content/${ui.uuidOf('photo')}`);
      await page.getByRole('main').getByRole('definition').filter({ hasText: 'its policy asks 1' }).waitFor({ timeout: 10_000 });
      assert.deepEqual(problems, []);
    } finally {
      await launched.close();
    }
  });
});
