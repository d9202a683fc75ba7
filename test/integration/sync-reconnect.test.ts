import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';

interface Status { listen: string[] }
interface Device { id: string; name: string; online: boolean }
interface Sidecar { content_uuid: string; status: string; source: string }
type Resolved = { state: 'local' | 'generated'; path: string } | { state: 'fetched'; path: string; from: string } | { state: 'unavailable'; reason: string };

/** Loopback only: the daemons do not look for each other by mDNS. */
const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];
/** How long two restarted devices may take to find each other through a third (it tells them as soon as each reaches it). */
const FIND_WITHIN_MS = 20_000;

type Env = Record<string, string>;
const listenOf = async (e: Env): Promise<string> => json<Status>(await runCli(['daemon', 'status', '--json'], e)).listen[0]!;
const portOf = (addr: string): string => /\/tcp\/(\d+)\//.exec(addr)![1]!;
/** The paired devices E's data dir remembers, with their addresses. */
const trustOf = (e: Env): Array<{ device_uuid: string; addrs: string[] }> =>
  (JSON.parse(readFileSync(join(e.VSS_DATA_DIR!, 'paired-devices.json'), 'utf8')) as { devices: Array<{ device_uuid: string; addrs: string[] }> }).devices;
const idOf = async (e: Env): Promise<string> => json<{ id: string }>(await runCli(['device', 'info', '--json'], e)).id;

/**
 * Stop both daemons, then start both again (new ports): had one come back while the other still
 * ran, it would have reached that one at its old address, which then learns the new one.
 */
async function restartBoth(x: Env, y: Env): Promise<[string, string]> {
  for (const e of [x, y]) assert.equal((await runCli(['daemon', 'stop'], e)).code, 0);
  for (const e of [x, y]) {
    const started = await runCli(['daemon', 'start', ...LOOPBACK], e);
    assert.equal(started.code, 0, started.stderr);
  }
  return [await listenOf(x), await listenOf(y)];
}

/** Whether THIS's daemon shows device ID online. */
async function sees(self: Env, id: string): Promise<boolean> {
  return json<Device[]>(await runCli(['devices', 'list', '--json'], self)).some((d) => d.id === id && d.online);
}

