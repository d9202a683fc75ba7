/**
 * Issue 46 item 5's café, in network namespaces (the recipe of ../shared/notes/reach-beyond-the-lan.md,
 * test/net/two-homes.ts): the relay box on the "internet" serving browsers (`--box-web` with a
 * certificate for its public address), the home device behind its home's NAT, and Chromium in a
 * third namespace behind another NAT — a café — which can reach the box and nothing of the home.
 * Paired at home by `vss ui pair --away` (the address opened in the café), the browser sees the
 * home's library through the box, uploads a photo into it, and the box's capture of what it
 * carried holds no plaintext of the photo.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { json, tempDir, until } from '../helpers.js';
import { homesCli, makeTwoHomes, twoHomesSkipReason, type TwoHomes } from '../net/two-homes.js';
import { AWAY_SKIP, filesUnder, plaintextWindowsIn } from '../support/away-setup.js';
import { thumbnailShown, uploadThroughPage } from './away-page.js';
import { launchBrowser, newPage } from './launch.js';
import { UI_SKIP } from './ui-library.js';

const RELAY_PORT = 4001;
const WEB_PORT = 8443;

describe('a phone in a café reaches the home device through the relay box (namespaces)', { skip: UI_SKIP || AWAY_SKIP || twoHomesSkipReason(), timeout: 300_000 }, () => {
  const tmp = tempDir('vss-cafe-');
  let net!: TwoHomes;
  const tap = join(tmp.path, 'box-tap.bin');
  const env = {
    relay: { VSS_DATA_DIR: join(tmp.path, 'box'), VSS_RELAY_TAP: tap },
    a: { VSS_DATA_DIR: join(tmp.path, 'home') },
  };
  const { ok, pairByInvite, stopAll } = homesCli(() => net, env);
  const photos = join(tmp.path, 'photos');
  let spki = '';

  before(async () => {
    net = makeTwoHomes('cf', 239);
    const cert = join(tmp.path, 'box.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=box',
      '-addext', `subjectAltName=IP:${net.addr.relay}`, '-keyout', `${cert}.key`, '-out', cert], { stdio: 'ignore' });
    const pub = execFileSync('openssl', ['x509', '-in', cert, '-pubkey', '-noout']);
    spki = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pub }) }).toString('base64');
    mkdirSync(photos);
    await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 30, g: 120, b: 200 } } }).jpeg().toFile(join(photos, 'harbour.jpg'));
    await ok('relay', ['device', 'rename', 'Box']);
    await ok('a', ['device', 'rename', 'Home']);
    await ok('a', ['library', 'create', 'Home', '--path', join(tmp.path, 'libs')]);
    await ok('a', ['location', 'add', photos]);
    await ok('relay', ['daemon', 'start', '--relay', '--listen', `/ip4/0.0.0.0/tcp/${RELAY_PORT}`, '--box-web', String(WEB_PORT), '--box-cert', cert, '--box-key', `${cert}.key`]);
    await ok('a', ['daemon', 'start']);
    await pairByInvite('relay', 'a');
    await until('the home holds a slot on the box, through its WSS too', 60_000, async () => {
      const s = json<{ listen: string[] }>(await ok('a', ['--json', 'daemon', 'status']));
      return s.listen.some((a) => a.includes('/tls/ws/') && a.includes('/p2p-circuit')) ? true : undefined;
    });
  });
  after(async () => {
    await stopAll();
    net?.remove();
    tmp.cleanup();
  });

  it('opens the box\'s pairing address in the café, sees the home\'s photo and uploads one, the box carrying ciphertext only', async () => {
    const pair = json<{ url: string }>(await ok('a', ['--json', 'ui', 'pair', '--away', '--name', 'Phone in a café']));
    assert.equal(new URL(pair.url).host, `${net.addr.relay}:${WEB_PORT}`);
    const launched = await launchBrowser({ netns: net.ns.b, args: [`--ignore-certificate-errors-spki-list=${spki}`] });
    try {
      const { page } = await newPage(launched.browser, { width: 390, height: 844, timeoutMs: 30_000 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      const opened = Date.now();
      assert.equal((await page.goto(pair.url))?.status(), 200);
      await thumbnailShown(page, 'the thumbnail shows');
      const shownMs = Date.now() - opened;

      const photo = join(tmp.path, 'from-the-cafe.jpg');
      await sharp(randomBytes(200 * 150 * 3), { raw: { width: 200, height: 150, channels: 3 } }).jpeg({ quality: 95 }).toFile(photo);
      const bytes = readFileSync(photo);
      await uploadThroughPage(page, photo, 90_000);
      const landed = filesUnder(join(photos, 'Uploads')).filter((p) => p.endsWith('from-the-cafe.jpg'));
      assert.equal(landed.length, 1, `landed once: ${landed.join(', ')}`);
      assert.ok(readFileSync(landed[0]!).equals(bytes), 'whole');

      const carried = readFileSync(tap);
      assert.ok(carried.length > bytes.length, `the box carried the upload (${carried.length} bytes)`);
      assert.equal(plaintextWindowsIn(carried, bytes), 0, 'no 32-byte window of the photo in what the box carried');
      assert.deepEqual(problems, []);
      console.log(`# café: a thumbnail shown ${shownMs} ms after opening the pairing address; the box carried ${carried.length} bytes, none of them plaintext`);
    } finally {
      await launched.close();
    }
  });
});
