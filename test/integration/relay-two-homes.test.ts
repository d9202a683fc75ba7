/**
 * Issue 29's and issue 46's "done when": four devices in two homes behind NAT, with no route
 * between the homes, each join one library once, by one invite, and then all reach all — through
 * a relay the user runs (a fourth device of the library on a public address) where there is no
 * other way — real daemons in network namespaces (test/net/two-homes.ts), driven through the real CLI:
 *  - the relay box, with no library of its own, shows a code; the laptop joins it by invite, and
 *    the box joins the library the laptop brings;
 *  - the laptop's invite carries its address through the relay; the desktop joins it from the other
 *    home, and is served by the box it never paired with (a member of the same library); the
 *    laptop (it made the library: it alone may admit) lets the desktop admit, and the NAS beside
 *    the desktop joins by the desktop's invite, and reaches the laptop and the box too;
 *  - the desktop lists, searches and copies the laptop's files, sees its tags, and sends it a
 *    file; `devices list` says each is reached through the relay.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { json, outputOf, pairingCodeOf, tempDir, until, within, VSS_BIN } from '../helpers.js';
import { spawnInNs } from '../net/netns.js';
import { homesCli, makeTwoHomes, twoHomesSkipReason, type Host, type TwoHomes } from '../net/two-homes.js';
import { launchBrowser, newPage } from '../browser/launch.js';
import { UI_SKIP } from '../browser/ui-library.js';


interface Status { running: boolean; pid: number | null; peer_id: string; listen: string[] }
interface Device { id: string; name: string; online: boolean; reached: string | null; rtt_ms: number | null; via: 'pairing' | 'library' }
interface LsItem { name: string; content_uuid: string | null; device: string; online: boolean }

const RELAY_PORT = 4001;
/**
 * The file copied through the relay box killed mid-way: at the box's 4 MB/s, caught 4 MiB in,
 * some 5 s of it still to come.
 */
const BIG_MIB = 24;
/** A file the relay's fault D7 cut short (each try got 3–9 MB through a relay held to 5 MB/s). */
const RATED_MB = 30;