describe('reconnecting: restarted devices find each other through a third, or by an address given by hand', () => {
  const tmp = tempDir('vss-reconnect-');
  const env = (n: string): Env => ({ VSS_DATA_DIR: join(tmp.path, n) });
  const [A, B, C, D, E, F] = [env('a'), env('b'), env('c'), env('d'), env('e'), env('f')];
  after(async () => {
    await Promise.all([A, B, C, D, E, F].map((e) => runCli(['daemon', 'stop'], e)));
    tmp.cleanup();
  });

  it('A and B restart on new ports with mDNS off: they find each other through C, and B fetches a thumbnail from A', { skip: FIXTURES_SKIP }, async (t) => {
    const photos = join(tmp.path, 'photos');
    mkdirSync(photos);
    copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), join(photos, 'canon.jpg'));
    assert.equal((await runCli(['library', 'create', 'Shared', '--path', join(tmp.path, 'a-libs')], A)).code, 0);
    for (const e of [A, B, C]) assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], e)).code, 0);
    // B fetches only what it is asked for, and always from a peer first: what it gets after the restart came from A.
    assert.equal((await runCli(['sync', 'settings', '--eager', '', '--prefer', 'fetch'], B)).code, 0);
    // C only passes addresses on: it prefetches nothing of A's (else B could fetch from C).
    assert.equal((await runCli(['sync', 'settings', '--eager', ''], C)).code, 0);
    assert.equal((await runCli(['location', 'add', photos, '--mode', 'deep', '--generate', 'thumb=grid@1x'], A)).code, 0);
    assert.equal((await runCli(['jobs', 'run', '--until-idle'], A)).code, 0);
    const [thumb] = json<Sidecar[]>(await runCli(['sidecars', 'list', '--kind', 'thumb', '--json'], A));
    assert.equal(thumb?.status, 'ready');

    // One library on three devices, each paired with the other two.
    await pairDaemons(A, B);
    await pairDaemons(A, C);
    await pairDaemons(B, C);
    assert.equal((await runCli(['location', 'add', photos, '--mode', 'content'], B)).code, 0);
    const [idA, idB] = [await idOf(A), await idOf(B)];
    await until("B knows what A has", 30_000, async () => {
      const status = json<Array<{ device_id: string; entries: number }>>(await runCli(['sync', 'status', '--json'], B));
      return (status.find((s) => s.device_id === idA)?.entries ?? 0) >= 1 ? true : undefined;
    });

    // Both restart, each on a port the other never heard of; C stays where it was.
    const [oldA, oldB] = [await listenOf(A), await listenOf(B)];
    const [newA, newB] = await restartBoth(A, B);
    assert.notEqual(portOf(newA), portOf(oldA));
    assert.notEqual(portOf(newB), portOf(oldB));
    const t0 = Date.now();
    await until('A and B find each other through C', FIND_WITHIN_MS, async () => ((await sees(B, idA)) && (await sees(A, idB)) ? true : undefined), 250);
    const foundMs = Date.now() - t0;
    // Each remembers where the other is now, for the next time.
    assert.ok(trustOf(B).find((d) => d.device_uuid === idA)!.addrs.includes(newA), `B remembers ${newA}`);

    const got = json<Resolved>(await runCli(['sidecars', 'get', thumb!.content_uuid, 'thumb', 'grid@1x', '--json'], B));
    assert.equal(got.state, 'fetched', JSON.stringify(got));
    assert.equal((got as { from: string }).from, idA);
    t.diagnostic(`found each other through C ${foundMs} ms after both restarted`);
  });

  it('devices connect: reaches a paired device by its address where nothing else finds it, and refuses anything else clearly', async () => {
    assert.equal((await runCli(['library', 'create', 'Pair', '--path', join(tmp.path, 'd-libs')], D)).code, 0);
    for (const e of [D, E, F]) assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], e)).code, 0);
    await pairDaemons(D, E);
    const idE = await idOf(E);
    // Both restart on new ports: neither knows where the other is now, and no one tells them.
    const [, newE] = await restartBoth(D, E);
    assert.equal(await sees(D, idE), false);

    const connected = await runCli(['devices', 'connect', newE, '--json'], D);
    assert.equal(connected.code, 0, connected.stderr);
    const got = JSON.parse(connected.stdout) as { device_id: string; name: string; addr: string };
    assert.deepEqual(Object.keys(got).sort(), ['addr', 'device_id', 'name']);
    assert.equal(got.device_id, idE);
    assert.equal(got.addr, newE);
    assert.equal(await sees(D, idE), true);
    await until('E sees D too', 10_000, async () => ((await sees(E, await idOf(D))) ? true : undefined));
    assert.equal(trustOf(D).find((d) => d.device_uuid === idE)!.addrs[0], newE, 'the address given is remembered first');
    // The human line, once more (connected already: the same answer).
    const human = await runCli(['devices', 'connect', newE], D);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`^Connected to .+ \\(${idE}\\) at ${newE.replace(/\//g, '\\/')}`));

    // F runs, but was never paired with D.
    const stranger = await runCli(['devices', 'connect', await listenOf(F)], D);
    assert.equal(stranger.code, 1);
    assert.match(stranger.stderr, /not paired with this one/);
    const strangerBare = await runCli(['devices', 'connect', (await listenOf(F)).split('/p2p/')[0]!], D);
    assert.equal(strangerBare.code, 1);
    assert.match(strangerBare.stderr, /not paired with this one/);
    const lonely = await runCli(['devices', 'connect', newE], F);
    assert.equal(lonely.code, 1);
    assert.match(lonely.stderr, /no device is paired with this one/);
    const nobody = await runCli(['devices', 'connect', '/ip4/127.0.0.1/tcp/9'], D);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /no device answered at \/ip4\/127\.0\.0\.1\/tcp\/9/);
    const garbage = await runCli(['devices', 'connect', 'hello'], D);
    assert.equal(garbage.code, 2);
    assert.match(garbage.stderr, /not a multiaddr: hello/);
  });
});
