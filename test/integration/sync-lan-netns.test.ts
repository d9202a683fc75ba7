/**
 * Issue 18: two daemons on a LAN — two network namespaces joined by a veth pair (test/net/netns.ts),
 * each listening on its own address, port 0 — paired by mDNS alone:
 *  - after both daemons restart on new ports, each sees the other online again (mDNS finds it, it
 *    is dialled, its remembered addresses are refreshed), and the joiner fetches what the other made;
 *  - `sidecars get --timeout 180` during a 40 s link cut waits for the link and fetches, rather
 *    than giving up when its first try fails.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { json, pairingCodeOf, tempDir, until, VSS_BIN, type CliResult } from '../helpers.js';
import { deviceCli, makeNetnsPair, netnsSkipReason, spawnInNs, type NetnsPair } from '../net/netns.js';

interface Status { running: boolean; pid: number | null; peer_id: string | null; listen: string[] }
interface Device { id: string; online: boolean }
interface PeerStatus { entries: number }
interface Sidecar { content_uuid: string; kind: string; variant: string; status: string; source: string; checksum: string | null }

const ok = (r: CliResult, what: string): CliResult => {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r;
};

const photo = (path: string, i: number) =>
  sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 40 + 60 * i, g: 120, b: 200 - 50 * i } } }).jpeg().toFile(path);

describe('two daemons on a LAN (two network namespaces), paired by mDNS', { skip: netnsSkipReason(), timeout: 600_000 }, () => {
  const tmp = tempDir('vss-lan-');
  let net: NetnsPair;
  const env = { a: { VSS_DATA_DIR: join(tmp.path, 'a') }, b: { VSS_DATA_DIR: join(tmp.path, 'b') } };
  const photos = join(tmp.path, 'photos');
  const cli = (side: 'a' | 'b', args: string[]) => deviceCli(net.ns[side], args, env[side]);
  const children: ChildProcess[] = [];
  const start = async (side: 'a' | 'b'): Promise<void> => {
    ok(await cli(side, ['daemon', 'start', '--listen', `/ip4/${net.addr[side]}/tcp/0`]), `daemon start ${side}`);
  };
  const online = async (side: 'a' | 'b'): Promise<boolean> => json<Device[]>(await cli(side, ['devices', 'list', '--json']))[0]?.online === true;
  const thumbsOfA = async (): Promise<Sidecar[]> => json<Sidecar[]>(await cli('a', ['sidecars', 'list', '--json'])).filter((s) => s.kind === 'thumb' && s.status === 'ready');

  before(async () => {
    net = makeNetnsPair('ln', 232);
    mkdirSync(photos);
    for (let i = 0; i < 2; i++) await photo(join(photos, `p${i}.jpg`), i);
    // A: its library, its daemon, the photos indexed and their thumbnails made.
    ok(await cli('a', ['library', 'create', 'Photos', '--path', join(tmp.path, 'a-libs')]), 'library create');
    await start('a');
    ok(await cli('a', ['location', 'add', photos, '--mode', 'deep', '--generate', 'thumb=grid@1x']), 'location add on A');
    await until('A made its thumbnails', 60_000, async () => ((await thumbsOfA()).length === 2 ? true : undefined), 500);

    // B pairs with A, found by mDNS (no --peer).
    await start('b');
    const pairing = spawnInNs(net.ns.a, [VSS_BIN, 'pair', 'start', '--json'], env.a);
    children.push(pairing);
    const code = await pairingCodeOf(pairing);
    // Nothing prefetched in the background, and a fetch before making: what B has, it fetched on
    // request. Set before pairing: from then on B knows A's contents and would prefetch them.
    ok(await cli('b', ['sync', 'settings', '--eager', '', '--prefer', 'fetch']), 'sync settings on B');
    ok(await cli('b', ['pair', 'join', ...code, '--json']), 'pair join by mDNS');
    const copy = join(tmp.path, 'photos-b');
    cpSync(photos, copy, { recursive: true });
    ok(await cli('b', ['location', 'add', copy, '--mode', 'deep', '--generate', 'none']), 'location add on B');
    await until('A online for B after pairing', 30_000, async () => ((await online('b')) ? true : undefined));
  });

  after(async () => {
    for (const c of children) if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) process.kill(c.pid, 'SIGKILL');
    if (net) {
      net.link(true);
      for (const side of ['a', 'b'] as const) {
        await cli(side, ['daemon', 'stop']).catch(() => undefined);
        // Only the daemon this test started, by its pid, if the stop did not end it.
        const left = await cli(side, ['daemon', 'status', '--json']).then((r) => JSON.parse(r.stdout) as Status).catch(() => undefined);
        if (left?.running && left.pid !== null) process.kill(left.pid, 'SIGKILL');
      }
      net.remove();
    }
    tmp.cleanup();
  });

  it('after both restart on new ports, they find each other again by mDNS, and B fetches rather than makes', async () => {
    const made = await thumbsOfA();
    ok(await cli('a', ['daemon', 'stop']), 'daemon stop A');
    ok(await cli('b', ['daemon', 'stop']), 'daemon stop B');
    await sleep(500);
    await start('a');
    await start('b');
    const started = Date.now();
    // mDNS asks every 10 s: found, dialled and connected well within 30 s.
    await until('A online for B after both restarted', 30_000, async () => ((await online('b')) ? true : undefined));
    await until('B online for A after both restarted', 15_000, async () => ((await online('a')) ? true : undefined));
    const foundMs = Date.now() - started;
    const got = json<{ state: string }>(await cli('b', ['sidecars', 'get', made[0]!.content_uuid, 'thumb', 'grid@1x', '--timeout', '60', '--json']));
    assert.equal(got.state, 'fetched', JSON.stringify(got));
    const mine = json<Sidecar[]>(await cli('b', ['sidecars', 'list', '--json'])).find((s) => s.content_uuid === made[0]!.content_uuid && s.kind === 'thumb');
    assert.equal(mine?.checksum, made[0]!.checksum);
    console.log(`# found each other again ${foundMs} ms after both restarted`);
  });

  it('`sidecars get --timeout 180` during a 40 s link cut waits for the link and fetches', async () => {
    // A photo only A has: B cannot make its thumbnail, only fetch it.
    await photo(join(photos, 'p9.jpg'), 3);
    const locations = json<Array<{ id: number }>>(await cli('a', ['location', 'list', '--json']));
    ok(await cli('a', ['location', 'rescan', String(locations[0]!.id)]), 'rescan on A');
    await until('A made the new thumbnail', 60_000, async () => ((await thumbsOfA()).length === 3 ? true : undefined), 500);
    const onB = new Set(json<Array<{ content_uuid: string }>>(await cli('b', ['content', 'list', '--device', 'local', '--json'])).map((c) => c.content_uuid));
    const fresh = (await thumbsOfA()).find((t) => !onB.has(t.content_uuid))!;
    assert.ok(fresh, 'a content only A has');
    await until("A's new entry at B", 30_000, async () => ((json<PeerStatus[]>(await cli('b', ['sync', 'status', '--json']))[0]?.entries ?? 0) >= 3 ? true : undefined));

    net.link(false);
    const askedAt = Date.now();
    const get = cli('b', ['sidecars', 'get', fresh.content_uuid, 'thumb', 'grid@1x', '--timeout', '180', '--json']);
    await sleep(40_000);
    net.link(true);
    const answer = await get;
    const tookMs = Date.now() - askedAt;
    assert.equal(answer.code, 0, `after ${tookMs} ms: ${answer.stdout}${answer.stderr}`);
    const got = json<{ state: string }>(answer);
    assert.equal(got.state, 'fetched', JSON.stringify(got));
    assert.ok(tookMs >= 40_000 && tookMs < 180_000, `answered after the cut, within the time asked for (${tookMs} ms)`);
    console.log(`# fetched ${tookMs} ms after it was asked for, the link cut for the first 40 s`);
  });
});