describe('two homes behind NAT, one library through a relay the user runs', { skip: twoHomesSkipReason(), timeout: 300_000 }, () => {
  const tmp = tempDir('vss-homes-');
  let net: TwoHomes;
  const env: Record<Host, Record<string, string>> = {
    relay: { VSS_DATA_DIR: join(tmp.path, 'relay') },
    a: { VSS_DATA_DIR: join(tmp.path, 'laptop') },
    b: { VSS_DATA_DIR: join(tmp.path, 'desktop') },
    c: { VSS_DATA_DIR: join(tmp.path, 'nas') },
  };
  const children: ChildProcess[] = [];
  const { cli, ok, pairByInvite, nameDevicesAndStartRelay, stopAll } = homesCli(() => net, env);
  const status = async (host: Host) => json<Status>(await ok(host, ['daemon', 'status', '--json']));
  const devices = async (host: Host) => json<Device[]>(await ok(host, ['devices', 'list', '--json']));
  const photos = join(tmp.path, 'photos');
  const inbox = join(tmp.path, 'laptop-inbox');

  before(async () => {
    // Home B's router is a symmetric NAT (a new port for every connection): a relay does not care.
    net = makeTwoHomes('hm', 237, { symmetricB: true, fourth: true });
    mkdirSync(photos, { recursive: true });
    await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 200, g: 80, b: 40 } } }).jpeg().toFile(join(photos, 'sunset.jpg'));
    writeFileSync(join(photos, 'receipt.txt'), 'a scanned receipt');
    await nameDevicesAndStartRelay(join(tmp.path, 'a-libs'), RELAY_PORT);
    await ok('a', ['daemon', 'start']);
    await ok('b', ['daemon', 'start']);
    await ok('c', ['device', 'rename', 'NAS']);
    await ok('c', ['daemon', 'start']);
    // Thumbnails alone: the desktop's page draws the laptop's photo; its faces, OCR and fingerprint,
    // most of the laptop daemon's work (the face model loaded for one small picture), no check reads.
    await ok('a', ['location', 'add', photos, '--name', 'Photos', '--mode', 'deep', '--generate', 'thumb']);
  });

  after(async () => {
    for (const c of children) if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) process.kill(c.pid, 'SIGKILL');
    if (net) {
      await stopAll();
      net.remove();
    }
    tmp.cleanup();
  });

  const holdsSlot = async (host: 'a' | 'b') => {
    const relayId = (await status('relay')).peer_id;
    // An address through the box, at the box's public address only.
    const relayed = await until(`${host} holds a slot on the relay`, 20_000, async () => {
      const found = (await status(host)).listen.filter((a) => a.includes('/p2p-circuit'));
      return found.length > 0 ? found : undefined;
    });
    assert.deepEqual(relayed, [`/ip4/${net.addr.relay}/tcp/${RELAY_PORT}/p2p/${relayId}/p2p-circuit/p2p/${(await status(host)).peer_id}`]);
  };

  it('the laptop joins the relay box by its invite; the box, with no library, joins the laptop\'s', async () => {
    await pairByInvite('relay', 'a');
    const libs = json<Array<{ name: string; current: boolean }>>(await ok('relay', ['library', 'list', '--json']));
    assert.deepEqual(libs.map((l) => l.name), ['Home'], 'the box took part in the library the laptop brought');
    await holdsSlot('a');
  });

  it('the desktop, a stranger to the box, joins the laptop by invite from the other home, through the relay', async () => {
    const started = Date.now();
    await pairByInvite('a', 'b');
    console.log(`# paired across two NATs by invite in ${Date.now() - started} ms`);
    assert.ok((await devices('b')).some((d) => d.name === 'Laptop'), 'the desktop is paired with the laptop');
    // Paired with the laptop alone: the box, a member of the library it joined, is trusted as one.
    const box = await until('the desktop trusts the box as a member', 20_000, async () => (await devices('b')).find((d) => d.name === 'Home server'));
    assert.equal(box.via, 'library');
  });

  it('the desktop, never paired with the box, is served by it as a member of the library, and reaches the laptop through it', async () => {
    await holdsSlot('b');
    const laptop = await until('the laptop reached through the relay', 30_000, async () => (await devices('b')).find((d) => d.name === 'Laptop' && d.reached !== null));
    assert.equal(laptop.reached, 'relay');
    const desktop = await until('the desktop reached through the relay', 20_000, async () => (await devices('a')).find((d) => d.name === 'Desktop' && d.reached !== null));
    assert.equal(desktop.reached, 'relay');
    const box = (await devices('a')).find((d) => d.name === 'Home server')!;
    assert.equal(box.reached, 'direct', 'the box itself is reached at its public address');
  });

  it('a fourth device joins once, by the desktop\'s invite, and all four reach all: one pairing per device', async () => {
    // Only the device that made the library admits until it lets others: one command, no pairing.
    const desktopId = (await devices('a')).find((d) => d.name === 'Desktop')!.id;
    await ok('a', ['devices', 'rights', desktopId, 'admit,remove,relay']);
    await pairByInvite('b', 'c');
    const joinedAt = Date.now();
    const others: Record<Host, string[]> = { relay: ['Laptop', 'Desktop', 'NAS'], a: ['Home server', 'Desktop', 'NAS'], b: ['Home server', 'Laptop', 'NAS'], c: ['Home server', 'Laptop', 'Desktop'] };
    for (const host of ['relay', 'a', 'b', 'c'] as const) {
      await until(`${host} reaches the three others`, 30_000, async () => {
        const online = (await devices(host)).filter((d) => d.online).map((d) => d.name);
        return others[host].every((n) => online.includes(n)) ? true : undefined;
      }, 200);
    }
    console.log(`# four members, each joined once: all reach all ${Date.now() - joinedAt} ms after the last join`);
    const fromNas = await devices('c');
    assert.equal(fromNas.find((d) => d.name === 'Laptop')!.reached, 'relay', 'the laptop, in the other home, through the box');
    assert.equal(fromNas.find((d) => d.name === 'Desktop')!.via, 'pairing');
    assert.deepEqual(fromNas.filter((d) => d.via === 'library').map((d) => d.name).sort(), ['Home server', 'Laptop'], 'trusted as members, never paired');
  });

  it('the desktop lists, searches and copies the laptop\'s files, and sees its tags', async () => {
    const listed = await until('the laptop\'s photos listed on the desktop', 60_000, async () => {
      const r = await cli('b', ['ls', 'Laptop:/Photos', '--json']);
      const items = r.code === 0 ? json<LsItem[]>(r) : [];
      return items.length === 2 && items.every((i) => i.content_uuid) ? items : undefined;
    });
    assert.deepEqual(listed.map((i) => i.name).sort(), ['receipt.txt', 'sunset.jpg']);
    const found = await until('the receipt found on the desktop', 30_000, async () => {
      const r = json<Array<{ content_uuid: string; addresses?: string[] }>>(await ok('b', ['search', 'receipt', '--json']));
      return r.length > 0 ? r : undefined;
    });
    assert.deepEqual(found[0]!.addresses, ['Laptop:/Photos/receipt.txt']);
    const desk = join(tmp.path, 'desk');
    mkdirSync(desk);
    const got = json<{ path: string; from_device: string }>(await ok('b', ['content', 'get', 'Laptop:/Photos/sunset.jpg', '--to', desk, '--json']));
    assert.equal(got.from_device, 'Laptop');
    assert.deepEqual(readFileSync(got.path), readFileSync(join(photos, 'sunset.jpg')));

    const sunset = listed.find((i) => i.name === 'sunset.jpg')!.content_uuid!;
    await ok('a', ['tag', 'add', 'Dubrovnik', sunset]);
    await until('the laptop\'s tag found on the desktop', 30_000, async () => {
      const r = json<Array<{ content_uuid: string }>>(await ok('b', ['search', 'tag:Dubrovnik', '--json']));
      return r.some((x) => x.content_uuid === sunset) ? true : undefined;
    });
  });

  it('the web UI on the desktop shows the laptop\'s photo through the relay, how the laptop is reached, and an invite', { skip: UI_SKIP }, async () => {
    const ui = json<{ url: string; http: string }>(await ok('b', ['ui', '--json']));
    const launched = await launchBrowser({ netns: net.ns.b });
    try {
      const { page } = await newPage(launched.browser);
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      assert.equal((await page.goto(ui.url))?.status(), 200);
      // The laptop's photo, its thumbnail fetched from the laptop through the relay and drawn.
      const tile = page.getByRole('main', { name: 'Library' }).locator('a[aria-label^="sunset.jpg, on Laptop"]');
      await tile.waitFor({ timeout: 30_000 });
      await page.waitForFunction((img: any) => img.complete && img.naturalWidth > 0, await tile.locator('img').elementHandle(), { timeout: 60_000 });
      // The Devices page says how each device is reached.
      await page.goto(`${ui.http}/ui/#/devices`);
      const laptop = page.locator('li.device', { hasText: 'Laptop' });
      await laptop.waitFor();
      assert.match(await laptop.locator('.device-reach').innerText(), /^online · through your relay( · \d+ ms)?$/);
      assert.match(await page.locator('li.device', { hasText: 'Home server' }).locator('.device-reach').innerText(), /^online · direct/);
      // Pairing from here shows the invite, as text and as a QR code, carrying the address through the relay.
      await page.getByRole('button', { name: 'Start pairing' }).click();
      await page.getByText('From another network? Use the invite').click();
      const invite = await page.getByTestId('pairing-invite').inputValue();
      const body = JSON.parse(Buffer.from(invite.slice('vss-invite:'.length), 'base64url').toString()) as { a: string[] };
      assert.ok(body.a.some((a) => a.includes(`/ip4/${net.addr.relay}/tcp/${RELAY_PORT}/`) && a.includes('/p2p-circuit/')), invite);
      assert.equal(await page.locator('.invite-qr svg').count(), 1);
      await page.getByRole('button', { name: 'Cancel' }).click();
      assert.deepEqual(problems, []);
    } finally {
      await launched.close();
    }
  });

  it('the desktop sends the laptop a file through the relay', async () => {
    await ok('a', ['files', 'inbox', '--dir', inbox]);
    const papers = join(tmp.path, 'desktop-papers');
    mkdirSync(papers);
    writeFileSync(join(papers, 'note.txt'), 'from the other home');
    await ok('b', ['location', 'add', papers, '--name', 'Papers']);
    await ok('b', ['files', 'send', join(papers, 'note.txt'), '--to', 'Laptop', '--json']);
    assert.deepEqual(readdirSync(inbox).filter((n) => n !== '.vss-drop'), ['note.txt']);
    assert.equal(readFileSync(join(inbox, 'note.txt'), 'utf8'), 'from the other home');
  });

  it('a forged invite (the laptop\'s code and id, another device\'s address) fails closed', async () => {
    const starter = spawnInNs(net.ns.a, [VSS_BIN, 'pair', 'start', '--json'], env.a);
    children.push(starter);
    let out = '';
    starter.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await pairingCodeOf(starter, 30_000);
    const { invite } = JSON.parse(out.split('\n')[0]!) as { invite: string };
    const body = JSON.parse(Buffer.from(invite.slice('vss-invite:'.length), 'base64url').toString()) as { p: string; a: string[] };
    // The relay box's own address, claimed to be the laptop's: whoever answers there is not the laptop.
    body.a = [`/ip4/${net.addr.relay}/tcp/${RELAY_PORT}/p2p/${body.p}`];
    const forged = `vss-invite:${Buffer.from(JSON.stringify(body)).toString('base64url')}`;
    const before = (await devices('b')).length;
    const r = await cli('b', ['pair', 'join', forged]);
    starter.kill('SIGTERM');
    assert.equal(r.code === 0, false, 'the forged invite paired');
    assert.match(r.stderr, /no device accepted|could not talk|another device/i);
    assert.equal((await devices('b')).length, before, 'nothing paired');
  });

  it('a copy through the relay resumes after the relay box is killed and comes back', async () => {
    const big = join(photos, 'big.bin');
    writeFileSync(big, randomBytes(BIG_MIB * 1024 * 1024));
    await until('the big file listed on the desktop', 60_000, async () => {
      const r = await cli('b', ['ls', 'Laptop:/Photos', '--json']);
      return r.code === 0 && json<LsItem[]>(r).some((i) => i.name === 'big.bin' && i.content_uuid) ? true : undefined;
    });
    // The box's uplink slowed (4 MB/s), so the copy is still running when the box dies.
    execFileSync('ip', ['netns', 'exec', net.ns.relay, 'tc', 'qdisc', 'replace', 'dev', 'wan', 'root', 'tbf', 'rate', '32mbit', 'burst', '64kb', 'latency', '100ms']);
    const to = join(tmp.path, 'desk-big');
    mkdirSync(to);
    const copy = spawnInNs(net.ns.b, [VSS_BIN, 'content', 'get', 'Laptop:/Photos/big.bin', '--to', to, '--json'], env.b);
    children.push(copy);
    const copied = outputOf(copy);
    await until('part of the file copied', 60_000, async () => {
      const partial = readdirSync(to).find((n) => n.startsWith('.vss-partial-'));
      return partial && statSync(join(to, partial)).size > 4 * 1024 * 1024 ? true : undefined;
    }, 100);
    const relayPid = (await status('relay')).pid!;
    process.kill(relayPid, 'SIGKILL');
    const killedAt = Date.now();
    await sleep(2_000);
    // Started as after a reboot, with no flags: it relays, and listens where the devices behind their NATs remember it, as kept (D9).
    await ok('relay', ['daemon', 'start']);
    assert.equal(Number(/\/tcp\/(\d+)/.exec((await status('relay')).listen[0]!)![1]), RELAY_PORT);
    const done = await within('the copy ends after the relay is back', 180_000, copied);
    console.log(`# copy through a killed relay finished ${Date.now() - killedAt} ms after the kill`);
    assert.equal(done.code, 0, done.stderr);
    const got = JSON.parse(done.stdout) as { path: string; bytes_received: number };
    assert.ok(got.bytes_received < BIG_MIB * 1024 * 1024, `it resumed after the bytes already there (received ${got.bytes_received})`);
    assert.deepEqual(readFileSync(got.path), readFileSync(big));
    execFileSync('ip', ['netns', 'exec', net.ns.relay, 'tc', 'qdisc', 'del', 'dev', 'wan', 'root']);
  });

  it('a copy through a box restarted with --relay-rate 10M goes at that rate, in one try (issue 46, D7)', async () => {
    // The circuits made as the box comes back (the devices dial it back at once) are held to the rate too.
    await ok('relay', ['daemon', 'stop']);
    await ok('relay', ['daemon', 'start', '--relay', '--relay-rate', '10M', '--listen', `/ip4/0.0.0.0/tcp/${RELAY_PORT}`]);
    const file = join(photos, 'r30.bin');
    writeFileSync(file, randomBytes(RATED_MB * 1_000_000));
    await until('the 30 MB file listed on the desktop through the relay', 60_000, async () => {
      const r = await cli('b', ['ls', 'Laptop:/Photos', '--json']);
      return r.code === 0 && json<LsItem[]>(r).some((i) => i.name === 'r30.bin' && i.content_uuid) ? true : undefined;
    });
    // Listed is not reached: the rows may have come passed on by another member while the laptop
    // still dials the box back (a loaded machine); the copy is asked of the laptop once it is reached.
    await until('the laptop reached through the restarted relay', 60_000, async () => ((await devices('b')).find((d) => d.name === 'Laptop')?.reached ? true : undefined));
    const to = join(tmp.path, 'desk-rated');
    mkdirSync(to);
    const started = Date.now();
    const got = json<{ path: string; bytes_received: number; content_uuid: string }>(await ok('b', ['content', 'get', 'Laptop:/Photos/r30.bin', '--to', to, '--json']));
    const seconds = (Date.now() - started) / 1000;
    console.log(`# ${RATED_MB} MB through a relay held to 10 MB/s in ${seconds.toFixed(1)} s (${(RATED_MB / seconds).toFixed(1)} MB/s)`);
    assert.deepEqual(readFileSync(got.path), readFileSync(file));
    assert.equal(got.bytes_received, RATED_MB * 1_000_000, 'in one go, nothing resumed');
    const job = json<Array<{ attempts: number; content_uuid: string }>>(await ok('b', ['jobs', 'list', '--kind', 'content-get', '--json'])).find((j) => j.content_uuid === got.content_uuid);
    assert.equal(job?.attempts, 1, 'in one try');
    // Held to the rate (less its quarter second's burst); unpaced it took 1.35 s.
    assert.ok(seconds >= (RATED_MB - 2.5) / 10, `${RATED_MB} MB in ${seconds} s through a relay held to 10 MB/s`);
  });

  it('a laptop carried to the other home and back reconnects by whichever path works, without a restart', async () => {
    await until('the laptop reached through the relay again', 60_000, async () => ((await devices('b')).find((d) => d.name === 'Laptop')?.reached === 'relay' ? true : undefined));
    let moved = Date.now();
    net.moveLaptop('b');
    await until('the laptop reached directly from its new network', 30_000, async () => ((await devices('b')).find((d) => d.name === 'Laptop')?.reached === 'lan' ? true : undefined), 200);
    console.log(`# laptop moved next to the desktop: reached on the LAN after ${Date.now() - moved} ms`);
    moved = Date.now();
    net.moveLaptop('a');
    await until('the laptop reached through the relay from home', 30_000, async () => ((await devices('b')).find((d) => d.name === 'Laptop')?.reached === 'relay' ? true : undefined), 200);
    console.log(`# laptop back home: reached through the relay after ${Date.now() - moved} ms`);
    // And it works: a file added on the laptop now is listed on the desktop.
    writeFileSync(join(photos, 'after-the-trip.txt'), 'home again');
    await until('a new file listed across the relay', 30_000, async () => {
      const r = await cli('b', ['ls', 'Laptop:/Photos', '--json']);
      return r.code === 0 && json<LsItem[]>(r).some((i) => i.name === 'after-the-trip.txt') ? true : undefined;
    });
  });
});
