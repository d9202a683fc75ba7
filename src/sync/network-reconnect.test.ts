import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '@msgpack/msgpack';
import { pino } from 'pino';
import { loadOrCreateDevice, type Device } from '../device/identity.js';
import { VssError } from '../core/errors.js';
import { decodeFrame, readMessage } from './messages/channel.js';
import { MEMBER_RECORDS_MAX, PEER_RECORD_BYTES } from './messages/table.js';
import { peerIdOfPublicKey } from './net/device-key.js';
import { PeerNetwork } from './network.js';
import { PairedDevices } from './pairing/paired-devices.js';

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];
const log = pino({ level: 'silent' });

/** A device with its data dir and trust store; its network is started (and restarted) by the test. */
interface Dev {
  dir: string;
  device: Device;
  peerId: string;
  trust: PairedDevices;
  net?: PeerNetwork;
}

function makeDev(root: string, name: string): Dev {
  const dir = join(root, name);
  const device = loadOrCreateDevice(dir);
  return { dir, device, peerId: peerIdOfPublicKey(device.publicKey), trust: PairedDevices.load(dir) };
}

/** X pins Y, in LIBRARY, knowing it at ADDRS. */
function pin(x: Dev, y: Dev, library: string, addrs: string[] = []): void {
  x.trust.add({ device_uuid: y.device.uuid, name: y.device.name, public_key: y.device.publicKey, peer_id: y.peerId, paired_at: new Date().toISOString(), library_ids: [library], addrs, last_seen: null });
}

async function start(d: Dev): Promise<PeerNetwork> {
  const refuse = (): Promise<void> => Promise.reject(new Error('not served in this test'));
  d.net = new PeerNetwork({
    dataDir: d.dir, listen: LOOPBACK, log, trust: d.trust, strangersWelcome: () => false,
    handlers: { pair: refuse, availability: refuse, fetch: refuse, feed: refuse, original: refuse, removal: refuse }, onPairedConnect: () => undefined,
  });
  await d.net.ensure();
  return d.net;
}

