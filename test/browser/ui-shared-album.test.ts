import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { filesUnder } from '../support/away-setup.js';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { OPERATIONS } from '../../src/api/remote/operations.js';
import { GUEST_OPERATIONS } from '../../src/api/remote/browser-operations.js';
import { freePort } from '../support/free-port.js';
import { json, runCli, tempDir, until } from '../helpers.js';
import { cliInNs, makeNetnsPair, netnsSkipReason } from '../net/netns.js';
import { cliHere } from '../support/cli-here.js';
import { launchBrowser, newPage, type LaunchedBrowser } from './launch.js';
import { keepScreenshot } from './screenshot.js';
import { UI_SKIP } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const document: any;
declare const fetch: any;

interface Made { share_id: string; url: string; urls: string[]; expires_at: string; password?: string }

/**
 * An album shared by a link (issue 61), opened by a browser that was never paired, at a phone's
 * size, against a real daemon: the guest sees exactly the album (its title, its two photos of the
 * three in the library), turns through them in the viewer, downloads an original byte-identical;
 * with the guest's session every route of the daemon's API is tried and each but the guest's own
 * is refused, as is another content's original; then the share is revoked (refused from the next
 * request), and another expires (refused once its time is up). A password is asked where set.
 */
describe('a shared album, opened by a guest (phone size)', { skip: UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-ui-share-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const photos = join(tmp.path, 'Photos');
  const ok = async (args: string[]) => {
    const r = await cliHere(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };

  before(async () => {
    mkdirSync(photos);
    for (const [i, name] of ['beach.jpg', 'dunes.jpg', 'private.jpg'].entries()) {
      await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 60 + 70 * i, g: 120, b: 200 - 60 * i } } }).jpeg().toFile(join(photos, name));
    }
    const offline = { ...env, VSS_NO_DAEMON: '1' };
    assert.equal((await cliHere(['library', 'create', 'Family', '--path', join(tmp.path, 'libs')], offline)).code, 0);
    assert.equal((await cliHere(['location', 'add', photos], offline)).code, 0);
    assert.equal((await cliHere(['album', 'add', 'Summer 2024', join(photos, 'beach.jpg'), join(photos, 'dunes.jpg')], offline)).code, 0);
  });
  after(async () => {
    await cliHere(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  const uuidOf = async (name: string) => json<{ content_uuid: string }>(await ok(['--json', 'meta', 'show', join(photos, name)])).content_uuid;
  /** Statuses of requests made from the page (its cookie, its origin), each [method, url]. */
  const statuses = (page: Page, asks: Array<[string, string]>) => page.evaluate(async (list: Array<[string, string]>) => {
    const out: number[] = [];
    for (const [method, url] of list) {
      const r = await fetch(url, { method, headers: method === 'GET' || method === 'HEAD' ? {} : { 'content-type': 'application/json', 'x-vss-ui': '1' }, body: method === 'GET' || method === 'HEAD' ? undefined : '{}' });
      out.push(r.status);
      await r.body?.cancel();
    }
    return out;
  }, asks);

  it('shows the album and nothing else, downloads an original, refuses every other route, and is refused once revoked or expired', async () => {
    const made = json<Made>(await ok(['--json', 'album', 'share', 'Summer 2024', '--expires', '1d', '--download', '--by', 'Ann']));
    assert.match(made.url, /\/ui\/shared#share=[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(json<Array<{ share_id: string; album: string; browsers: number }>>(await ok(['--json', 'shares', 'list'])).map((s) => [s.share_id, s.album, s.browsers]), [[made.share_id, 'Summer 2024', 0]]);
    const [beach, dunes, secret] = [await uuidOf('beach.jpg'), await uuidOf('dunes.jpg'), await uuidOf('private.jpg')];

    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 390, height: 844 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      await page.goto(made.url);
      await page.getByRole('heading', { name: 'Summer 2024' }).waitFor({ timeout: 20_000 });
      assert.match(await page.locator('.shared-head').innerText(), /Shared by Ann · 2 items/);
      assert.equal(await page.locator('.shared-tile').count(), 2, 'the album\'s two photos, not the third of the library');
      await until('the tiles drawn', 20_000, async () => (await page.locator('.shared-tile img').evaluateAll((imgs: any[]) => imgs.every((i) => i.complete && i.naturalWidth > 0))) || undefined, 200);
      assert.equal(await page.getByRole('navigation').count(), 0, 'no way to anything else');
      await keepScreenshot(page, 'shared-album-phone');

      // The viewer: the first photo, then the next by its button; downloaded byte for byte.
      await page.locator('.shared-tile').first().click();
      const viewer = page.getByRole('dialog');
      await viewer.getByText('1 / 2').waitFor({ timeout: 10_000 });
      await viewer.getByRole('button', { name: 'Next' }).click();
      await viewer.getByText('2 / 2').waitFor({ timeout: 10_000 });
      await until('the photo drawn', 20_000, async () => (await viewer.locator('img').evaluate((i: any) => i.complete && i.naturalWidth > 0)) || undefined, 200);
      await keepScreenshot(page, 'shared-album-viewer-phone');
      const [download] = await Promise.all([page.waitForEvent('download'), viewer.getByRole('link', { name: 'Download' }).click()]);
      const saved = join(tmp.path, 'downloaded');
      await download.saveAs(saved);
      const got = readFileSync(saved);
      assert.ok(got.equals(readFileSync(join(photos, 'beach.jpg'))) || got.equals(readFileSync(join(photos, 'dunes.jpg'))), 'an original of the album, byte for byte');
      await viewer.getByRole('button', { name: 'Close' }).click();

      // Every route of the API with the guest's session: only its own answer.
      const fill = (path: string) => path.replace(':lib', 'current').replace(/:uuid|:content/g, secret).replace(/:[a-z_]+/g, 'x');
      const others = Object.entries(OPERATIONS).filter(([name]) => !(GUEST_OPERATIONS as readonly string[]).includes(name) && name !== 'shareOpen');
      const refused = await statuses(page, others.map(([, op]) => [op.method, fill(op.path)]));
      const let_in = others.filter((_, i) => refused[i] !== 401 && refused[i] !== 403).map(([name], i) => `${name}: ${refused[i]}`);
      assert.deepEqual(let_in, [], `every route but the guest's refuses it (${others.length} tried)`);
      const own = await statuses(page, [['GET', '/api/share'], ['GET', `/api/share/original/${beach}`], ['GET', `/api/share/thumb/${dunes}/grid@1x`], ['GET', `/api/share/original/${secret}`], ['GET', `/api/share/thumb/${secret}/grid@1x`]]);
      assert.deepEqual(own, [200, 200, 200, 403, 403], 'its album\'s photos, and no other content\'s');
      const me = await page.evaluate(async () => (await fetch('/api/ui/me')).text());
      assert.doesNotMatch(me, /Family|libs|Photos|\/tmp/, 'no library name or path');

      // The share and its guest outlive a restart of the daemon: the same browser, its cookie, the album again.
      await ok(['daemon', 'stop']);
      await ok(['daemon', 'start']);
      const web = json<{ web_urls: string[] }>(await ok(['--json', 'daemon', 'status'])).web_urls.at(-1)!;
      await page.goto(web);
      await page.getByRole('heading', { name: 'Summer 2024' }).waitFor({ timeout: 20_000 });

      // Revoked: refused from the next request; the page says so.
      assert.equal(json<Array<{ browsers: number }>>(await ok(['--json', 'shares', 'list']))[0]!.browsers, 1);
      await ok(['shares', 'revoke', made.share_id.slice(0, 8)]);
      assert.deepEqual(await statuses(page, [['GET', '/api/share'], ['GET', `/api/share/original/${beach}`]]), [401, 401]);
      await page.reload();
      await page.getByRole('heading', { name: 'This album is no longer shared' }).waitFor({ timeout: 10_000 });
      assert.deepEqual(problems, []);
    } finally {
      await launched.close();
    }
  });

  it('takes a guest\'s photo where the share allows it: landed in the share\'s folder, then in the album', async () => {
    const made = json<Made>(await ok(['--json', 'album', 'share', 'Summer 2024', '--upload']));
    const photo = join(tmp.path, 'from-a-guest.jpg');
    await sharp({ create: { width: 500, height: 400, channels: 3, background: { r: 250, g: 200, b: 10 } } }).jpeg().toFile(photo);
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 390, height: 844 });
      await page.goto(made.url);
      await page.getByRole('heading', { name: 'Summer 2024' }).waitFor({ timeout: 20_000 });
      assert.equal(await page.locator('.shared-tile').count(), 2);
      const chooser = page.waitForEvent('filechooser');
      await page.getByRole('button', { name: 'Add your photos' }).click();
      await (await chooser).setFiles([photo]);
      await until('the album holds the guest\'s photo', 60_000, async () => ((await page.locator('.shared-tile').count()) === 3 ? true : undefined), 250);
      const landed = join(photos, 'Uploads', 'Shared - Summer 2024');
      const found = filesUnder(landed);
      assert.equal(found.length, 1, `landed once in the share's folder: ${found.join(', ')}`);
      assert.ok(readFileSync(found[0]!).equals(readFileSync(photo)), 'whole');
      const shown = json<{ contents: string[] }>(await ok(['--json', 'album', 'show', 'Summer 2024']));
      assert.equal(shown.contents.length, 3, 'in the album for everyone');
    } finally {
      await launched.close();
    }
  });

  it('asks for the password where the share has one, and refuses once it expired', async () => {
    const made = json<Made>(await ok(['--json', 'album', 'share', 'Summer 2024', '--expires', '6s', '--password']));
    assert.match(made.password ?? '', /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/, 'a password made and told once');
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 390, height: 844 });
      await page.goto(made.url);
      await page.getByText('shared with a password').waitFor({ timeout: 20_000 });
      await page.getByLabel('Password').fill('wrong-guess');
      await page.getByRole('button', { name: 'Open' }).click();
      await page.getByText('That is not the password.').waitFor({ timeout: 10_000 });
      await page.getByLabel('Password').fill(made.password!);
      await page.getByRole('button', { name: 'Open' }).click();
      await page.getByRole('heading', { name: 'Summer 2024' }).waitFor({ timeout: 20_000 });
      await until('the share expired', 20_000, async () => (Date.now() > Date.parse(made.expires_at) + 200 ? true : undefined), 250);
      assert.deepEqual(await statuses(page, [['GET', '/api/share']]), [401], 'refused once its time is up');
      await page.reload();
      await page.getByRole('heading', { name: 'This album is no longer shared' }).waitFor({ timeout: 10_000 });
      assert.equal(json<Array<{ state: string }>>(await ok(['--json', 'shares', 'list'])).find((s) => s.state === 'expired') !== undefined, true);
    } finally {
      await launched.close();
    }
  });
});

