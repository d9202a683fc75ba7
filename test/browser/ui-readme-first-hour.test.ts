import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, isIP } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import { json, runCli, tempDir } from '../helpers.js';
import { firstPage, shellLines, vssCalls } from '../support/readme.js';
import { launchBrowser, type LaunchedBrowser } from './launch.js';
import { UI_SKIP } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const document: any;

/** A free TCP port on the loopback (the home network's port for this daemon: tests run side by side). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/**
 * The README's first page, run as written (issue 58: "a fresh clone reaches a paired phone by the
 * first page alone"): the `vss` commands of its "Your first hour" blocks, read from the README
 * itself, in order, as a newcomer would type them — in a home of their own (`~/Pictures` holds a
 * few photos, one named as the page names it), with a data dir of their own. Three things only
 * are added, each said where: `--lan-port` (a free one: tests run side by side), `--json` to the
 * pairing (to read its address), and no browser for `--open`. Every command ends with 0, and the
 * phone opens the pairing address over HTTPS and lands in the library, its photos there.
 */
describe("the README's first hour, run from the page", { skip: UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-readme-first-hour-');
  const home = join(tmp.path, 'home');
  const env = { HOME: home, VSS_DATA_DIR: join(tmp.path, 'data'), BROWSER: 'true', DISPLAY: '' };
  let launched: LaunchedBrowser | undefined;
  let daemon = false;
  before(async () => {
    const pictures = join(home, 'Pictures');
    mkdirSync(pictures, { recursive: true });
    const colours = [[200, 90, 40], [30, 120, 200], [60, 160, 80], [220, 200, 60], [120, 60, 160]] as const;
    const names = ['IMG_0412.jpg', 'beach.jpg', 'IMG_0413.jpg', 'IMG_0414.jpg', 'IMG_0415.jpg'];
    for (const [i, name] of names.entries()) {
      const [r, g, b] = colours[i]!;
      await sharp({ create: { width: 320 + i * 16, height: 240, channels: 3, background: { r, g, b } } }).jpeg().toFile(join(pictures, name));
    }
    launched = await launchBrowser();
  });
  after(async () => {
    await launched?.close();
    if (daemon) await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  it('every command of "Your first hour" works, and the phone it pairs lands in the library', async () => {
    const calls = vssCalls(shellLines(firstPage().slice(firstPage().indexOf('## Your first hour'))));
    assert.ok(calls.length >= 10, `the commands found: ${calls.map((c) => c.join(' ')).join(' · ')}`);
    const port = await freePort();
    let paired = false;
    for (const call of calls) {
      const args = call.map((w) => w.replace(/^~(?=\/)/, home));
      const lan = args[0] === 'daemon' && args[1] === 'start' && args.includes('--lan');
      const pair = args[0] === 'ui' && args[1] === 'pair';
      const run = [...args, ...(lan ? ['--lan-port', String(port)] : []), ...(pair ? ['--json'] : [])];
      const r = await runCli(run, env);
      assert.equal(r.code, 0, `vss ${run.join(' ')}: ${r.stderr}`);
      if (args[0] === 'daemon' && args[1] === 'start') daemon = true;
      if (args[0] === 'devices' && args[1] === 'list') assert.match(r.stdout, /My phone/, 'the phone it paired is listed');
      if (!pair) continue;
      // The phone opens the address the QR code holds, as the page says (over HTTPS: vss's own certificate, accepted), and lands in the library.
      const phoneCtx = await launched!.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, ignoreHTTPSErrors: true });
      const phone = await phoneCtx.newPage();
      // The best guess, or where it names a host this test machine cannot resolve (a `.local` name, no mDNS here), the first address.
      const { url, urls } = json<{ url: string; urls: string[] }>(r);
      const at = isIP(new URL(url).hostname.replace(/^\[|\]$/g, '')) ? url : urls.find((u) => isIP(new URL(u).hostname.replace(/^\[|\]$/g, '')) !== 0);
      assert.ok(at, `an address the phone can open: ${JSON.stringify(urls)}`);
      assert.equal((await phone.goto(at))?.status(), 200);
      await phone.waitForFunction(() => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length >= 5, undefined, { timeout: 30_000 });
      await phoneCtx.close();
      paired = true;
    }
    assert.ok(paired, 'the page pairs a phone');
  });
});
