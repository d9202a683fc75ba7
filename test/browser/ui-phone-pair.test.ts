import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, json, runCli, tempDir } from '../helpers.js';
// The CLI in this process for the calls that are not about its process (test/support/cli-here.ts);
// the daemon is started by a child, as a user's `vss daemon start` is.
import { cliHere } from '../support/cli-here.js';
import { launchBrowser, newPage, type LaunchedBrowser } from './launch.js';
import { keepScreenshot } from './screenshot.js';
import { UI_SKIP } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const document: any;
declare const window: any;

interface Status { http: string; web_urls: string[]; tls_fingerprint: string | null }
interface Device { kind: string; id: string; name: string }

const PHOTOS = ['exif/Canon_40D.jpg', 'exif/gps/DSCN0010.jpg'];

/**
 * Issue 44 items 1–2 in a real Chromium: the desktop's web app (signed in by `vss ui`) shows a
 * pairing code under Devices; a phone (390×844, touch, scale 3) opens its address on the daemon's
 * home-network address over HTTPS, lands in the library and sees its photos; the desktop lists it
 * as a paired browser and revokes it; the phone's next page is refused. The home network's address
 * is 127.0.0.2 (VSS_LAN_ADDRESSES): the same server and checks as a real interface's (the namespace
 * case is test/integration/daemon-lan.test.ts), reachable by both browsers here.
 */
