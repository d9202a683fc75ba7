/**
 * `node dist/bench/away-upload-bench.js [--mib M] [--rate-mb R] [--runs N]` (needs openssl and the
 * bundled Chromium)
 *
 * Issue 46 item 4's target: a browser's upload through the relay box, against the same bytes sent
 * by a Node peer through the same box (its crypto native: the bare relayed stream a browser's
 * upload is held to). Real daemons on loopback — a box held to `--relay-rate R` MB/s (default 4,
 * a home uplink) and a home device paired with it — as test/support/away-setup.ts makes them:
 *  - anchor: a Node libp2p peer paired away from home uploads M MiB (default 16) by tus over
 *    `/vss/http/1` through the box (one create, one PATCH), timed to the home's answer;
 *  - the web app in Chromium, paired the same way, uploads another M MiB file through its Upload
 *    button and the box's service worker, timed from picking the file to the upload shown done.
 * Runs interleave (node, browser, node, …), each with fresh random bytes (the library would
 * otherwise say it holds them). Prints MB/s each and the browser's share of the anchor (target ≥
 * 80%), and one line of JSON. Daemons are stopped and the browser closed, whatever happens.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { blake3File } from '../src/core/file-blake3.js';
import { json, until } from '../test/helpers.js';
import { AwayBrowser } from '../test/support/away-browser.js';
import { awaySetup, AWAY_SKIP } from '../test/support/away-setup.js';
import { launchBrowser, newPage } from '../test/browser/launch.js';
import { MiB, Summary, benchArgs, freshDir, median, num, rmrf, runMain, writeRandom } from './util.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function main(): Promise<void> {
  const args = benchArgs('node dist/bench/away-upload-bench.js [--mib M] [--rate-mb R] [--runs N]', { mib: { default: 16, min: 1 }, 'rate-mb': { default: 4, min: 1 }, runs: { default: 3, min: 1 } }, []);
  if (AWAY_SKIP) throw new Error(AWAY_SKIP);
  const bytes = args.mib * MiB;
  const work = freshDir(tmpdir(), 'vss-bench-away-');
  const t = await awaySetup('vss-bench-away-', { boxArgs: ['--relay-rate', `${args['rate-mb']}M`] });
  const launched = await launchBrowser({ args: [`--ignore-certificate-errors-spki-list=${t.spki}`] });
  const peer = await AwayBrowser.start();
  try {
    // The Node peer, paired away from home as a browser is.
    const ticketOf = async (name: string) => new URLSearchParams(new URL(json<{ url: string }>(await t.cli(t.HOME, '--json', 'ui', 'pair', '--away', '--name', name)).url).hash.slice(1)).get('pair')!;
    const nodeTicket = await ticketOf('Node peer');
    const paired = await until('the Node peer pairs through the box', 20_000, async () => {
      try {
        const r = await peer.fetch(t.circuit, '/api/ui/pair-away', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticket: nodeTicket }) });
        return r.status === 200 ? r : undefined;
      } catch {
        return undefined;
      }
    });
    await paired.text();
    // The browser, paired by its address.
    const pair = json<{ url: string }>(await t.cli(t.HOME, '--json', 'ui', 'pair', '--away', '--name', 'Chromium'));
    const { page } = await newPage(launched.browser, { width: 1280, height: 900, timeoutMs: 60_000 });
    await page.goto(pair.url);
    await page.getByRole('button', { name: 'Upload', exact: true }).waitFor({ timeout: 60_000 });

    const nodeUpload = async (file: string): Promise<number> => {
      const { checksum } = await blake3File(file);
      const body = readFileSync(file);
      const started = performance.now();
      const made = await peer.fetch(t.circuit, '/api/uploads/tus', {
        method: 'POST',
        headers: { 'tus-resumable': '1.0.0', 'upload-length': String(body.length), 'upload-metadata': `filename ${b64(basename(file))},filetype ${b64('image/jpeg')},blake3 ${b64(checksum)},modified ${b64(String(Date.now()))}` },
      });
      const at = made.headers.get('location');
      await made.text();
      if (made.status !== 201 || !at) throw new Error(`the upload was not made: ${made.status}`);
      const sent = await peer.fetch(t.circuit, new URL(at, 'http://x').pathname, {
        method: 'PATCH', headers: { 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, body,
      });
      const said = await sent.text();
      if (sent.status !== 204 && sent.status !== 200) throw new Error(`the upload's bytes were refused: ${sent.status} ${said.slice(0, 300)}`);
      return (performance.now() - started) / 1000;
    };
    const browserUpload = async (file: string): Promise<number> => {
      const name = basename(file);
      const chooser = page.waitForEvent('filechooser');
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      const started = performance.now();
      await (await chooser).setFiles([file]);
      await until(`${name} uploaded`, 600_000, async () => {
        const states = await page.$$eval('.upload-item', (lis) => lis.map((li) => [li.querySelector('.upload-name')?.textContent ?? '', li.getAttribute('data-state') ?? '']));
        const mine = states.find(([n]) => n === name);
        if (mine?.[1] === 'failed') throw new Error(`${name}: the upload failed`);
        return mine?.[1] === 'done' ? true : undefined;
      }, 100);
      return (performance.now() - started) / 1000;
    };

    const node: number[] = [];
    const browser: number[] = [];
    for (let i = 0; i < args.runs; i++) {
      const a = join(work, `node-${i}.jpg`);
      await photoOf(a, bytes);
      node.push(bytes / MiB / (await nodeUpload(a)));
      const b = join(work, `browser-${i}.jpg`);
      await photoOf(b, bytes);
      browser.push(bytes / MiB / (await browserUpload(b)));
      console.log(`run ${i + 1}: Node peer ${num(node[i]!)} MiB/s, browser ${num(browser[i]!)} MiB/s`);
    }
    const share = median(browser) / median(node);
    const s = new Summary();
    s.add({ what: `anchor: Node peer's upload through the box (${args.mib} MiB, relay ${args['rate-mb']} MB/s)`, value: `${num(median(node))} MiB/s`, ratio: '1.00', target: '', ok: null });
    s.add({ what: 'the web app\'s upload through the box', value: `${num(median(browser))} MiB/s`, ratio: num(share), target: '≥ 0.80', ok: share >= 0.8 });
    s.print();
    console.log(JSON.stringify({ mib: args.mib, rate_mb: args['rate-mb'], runs: args.runs, node_mib_s: node, browser_mib_s: browser, share }));
  } finally {
    await peer.stop().catch(() => undefined);
    await launched.close().catch(() => undefined);
    await t.stop();
    rmrf(work);
  }
}

/**
 * A file of SIZE bytes a photo by its bytes (uploads take photos and videos only): a small JPEG
 * followed by random bytes (as a camera's trailer data; fresh each time, so no two are alike).
 */
async function photoOf(path: string, size: number): Promise<void> {
  const head = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 9, g: 9, b: 9 } } }).jpeg().toBuffer();
  writeFileSync(path, head);
  const rest = `${path}.rest`;
  writeRandom(rest, size - head.length);
  appendFileSync(path, readFileSync(rest));
  rmrf(rest);
}

mkdirSync(tmpdir(), { recursive: true });
runMain(import.meta.url, main);