/**
 * The same link over the home network (issue 61 "opens a share over the LAN"): the daemon in a
 * network namespace of its own serving the web app with `--lan` over HTTPS, the guest's browser in
 * another, one link between them (as root; else 127.0.0.2 as the home network's address, the same
 * server and checks). The link names the home network's address; the guest sees the album and
 * downloads an original, byte for byte.
 */
describe('a shared album over the home network', { skip: UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-ui-share-lan-');
  const lan = netnsSkipReason() === false && process.env.VSS_TEST_LAN_LOOPBACK !== '1' ? makeNetnsPair('sh', 227) : undefined;
  const host = lan?.addr.b ?? '127.0.0.2';
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_LAN_ADDRESSES: host };
  const photos = join(tmp.path, 'Photos');
  let launched: LaunchedBrowser | undefined;

  before(async () => {
    mkdirSync(photos);
    for (const [i, name] of ['boat.jpg', 'harbour.jpg'].entries()) {
      await sharp({ create: { width: 800, height: 533, channels: 3, background: { r: 30 + 90 * i, g: 90, b: 160 } } }).jpeg().toFile(join(photos, name));
    }
    const offline = { ...env, VSS_NO_DAEMON: '1' };
    assert.equal((await cliHere(['library', 'create', 'Family', '--path', join(tmp.path, 'libs')], offline)).code, 0);
    assert.equal((await cliHere(['location', 'add', photos], offline)).code, 0);
    assert.equal((await cliHere(['album', 'add', 'Sailing', join(photos, 'boat.jpg')], offline)).code, 0);
    const port = lan ? 7443 : await freePort(host);
    const args = ['daemon', 'start', '--lan', '--lan-port', String(port)];
    const started = lan ? await cliInNs(lan.ns.b, args, env) : await runCli(args, env);
    assert.equal(started.code, 0, started.stderr);
    launched = await launchBrowser(lan ? { netns: lan.ns.a } : {});
  });
  after(async () => {
    await launched?.close();
    await cliHere(['daemon', 'stop'], env);
    lan?.remove();
    tmp.cleanup();
  });

  it('opens at the home network\'s address, shows the album, and downloads an original byte for byte', async () => {
    const made = json<Made>(await cliHere(['--json', 'album', 'share', 'Sailing', '--download'], env));
    assert.ok(made.url.startsWith(`https://${host}:`) && made.url.includes('/ui/shared#share='), made.url);
    const context = await launched!.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, ignoreHTTPSErrors: true, acceptDownloads: true });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    await page.goto(made.url);
    await page.getByRole('heading', { name: 'Sailing' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.shared-tile').count(), 1);
    await page.locator('.shared-tile').first().tap();
    // The Download link's own address, fetched as the page fetches (a browser holds back a download from a certificate it was told to ignore).
    const href = await page.getByRole('dialog').getByRole('link', { name: 'Download' }).getAttribute('href');
    const bytes = await page.evaluate(async (url: string) => [...new Uint8Array(await (await fetch(url)).arrayBuffer())], href!);
    assert.ok(Buffer.from(bytes).equals(readFileSync(join(photos, 'boat.jpg'))), 'the original, byte for byte');
    await keepScreenshot(page, 'shared-album-lan-phone');
    await context.close();
  });
});