describe('a phone pairs with the web app by its code, and is revoked', { skip: FIXTURES_SKIP || UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-ui-phone-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_LAN_ADDRESSES: '127.0.0.2' };
  let launched: LaunchedBrowser | undefined;
  let status: Status;

  before(async () => {
    const tree = join(tmp.path, 'Pictures');
    mkdirSync(tree);
    for (const f of PHOTOS) copyFileSync(join(FIXTURES, f), join(tree, basename(f)));
    const offline = { ...env, VSS_NO_DAEMON: '1' };
    json(await cliHere(['--json', 'library', 'create', 'Photos', '--path', tmp.path], offline));
    // The thumbnails its pages show, not every kind (faces, OCR and fingerprints were made for no check).
    json(await cliHere(['--json', 'location', 'add', tree, '--mode', 'deep', '--generate', 'thumb'], offline));
    assert.equal((await cliHere(['jobs', 'run', '--until-idle'], offline)).code, 0);
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.2', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const started = await runCli(['daemon', 'start', '--lan', '--lan-port', String(port)], env);
    assert.equal(started.code, 0, started.stderr);
    status = json<Status>(await cliHere(['--json', 'daemon', 'status'], env));
    launched = await launchBrowser();
  });

  after(async () => {
    await launched?.close();
    await cliHere(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  it('shows a QR code on the desktop, signs the phone in over HTTPS with it once, and lets the desktop revoke it', async () => {
    const { browser } = launched!;
    const desktop = await newPage(browser);
    const { url: signIn } = json<{ url: string }>(await cliHere(['--json', 'ui'], env));
    await desktop.page.goto(signIn);
    await desktop.page.goto(`${status.http}/ui/#/devices`);
    assert.equal(await desktop.page.getByRole('note').filter({ hasText: 'View only' }).count(), 0, 'this machine\'s user is not view-only');
    const panel = desktop.page.getByRole('region', { name: 'Add a phone or browser' });
    await panel.getByRole('button', { name: 'Show a pairing code' }).click();
    await panel.getByTestId('pair-qr').locator('svg').waitFor();
    const pairUrl = await panel.getByLabel('Pairing address').inputValue();
    assert.ok(pairUrl.startsWith(`${status.web_urls[0]}?ticket=`), `on the home network's address: ${pairUrl}`);
    // Every home address is offered (the .local name among them when the machine has one): another one picked redraws the code.
    const homes = status.web_urls.slice(0, -1);
    if (homes.length > 1) {
      const pick = panel.getByTestId('pair-address');
      assert.deepEqual(await pick.locator('option').allTextContents(), homes.map((u) => new URL(u).hostname));
      await pick.selectOption({ index: 1 });
      const other = await panel.getByLabel('Pairing address').inputValue();
      assert.equal(other, `${homes[1]}?ticket=${new URL(pairUrl).searchParams.get('ticket')}`);
      await pick.selectOption({ index: 0 });
    }
    assert.equal(await panel.locator('code.fingerprint').textContent(), status.tls_fingerprint);
    assert.equal(await panel.getByText('a phone cannot open the address').count(), 0, 'served on the home network: no warning');
    await keepScreenshot(desktop.page, 'devices-add-phone');

    const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, ignoreHTTPSErrors: true });
    phoneContext.setDefaultTimeout(15_000);
    const phone = await phoneContext.newPage();
    const landed = await phone.goto(pairUrl);
    assert.equal(landed?.status(), 200);
    assert.equal(new URL(phone.url()).search, '', 'the ticket leaves the address bar');
    await phone.waitForFunction(() => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length === 2);
    // Its thumbnails come over the network too (a content's files are on routes of their own).
    await phone.waitForFunction(() => [...document.querySelectorAll('main[aria-label="Library"] a[data-uuid] img')].some((img: any) => img.complete && img.naturalWidth > 0));
    await phone.getByRole('note').filter({ hasText: 'this browser may view, upload and organise' }).waitFor();
    const nav = await phone.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    assert.deepEqual(nav, ['Library', 'Files', 'Albums', 'Places', 'People', 'Locations', 'Tags', 'Similar'], 'what it may not open is not offered (what it may read is)');
    await keepScreenshot(phone, 'phone-paired-grid', false);
    for (const width of [360, 390, 430]) {
      await phone.setViewportSize({ width, height: 844 });
      const layout = await phone.evaluate(() => {
        const box = (sel: string) => {
          const el = document.querySelector(sel);
          if (!el) return null;
          const r = el.getBoundingClientRect();
          return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
        };
        return {
          header: box('.app-header'), nav: box('nav[aria-label="Main"]'), bar: box('.grid-bar'), tile: box('main[aria-label="Library"] a[data-uuid]'),
          scrubber: box('nav.scrubber'), note: box('.view-only'), overflow: document.documentElement.scrollWidth - window.innerWidth, height: window.innerHeight,
        };
      });
      const at = `at ${width} px: ${JSON.stringify(layout)}`;
      const { header, nav, bar, tile } = layout;
      assert.ok(header && nav && bar && tile, at);
      assert.ok(layout.overflow <= 0, `nothing wider than the screen ${at}`);
      assert.ok(Math.abs(nav.bottom - layout.height) < 1 && nav.top > tile.top, `the navigation is a bar at the foot ${at}`);
      assert.ok(header.bottom <= bar.top + 0.5 && bar.bottom <= tile.top + 0.5, `header, filters and photos one under the other ${at}`);
      assert.ok(tile.top < 200, `the first photo starts near the top, not under 290 px of header and filters ${at}`);
      const apart = (a: { top: number; bottom: number; left: number; right: number }, b: typeof a) => a.bottom <= b.top + 0.5 || b.bottom <= a.top + 0.5 || a.right <= b.left + 0.5 || b.right <= a.left + 0.5;
      for (const [name, other] of Object.entries({ header, nav, bar, note: layout.note })) {
        assert.ok(layout.scrubber === null || other === null || apart(layout.scrubber, other), `the years and months are not over the ${name} ${at}`);
      }
    }
    await phone.setViewportSize({ width: 390, height: 844 });
    const again = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
    assert.equal((await again.goto(pairUrl))?.status(), 401, 'the code pairs one browser, once');

    const paired = json<Device[]>(await cliHere(['--json', 'devices', 'list'], env)).filter((d) => d.kind === 'browser');
    assert.equal(paired.length, 1);
    await panel.getByRole('button', { name: 'Done' }).click();
    const item = desktop.page.getByRole('region', { name: 'Paired browsers' }).getByRole('listitem').filter({ hasText: paired[0]!.name });
    await item.getByRole('button', { name: `Revoke ${paired[0]!.name}` }).click();
    await item.getByRole('button', { name: 'Revoke', exact: true }).click();
    await desktop.page.getByRole('region', { name: 'Paired browsers' }).waitFor({ state: 'detached' });
    assert.deepEqual(json<Device[]>(await cliHere(['--json', 'devices', 'list'], env)).filter((d) => d.kind === 'browser'), []);
    const refused = await phone.reload();
    assert.equal(refused?.status(), 401, 'revoked: its next page is refused');
    assert.match(readFileSync(join(env.VSS_DATA_DIR, 'browser-devices.json'), 'utf8'), /"devices": \[\]/);
    await phoneContext.close();
    // A photo's details show where it was taken on a small map, drawn with no network.
    await desktop.page.goto(`${status.http}/ui/#/`);
    await desktop.page.locator('main[aria-label="Library"] a[data-uuid][title^="DSCN0010.jpg"]').click();
    await desktop.page.locator('svg.mini-map .map-spot').waitFor();
    await desktop.context.close();
  });
});
