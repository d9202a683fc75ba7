/**
 * Issue 29's "done when": two devices in two homes behind NAT, with no route between them, pair by
 * invite and use one library through a relay the user runs (a third device of the library on a
 * public address) — real daemons in network namespaces (test/net/two-homes.ts), driven through
 * the real CLI:
 *  - the relay box, with no library of its own, shows a code; each device joins it by invite, and
 *    the box joins the library the first one brings;
 *  - the laptop's invite carries its address through the relay; the desktop joins it from the other home;
 *  - the desktop lists, searches and copies the laptop's files, sees its tags, and sends it a
 *    file; `devices list` says each is reached through the relay.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { json, pairingCodeOf, tempDir, until, within, VSS_BIN, type CliResult } from '../helpers.js';
import { cliInNs, spawnInNs } from '../net/netns.js';
import { makeTwoHomes, twoHomesSkipReason, type Host, type TwoHomes } from '../net/two-homes.js';

interface Status { running: boolean; pid: number | null; peer_id: string; listen: string[] }
interface Device { id: string; name: string; online: boolean; reached: string | null; rtt_ms: number | null }
interface LsItem { name: string; content_uuid: string | null; device: string; online: boolean }

const RELAY_PORT = 4001;

describe('two homes behind NAT, one library through a relay the user runs', { skip: twoHomesSkipReason(), timeout: 300_000 }, () => {
  const tmp = tempDir('vss-homes-');
  let net: TwoHomes;
  const env: Record<Host, Record<string, string>> = {
    relay: { VSS_DATA_DIR: join(tmp.path, 'relay') },
    a: { VSS_DATA_DIR: join(tmp.path, 'laptop') },
    b: { VSS_DATA_DIR: join(tmp.path, 'desktop') },
  };
  const children: ChildProcess[] = [];
  const cli = (host: Host, args: string[]): Promise<CliResult> => cliInNs(net.ns[host], args, env[host]);
  const ok = async (host: Host, args: string[]): Promise<CliResult> => {
    const r = await cli(host, args);
    assert.equal(r.code, 0, `${host}: vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const status = async (host: Host) => json<Status>(await ok(host, ['daemon', 'status', '--json']));
  const devices = async (host: Host) => json<Device[]>(await ok(host, ['devices', 'list', '--json']));
  const photos = join(tmp.path, 'photos');
  const inbox = join(tmp.path, 'laptop-inbox');

  /** HOST shows a code (`pair start --json`); JOINER joins it by the invite alone. */
  async function pairByInvite(host: Host, joiner: Host): Promise<void> {
    const starter = spawnInNs(net.ns[host], [VSS_BIN, 'pair', 'start', '--json'], env[host]);
    children.push(starter);
    const exited = new Promise<number | null>((r) => starter.on('exit', (c) => r(c)));
    let first = '';
    starter.stdout!.on('data', (d: Buffer) => (first += d.toString()));
    await pairingCodeOf(starter, 30_000);
    const { invite } = JSON.parse(first.split('\n')[0]!) as { invite: string };
    assert.match(invite, /^vss-invite:/);
    await ok(joiner, ['pair', 'join', invite, '--json']);
    assert.equal(await within('pair start ends once paired', 30_000, exited), 0);
  }

  before(async () => {
    net = makeTwoHomes('hm', 237);
    mkdirSync(photos, { recursive: true });
    await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 200, g: 80, b: 40 } } }).jpeg().toFile(join(photos, 'sunset.jpg'));
    writeFileSync(join(photos, 'receipt.txt'), 'a scanned receipt');
    await ok('relay', ['device', 'rename', 'Home server']);
    await ok('a', ['device', 'rename', 'Laptop']);
    await ok('b', ['device', 'rename', 'Desktop']);
    await ok('a', ['library', 'create', 'Home', '--path', join(tmp.path, 'a-libs')]);
    await ok('relay', ['daemon', 'start', '--relay', '--listen', `/ip4/0.0.0.0/tcp/${RELAY_PORT}`]);
    await ok('a', ['daemon', 'start']);
    await ok('b', ['daemon', 'start']);
    await ok('a', ['location', 'add', photos, '--name', 'Photos', '--mode', 'content']);
  });

  after(async () => {
    for (const c of children) if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) process.kill(c.pid, 'SIGKILL');
    if (net) {
      for (const host of ['relay', 'a', 'b'] as const) {
        await cli(host, ['daemon', 'stop']).catch(() => undefined);
        // Only the daemon this test started, by its pid, if the stop did not end it.
        const left = await cli(host, ['daemon', 'status', '--json']).then((r) => JSON.parse(r.stdout) as Status).catch(() => undefined);
        if (left?.running && left.pid !== null) process.kill(left.pid, 'SIGKILL');
      }
      net.remove();
    }
    tmp.cleanup();
  });

  it('each device joins the relay box by its invite; the box, with no library, joins the laptop\'s', async () => {
    await pairByInvite('relay', 'a');
    const libs = json<Array<{ name: string; current: boolean }>>(await ok('relay', ['library', 'list', '--json']));
    assert.deepEqual(libs.map((l) => l.name), ['Home'], 'the box took part in the library the laptop brought');
    await pairByInvite('relay', 'b');
    const relayId = (await status('relay')).peer_id;
    // Each device holds a slot on the box: an address through it, at the box's public address only.
    for (const host of ['a', 'b'] as const) {
      const relayed = await until(`${host} holds a slot on the relay`, 20_000, async () => {
        const found = (await status(host)).listen.filter((a) => a.includes('/p2p-circuit'));
        return found.length > 0 ? found : undefined;
      });
      assert.deepEqual(relayed, [`/ip4/${net.addr.relay}/tcp/${RELAY_PORT}/p2p/${relayId}/p2p-circuit/p2p/${(await status(host)).peer_id}`]);
    }
  });

  it('the desktop joins the laptop by invite from the other home, through the relay', async () => {
    const started = Date.now();
    await pairByInvite('a', 'b');
    console.log(`# paired across two NATs by invite in ${Date.now() - started} ms`);
    const laptop = await until('the laptop reached through the relay', 20_000, async () => (await devices('b')).find((d) => d.name === 'Laptop' && d.reached !== null));
    assert.equal(laptop.reached, 'relay');
    const desktop = (await devices('a')).find((d) => d.name === 'Desktop')!;
    assert.equal(desktop.reached, 'relay');
    const box = (await devices('a')).find((d) => d.name === 'Home server')!;
    assert.equal(box.reached, 'direct', 'the box itself is reached at its public address');
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
});
