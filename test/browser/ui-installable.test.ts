import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, json, runCli, tempDir } from '../helpers.js';
// The CLI in this process for the calls that are not about its process (test/support/cli-here.ts);
// the daemon is started by a child, as a user's `vss daemon start` is.
import { cliHere } from '../support/cli-here.js';
import { launchBrowser, newPage, type LaunchedBrowser } from './launch.js';
import { UI_SKIP } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const document: any;
declare const navigator: any;
declare const caches: any;

interface Status { http: string }

/**
 * Issue 44's "installable": the web app has a manifest with icons a phone's home screen takes, and
 * a service worker (where the context is secure: loopback here) that keeps the app's shell, so it
 * opens with the daemon out of reach, and the thumbnails seen lately.
 */
describe('the web app installs, and opens without the network', { skip: FIXTURES_SKIP || UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-ui-install-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  let launched: LaunchedBrowser | undefined;

  before(async () => {
    const tree = join(tmp.path, 'Pictures');
    mkdirSync(tree);
    for (const f of ['exif/Canon_40D.jpg', 'exif/gps/DSCN0010.jpg']) copyFileSync(join(FIXTURES, f), join(tree, basename(f)));
    const offline = { ...env, VSS_NO_DAEMON: '1' };
    json(await cliHere(['--json', 'library', 'create', 'Photos', '--path', tmp.path], offline));
    // The thumbnails its pages show, not every kind (faces, OCR and fingerprints were made for no check).
    json(await cliHere(['--json', 'location', 'add', tree, '--mode', 'deep', '--generate', 'thumb'], offline));
    assert.equal((await cliHere(['jobs', 'run', '--until-idle'], offline)).code, 0);
    assert.equal((await runCli(['daemon', 'start'], env)).code, 0);
    launched = await launchBrowser();
  });
  after(async () => {
    await launched?.close();
    await cliHere(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  it('has a manifest and icons, keeps its shell and the thumbnails seen, and opens offline', async () => {
    const status = json<Status>(await cliHere(['--json', 'daemon', 'status'], env));
    const { context, page } = await newPage(launched!.browser);
    const { url } = json<{ url: string }>(await cliHere(['--json', 'ui'], env));
    await page.goto(url);
    const manifest: { display: string; icons: Array<{ sizes: string }> } | null = await page.evaluate(async () => {
      const href = document.querySelector('link[rel="manifest"]')?.href;
      return href ? (await fetch(href, { credentials: 'same-origin' })).json() as Promise<{ display: string; icons: Array<{ sizes: string }> }> : null;
    });
    assert.equal(manifest?.display, 'standalone');
    assert.deepEqual(manifest.icons.map((i: { sizes: string }) => i.sizes), ['any', '192x192', '512x512']);
    const icon = await page.evaluate(async (u: string) => { const r = await fetch(u, { credentials: 'same-origin' }); return [r.status, r.headers.get('content-type')]; }, `${status.http}/ui/assets/icon-512.png`);
    assert.deepEqual(icon, [200, 'image/png']);
    await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active !== null, undefined, { timeout: 20_000 });
    // Controlled from the next load: the thumbnails then come through it and are kept.
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.waitForFunction(() => [...document.querySelectorAll('main[aria-label="Library"] a[data-uuid] img')].filter((img: any) => img.complete && img.naturalWidth > 0).length === 2, undefined, { timeout: 30_000 });
    await page.waitForFunction(async () => (await (await caches.open('vss-thumbs-v1')).keys()).length === 2, undefined, { timeout: 10_000 });
    await context.setOffline(true);
    await page.reload();
    await page.locator('.app-header').waitFor({ timeout: 10_000 });
    assert.match(await page.locator('.app-header').textContent() ?? '', /vss/);
    await context.setOffline(false);
    await context.close();
  });
});