async function waitFor(what: string, ms: number, ok: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const connected = (x: Dev, y: Dev): boolean => x.net?.connected().some((r) => r.peerId === y.peerId) ?? false;

/** X hangs up on Y, again while a dial either made a moment ago still lands (both dial when told where the other is). */
async function apart(x: Dev, y: Dev): Promise<void> {
  for (let i = 0; i < 10 && connected(x, y); i++) {
    await x.net!.hangUp(y.peerId);
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(!connected(x, y), 'still connected after hanging up');
}

describe('reconnecting: members pass on where the others listen', () => {
  const root = mkdtempSync(join(tmpdir(), 'vss-reconnect-'));
  const devs: Dev[] = [];
  after(async () => {
    await Promise.all(devs.map((d) => d.net?.stop()));
    rmSync(root, { recursive: true, force: true });
  });

  it('A and B, both on new ports and knowing only stale addresses of each other, find each other through C', async () => {
    const [a, b, c] = [makeDev(root, 'a'), makeDev(root, 'b'), makeDev(root, 'c')];
    devs.push(a, b, c);
    const library = randomUUID();
    await start(c);
    const cAddr = c.net!.addresses()[0]!;
    // Where A and B listened before their restart: nothing answers there now.
    const stale = (d: Dev) => [`/ip4/127.0.0.1/tcp/9/p2p/${d.peerId}`];
    pin(a, b, library, stale(b));
    pin(b, a, library, stale(a));
    pin(a, c, library, [cAddr]);
    pin(b, c, library, [cAddr]);
    pin(c, a, library);
    pin(c, b, library);

    await start(a);
    await waitFor('A reaches C at the address it remembers', 10_000, () => connected(a, c));
    const t0 = Date.now();
    await start(b);
    await waitFor('A and B connected through what C told them', 10_000, () => connected(a, b) && connected(b, a));
    const ms = Date.now() - t0;
    assert.ok(ms < 10_000, `${ms} ms`);
    // Each remembers the other's new address, first, for the next restart.
    const bNow = b.net!.addresses()[0]!;
    await waitFor("A remembers B's new address", 5_000, () => a.trust.byPeerId(b.peerId)!.addrs.includes(bNow));
    assert.ok(b.trust.byPeerId(a.peerId)?.addrs.includes(a.net!.addresses()[0]!));
  });

  it("takes only a member's own signed record, newer than the one held: a third device cannot forge or roll back another's addresses", async () => {
    const [a, b, c] = devs as [Dev, Dev, Dev];
    const nodeA = a.net!.running!;
    const nodeC = c.net!.running!;
    const recordOfB = (await nodeC.signedRecord(b.peerId))!;
    const recordOfC = (await nodeA.signedRecord(c.peerId))!;
    assert.ok(recordOfB && recordOfC, 'identify left each a signed record of the others');
    // C's own record passed off as B's: refused (not B's key).
    assert.equal(await nodeA.acceptRecord(b.peerId, recordOfC), undefined);
    // B's record with one byte changed: the signature fails.
    const tampered = Uint8Array.from(recordOfB);
    tampered[tampered.length - 70]! ^= 0xff;
    assert.equal(await nodeA.acceptRecord(b.peerId, tampered), undefined);
    // A record taken once is not taken again (a replay): only a newer one moves a device.
    await nodeA.acceptRecord(b.peerId, recordOfB);
    assert.equal(await nodeA.acceptRecord(b.peerId, recordOfB), undefined);
    assert.equal(await nodeA.acceptRecord('not a peer id', recordOfB), undefined);
    // A push is bounded at the decoder and by its row: records of at most 4 KiB, at most 64 of them.
    const push = (n: number, bytes: number) => encode({ t: 'records', records: Array.from({ length: n }, () => ({ peer_id: b.peerId, record: new Uint8Array(bytes) })) });
    assert.equal(readMessage('members', decodeFrame('members', push(MEMBER_RECORDS_MAX, PEER_RECORD_BYTES)), ['members.records']).body.records.length, MEMBER_RECORDS_MAX);
    assert.throws(() => decodeFrame('members', push(MEMBER_RECORDS_MAX + 1, 16)), /does not decode/);
    assert.throws(() => decodeFrame('members', push(1, PEER_RECORD_BYTES + 1)), /does not decode/);
  });

  it('devices connect: a paired device at an address given by hand is connected and remembered; anything else is a clear error', async () => {
    const [a, b, c] = devs as [Dev, Dev, Dev];
    const bAddr = b.net!.addresses()[0]!;
    await apart(a, b);
    const got = await a.net!.connectTo(bAddr);
    assert.equal(got.device.device_uuid, b.device.uuid);
    assert.equal(got.addr, bAddr);
    assert.equal(a.trust.byPeerId(b.peerId)!.addrs[0], bAddr, 'the address given comes first');
    // Without /p2p/: the key found there decides.
    await apart(a, b);
    const bare = bAddr.slice(0, bAddr.indexOf('/p2p/'));
    assert.equal((await a.net!.connectTo(bare)).addr, bAddr);

    const code = (err: unknown): string => (err instanceof VssError ? `${err.code}: ${err.message}` : String(err));
    const stranger = makeDev(root, 'stranger');
    devs.push(stranger);
    const strangerAddr = (await start(stranger)).addresses()[0]!;
    await assert.rejects(a.net!.connectTo(strangerAddr), (err) => /^PEER: .*not paired/.test(code(err)));
    await assert.rejects(a.net!.connectTo(strangerAddr.slice(0, strangerAddr.indexOf('/p2p/'))), (err) => /^PEER: .*not paired/.test(code(err)));
    // Paired here, but it forgot this device (unpaired it): it answers, then hangs up.
    const forgetful = makeDev(root, 'forgetful');
    devs.push(forgetful);
    pin(a, forgetful, randomUUID());
    const forgetfulAddr = (await start(forgetful)).addresses()[0]!;
    await assert.rejects(a.net!.connectTo(forgetfulAddr), (err) => /^PEER: .*does not let this device in/.test(code(err)));
    await assert.rejects(a.net!.connectTo('/ip4/127.0.0.1/tcp/9'), (err) => /^UNAVAILABLE: no device answered/.test(code(err)));
    await assert.rejects(a.net!.connectTo('not an address'), (err) => /^USAGE: not a multiaddr/.test(code(err)));
    await assert.rejects(a.net!.connectTo('/ip4/127.0.0.1/udp/9'), (err) => /^USAGE: .*TCP/.test(code(err)));
    await assert.rejects(a.net!.connectTo(a.net!.addresses()[0]!), (err) => /^USAGE: .*own address/.test(code(err)));
    // C's port, named as B's: another device answers there.
    await apart(a, b);
    const cAsB = `${c.net!.addresses()[0]!.split('/p2p/')[0]!}/p2p/${b.peerId}`;
    await assert.rejects(a.net!.connectTo(cAsB), (err) => /^PEER: another device/.test(code(err)));
  });
});
