import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '@msgpack/msgpack';
import { lpStream } from '@libp2p/utils';
import { loadOrCreateDevice } from '../../device/identity.js';
import { devicePeerKey, rawPublicKey } from '../net/device-key.js';
import { MessageChannel } from '../net/message-channel.js';
import { PeerNode } from '../net/peer-node.js';
import { newPairingCode, parsePairingCode } from './code.js';
import { pairingDialer } from './dial.js';
import { PairingHost } from './host.js';
import { HungUp, joinPairing } from './join.js';
import { PairRefusal, checkPairMessage, pairMessage } from './messages.js';
import { PairedDevices } from './paired-devices.js';
import { proofMac, rawKeyOfPeerId, signJoiner, type Transcript } from './proofs.js';
import { admissionBody, signMemberBody } from '../../tags/member-record.js';
import type { LocalDeviceInfo } from './types.js';

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];
const LIBRARY = { id: '6f1c2a8e-51f0-4d7e-9c4b-0a3e5f7d9b21', name: 'Photos' };

/** A device as the daemon has it: a data dir with device.json and device.key, its trust store, and a PeerNode. */
interface Dev {
  dir: string;
  local: LocalDeviceInfo;
  store: PairedDevices;
  node: PeerNode;
  host: PairingHost;
  joining: boolean;
}

/**
 * OPTS.relayFor: the device relays for the devices paired with it, and carries a stranger to those
 * of them the set names (a device whose code is open asks its relay to: `relayWindow`).
 */
async function device(name: string, opts: { hostOpts?: ConstructorParameters<typeof PairingHost>[0]; keyFrom?: Dev; serve?: boolean; relayFor?: Set<string> } = {}): Promise<Dev> {
  const dir = mkdtempSync(join(tmpdir(), 'vss-pair-'));
  const d = loadOrCreateDevice(dir);
  const store = PairedDevices.load(dir);
  const dev = {
    dir,
    local: { deviceUuid: d.uuid, name, publicKeyPem: d.publicKey, privateKey: createPrivateKey(readFileSync(join(dir, 'device.key'), 'utf8')) },
    store,
    joining: false,
  } as unknown as Dev;
  dev.host = new PairingHost({ store, stepTimeoutMs: 5000, ...opts.hostOpts });
  // The gater of §9: paired keys, plus anyone while a code is open or while this device joins.
  const known = (p: string): boolean => store.byPeerId(p) !== undefined;
  dev.node = await PeerNode.start({
    privateKey: await devicePeerKey(opts.keyFrom?.dir ?? dir),
    listen: LOOPBACK,
    admit: (p) => known(p) || dev.host.isOpen() || dev.joining || (opts.relayFor?.size ?? 0) > 0,
    isPaired: known,
    ...(opts.relayFor ? { relay: { maxReservations: 4 }, strangersThrough: { to: (d: string) => opts.relayFor!.has(d), any: () => opts.relayFor!.size > 0 } } : {}),
  });
  if (opts.serve !== false) await dev.node.handle('pair', (stream, remote) => dev.host.handleStream(stream, remote));
  return dev;
}

async function stopAll(...devs: Dev[]): Promise<void> {
  for (const d of devs) d.host.cancel();
  await Promise.all(devs.map((d) => d.node.stop()));
  for (const d of devs) rmSync(d.dir, { recursive: true, force: true });
}

async function joinAs(dev: Dev, code: string[] | string, candidates: string[] | AsyncIterable<string>, local = dev.local) {
  dev.joining = true;
  try {
    return await joinPairing({ code, local, candidates, open: pairingDialer(dev.node), store: dev.store, timeoutMs: 20_000, stepTimeoutMs: 5000 });
  } finally {
    dev.joining = false;
  }
}

async function until(ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

/** What a joiner whose code is closed there is told (D11 of the faults of 2026-11-25). */
const HUNG_UP = /the device hung up: its pairing code is no longer open \(used, expired or cancelled\); ask for a new one/;

/** A joiner that names the code's session but proves with a wrong key: a failed proof, which counts. */
async function wrongProof(b: Dev, a: Dev, words: string[]): Promise<unknown> {
  const code = parsePairingCode(words);
  b.joining = true;
  const ch = new MessageChannel(await b.node.open(a.node.addresses()[0]!, 'pair'), 16 * 1024);
  try {
    await ch.send(pairMessage('hello', { v: 1, session_id: code.sessionId, nonce_j: new Uint8Array(randomBytes(32)) }));
    checkPairMessage(await ch.receive(AbortSignal.timeout(5000)), 'challenge');
    await ch.send(pairMessage('proof', { mac_j: new Uint8Array(randomBytes(32)), sig: new Uint8Array(randomBytes(64)) }));
    return checkPairMessage(await ch.receive(AbortSignal.timeout(5000)), 'host_device');
  } finally {
    b.joining = false;
    await ch.close();
  }
}

/** A valid code that is not `words`: what a person gets by copying another code. */
function otherWords(words: string[]): string[] {
  const other = newPairingCode().words;
  assert.notDeepEqual(other, words);
  return other;
}

test('the right code pairs both ways with the identities the connection proved', async () => {
  const [a, b] = [await device('laptop'), await device('desktop')];
  try {
    const open = a.host.open(a.local, LIBRARY);
    assert.equal(open.words.length, 12);
    assert.ok(Date.parse(open.expiresAt) > Date.now() + 4 * 60_000);
    assert.throws(() => a.host.open(a.local, LIBRARY), /already open/);
    const joined = await joinAs(b, open.words.join(' '), [a.node.addresses()[0]!.replace(/\/p2p\/.*$/, '')]); // --peer without /p2p/ works too
    const { device: atHost, library: sharedAtHost } = await open.done;
    assert.deepEqual(sharedAtHost, LIBRARY);

    assert.equal(joined.library.id, LIBRARY.id);
    assert.equal(joined.library.name, 'Photos');
    assert.equal(joined.device.device_uuid, a.local.deviceUuid);
    assert.equal(joined.device.peer_id, a.node.peerId);
    assert.deepEqual(rawPublicKey(joined.device.public_key), rawPublicKey(a.local.publicKeyPem));
    assert.deepEqual(joined.device.library_ids, [LIBRARY.id]);
    assert.deepEqual(joined.device.addrs, [a.node.addresses()[0]]); // remembered with the peer id the connection proved

    assert.equal(atHost.device_uuid, b.local.deviceUuid);
    assert.equal(atHost.name, 'desktop');
    assert.equal(atHost.peer_id, b.node.peerId);
    assert.deepEqual(rawPublicKey(atHost.public_key), rawPublicKey(b.local.publicKeyPem));

    // Both trust stores hold the other, on disk, owner-only.
    assert.equal(PairedDevices.load(a.dir).byPeerId(b.node.peerId)?.device_uuid, b.local.deviceUuid);
    assert.equal(PairedDevices.load(b.dir).get(a.local.deviceUuid)?.peer_id, a.node.peerId);
    assert.equal(statSync(join(a.dir, 'paired-devices.json')).mode & 0o777, 0o600);
    assert.equal(a.host.isOpen(), false);
    assert.equal(a.host.status()?.state, 'used');
  } finally {
    await stopAll(a, b);
  }
});

test('a wrong code fails cleanly on both sides and does not count (it names another session); the right one still works', async () => {
  const [a, b] = [await device('laptop'), await device('desktop')];
  try {
    const open = a.host.open(a.local, LIBRARY);
    await assert.rejects(joinAs(b, otherWords(open.words), [a.node.addresses()[0]!]), (err: Error) => {
      assert.match(err.message, /no device accepted this pairing code/);
      return true;
    });
    assert.deepEqual(a.host.status(), { state: 'open', failures: 0, expiresAt: open.expiresAt });
    assert.equal(b.store.list().length, 0);
    assert.equal(a.store.list().length, 0);
    const joined = await joinAs(b, open.words, [a.node.addresses()[0]!]);
    assert.equal(joined.device.device_uuid, a.local.deviceUuid);
    assert.equal((await open.done).device.device_uuid, b.local.deviceUuid);
  } finally {
    await stopAll(a, b);
  }
});

test('three failed proofs of the code\'s own session burn it: even the right code then fails, told so', async () => {
  const [a, b] = [await device('laptop'), await device('desktop')];
  try {
    const open = a.host.open(a.local, LIBRARY);
    for (let i = 0; i < 3; i++) await assert.rejects(wrongProof(b, a, open.words), /proof of the pairing code did not verify/);
    await assert.rejects(open.done, /burned after 3 failed attempts/);
    assert.equal(a.host.isOpen(), false);
    assert.equal(a.host.status()?.state, 'burned');
    // b's connection is still open, so the host can say what became of the code.
    await assert.rejects(joinAs(b, open.words, [a.node.addresses()[0]!]), /pairing refused: the pairing code was burned after 3 failed attempts/);
    assert.equal(a.store.list().length + b.store.list().length, 0);
  } finally {
    await stopAll(a, b);
  }
});

test('hellos naming no open session (a stranger who does not know the code) never burn it, and a peer that keeps sending them is turned away unheard', async () => {
  const [a, stranger, b] = [await device('laptop'), await device('stranger'), await device('desktop')];
  try {
    const open = a.host.open(a.local, LIBRARY);
    stranger.joining = true;
    const answers: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      const ch = new MessageChannel(await stranger.node.open(a.node.addresses()[0]!, 'pair'), 16 * 1024);
      await ch.send(pairMessage('hello', { v: 1, session_id: new Uint8Array(randomBytes(16)), nonce_j: new Uint8Array(randomBytes(32)) }));
      answers.push(await ch.receive(AbortSignal.timeout(5000)));
      await ch.close();
    }
    assert.deepEqual(answers.slice(0, 8).map((m) => (m as { code: string }).code), Array(8).fill('no_session'));
    assert.deepEqual(answers.slice(8).map((m) => (m as { message: string }).message), Array(2).fill('too many refused pairing attempts from this device: wait a minute'));
    assert.deepEqual({ state: a.host.status()?.state, failures: a.host.status()?.failures }, { state: 'open', failures: 0 });
    // The real joiner is not held up by the stranger's refusals.
    const joined = await joinAs(b, open.words, [a.node.addresses()[0]!]);
    assert.equal(joined.device.device_uuid, a.local.deviceUuid);
  } finally {
    await stopAll(a, stranger, b);
  }
});

test('a joiner whose own connection is cut as the pairing stream opens (its network changed) tries once more, and pairs', async () => {
  const [a, b] = [await device('laptop-cut'), await device('desktop-cut')];
  try {
    const open = a.host.open(a.local, LIBRARY);
    const dial = pairingDialer(b.node);
    let cut = 0;
    b.joining = true;
    const joined = await joinPairing({
      code: open.words, local: b.local, candidates: [a.node.addresses()[0]!], store: b.store, timeoutMs: 20_000, stepTimeoutMs: 5000,
      // The first open ends as a hang-up would read (the connection closed before the challenge).
      open: (target, signal) => (cut++ === 0 ? Promise.reject(new HungUp(a.node.peerId, new Error('connection closed: network changed'))) : dial(target, signal)),
    }).finally(() => { b.joining = false; });
    assert.equal(cut, 2, 'the same device dialled once more');
    assert.equal(joined.device.device_uuid, a.local.deviceUuid);
    assert.equal((await open.done).device.device_uuid, b.local.deviceUuid);
  } finally {
    await stopAll(a, b);
  }
});

test('a late joiner of a closed code hears what happened to it', async () => {
  // A host whose gater stays open (a second code is open) answers the fate of the first.
  const [a, b, c] = [await device('laptop'), await device('desktop'), await device('phone')];
  try {
    const first = a.host.open(a.local, LIBRARY, { ttlMs: 400 });
    await assert.rejects(first.done, /expired/);
    assert.equal(a.host.isOpen(), false);
    const second = a.host.open(a.local, LIBRARY);
    await assert.rejects(joinAs(b, first.words, [a.node.addresses()[0]!]), /pairing refused: the pairing code expired/);
    await joinAs(b, second.words, [a.node.addresses()[0]!]);
    await second.done;
    const third = a.host.open(a.local, LIBRARY);
    await assert.rejects(joinAs(c, second.words, [a.node.addresses()[0]!]), /pairing refused: the pairing code was already used/);
    // The third code is still open and untouched by the late joiner.
    assert.deepEqual({ open: a.host.isOpen(), failures: a.host.status()?.failures, expiresAt: a.host.status()?.expiresAt }, { open: true, failures: 0, expiresAt: third.expiresAt });
  } finally {
    await stopAll(a, b, c);
  }
});

test('an expired code is refused (clock injected)', async () => {
  let now = Date.now();
  const a = await device('laptop', { hostOpts: { now: () => now } });
  const b = await device('desktop');
  try {
    const open = a.host.open(a.local, LIBRARY);
    now += 5 * 60_000 + 1;
    assert.equal(a.host.isOpen(), false);
    await assert.rejects(open.done, /expired/);
    await assert.rejects(joinAs(b, open.words, [a.node.addresses()[0]!]), HUNG_UP);
    assert.equal(b.store.list().length, 0);
  } finally {
    await stopAll(a, b);
  }
});

test('a code expires even when its timer fires before the clock reaches the end', async () => {
  // Timers and the wall clock drift apart by a millisecond or so: a first look that comes early must not leave the code open for ever.
  let now = 0;
  const host = new PairingHost({ now: () => now });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const open = host.open({ deviceUuid: '0b7a4d8e-2c1f-4e6a-9d3b-5f8c7e1a2b4d', name: 'laptop', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey }, LIBRARY, { ttlMs: 30 });
  await new Promise((r) => setTimeout(r, 60)); // the first timer has fired: the clock says 0, not yet 30
  assert.equal(host.isOpen(), true);
  now = 31;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    open.done.then(() => 'paired', (e: Error) => e.message),
    new Promise((r) => { timer = setTimeout(() => r('still open after 2 s'), 2000); }),
  ]);
  clearTimeout(timer);
  assert.match(String(outcome), /expired/);
});

test('a used code: a second joiner with the same words fails', async () => {
  const [a, b, c] = [await device('laptop'), await device('desktop'), await device('phone')];
  try {
    const open = a.host.open(a.local, LIBRARY);
    await joinAs(b, open.words, [a.node.addresses()[0]!]);
    await open.done;
    // No code open there now: it hangs up on c, and c is told why, not "could not talk to it".
    await assert.rejects(joinAs(c, open.words, [a.node.addresses()[0]!, a.node.addresses()[0]!.replace(/\/p2p\/.*$/, '')]), HUNG_UP);
    assert.equal(c.store.list().length, 0);
    assert.deepEqual(a.store.list().map((d) => d.device_uuid), [b.local.deviceUuid]);
  } finally {
    await stopAll(a, b, c);
  }
});

test('a device with no code open is skipped, not taken for a wrong code', async () => {
  const [a, idle, b] = [await device('laptop'), await device('idle'), await device('desktop')];
  try {
    const open = a.host.open(a.local, LIBRARY);
    const joined = await joinAs(b, open.words, [idle.node.addresses()[0]!, '/ip4/127.0.0.1/tcp/1', a.node.addresses()[0]!]);
    assert.equal(joined.device.device_uuid, a.local.deviceUuid);
    assert.equal(a.host.status()?.failures, 0);
    // Nothing found in time: a clear error within the bound.
    const never: AsyncIterable<string> = { [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => undefined) }) };
    const t0 = Date.now();
    await assert.rejects(joinPairing({ code: open.words, local: b.local, candidates: never, open: pairingDialer(b.node), timeoutMs: 300 }), /no device to pair with was found/);
    assert.ok(Date.now() - t0 < 5000);
  } finally {
    await stopAll(a, idle, b);
  }
});

test('a device that answers for the session without knowing the code is passed over', async () => {
  const [a, fake, b] = [await device('laptop'), await device('squatter', { serve: false }), await device('desktop')];
  try {
    const open = a.host.open(a.local, LIBRARY);
    let heard: unknown;
    // A squatter that learnt the session id (it is public) and answers every hello with a made-up proof.
    await fake.node.handle('pair', async (stream) => {
      const ch = new MessageChannel(stream, 16 * 1024);
      checkPairMessage(await ch.receive(AbortSignal.timeout(5000)), 'hello');
      const r = () => new Uint8Array(randomBytes(32));
      await ch.send(pairMessage('challenge', { nonce_i: r(), challenge: r(), mac_i: r() }));
      heard = await ch.receive(AbortSignal.timeout(5000)).catch((err: Error) => err);
    });
    fake.joining = true; // its gater lets the joiner in
    const joined = await joinAs(b, open.words, [fake.node.addresses()[0]!, a.node.addresses()[0]!]);
    assert.equal(joined.device.peer_id, a.node.peerId);
    // The joiner told the squatter its proof failed, and gave it nothing else.
    assert.deepEqual(heard, { t: 'error', code: 'proof', message: 'your proof of the pairing code did not verify' });
  } finally {
    await stopAll(a, fake, b);
  }
});

test('a joiner whose Noise key is not the device key it uses is refused, and it counts', async () => {
  const a = await device('laptop');
  const real = await device('desktop');
  const b = await device('impostor', { keyFrom: real }); // its node speaks with desktop's key...
  try {
    const open = a.host.open(a.local, LIBRARY);
    // ...but puts its own device key in the transcript: the two transcripts differ, so the host's
    // proof does not verify at the joiner, which says so (and the host counts it).
    await assert.rejects(joinAs(b, open.words, [a.node.addresses()[0]!]), /no device accepted this pairing code .*answered for this code but does not know it/);
    await until(() => a.host.status()?.failures === 1, 10_000); // the joiner's error reaches the host after it gave up
    assert.equal(a.host.status()?.failures, 1);
    assert.equal(a.store.list().length, 0);
  } finally {
    await stopAll(a, real, b);
  }
});

/**
 * A joiner that knows the code and puts its Noise key in the transcript, as an honest one does,
 * but may sign with another key or announce another key: spoken message by message.
 */
async function rawJoin(b: Dev, a: Dev, words: string[], lie: { signWith?: KeyObject; announce?: string; memberAt?: string }): Promise<unknown> {
  const code = parsePairingCode(words);
  b.joining = true;
  const stream = await b.node.open(a.node.addresses()[0]!, 'pair');
  const ch = new MessageChannel(stream, 16 * 1024);
  const receive = async <N extends Parameters<typeof checkPairMessage>[1]>(name: N) => checkPairMessage(await ch.receive(AbortSignal.timeout(5000)), name);
  try {
    const nonceJ = new Uint8Array(randomBytes(32));
    await ch.send(pairMessage('hello', { v: 1, session_id: code.sessionId, nonce_j: nonceJ }));
    const c = await receive('challenge');
    const t: Transcript = { sessionId: code.sessionId, initiatorKey: rawKeyOfPeerId(a.node.peerId), joinerKey: rawKeyOfPeerId(b.node.peerId), nonceI: c.nonce_i, nonceJ, challenge: c.challenge };
    await ch.send(pairMessage('proof', { mac_j: proofMac(code.authKey, 'joiner', t), sig: signJoiner(lie.signWith ?? b.local.privateKey, t) }));
    const host = await receive('host_device');
    // The admission it signs (issue 46), dated as it likes.
    const member = lie.memberAt === undefined ? {} : (() => {
      const body = admissionBody(LIBRARY.id, lie.memberAt, { uuid: host.device_uuid, name: host.name, key: host.public_key }, { uuid: b.local.deviceUuid, name: 'desktop', key: b.local.publicKeyPem });
      return { member_at: lie.memberAt, member_sig: signMemberBody(body, b.local.privateKey) };
    })();
    await ch.send(pairMessage('joiner_device', { device_uuid: b.local.deviceUuid, name: 'desktop', public_key: lie.announce ?? b.local.publicKeyPem, ...member }));
    return await receive('done');
  } finally {
    b.joining = false;
    await ch.close();
  }
}

test('a joiner that proves with its Noise key but signs or announces another key is refused', async () => {
  const [a, b] = [await device('laptop'), await device('desktop')];
  try {
    const open = a.host.open(a.local, LIBRARY);
    const other = generateKeyPairSync('ed25519');
    await assert.rejects(rawJoin(b, a, open.words, { signWith: other.privateKey }), /device signature did not verify/);
    const otherPem = other.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await assert.rejects(rawJoin(b, a, open.words, { announce: otherPem }), /announced public key is not the key of this connection/);
    assert.equal(a.store.list().length, 0);
    // The signature is a failed proof; a key announced wrong after the proofs is refused without counting.
    assert.deepEqual({ state: a.host.status()?.state, failures: a.host.status()?.failures }, { state: 'open', failures: 1 });
    // The same joiner speaking the truth is paired: the refusals were about the lies, nothing else.
    assert.deepEqual(await rawJoin(b, a, open.words, {}), { t: 'done' });
    assert.equal((await open.done).device.peer_id, b.node.peerId);
  } finally {
    await stopAll(a, b);
  }
});

test('the host does not countersign an admission the joiner dated far from its clock (issue 46: one dated in the future outlives every removal)', async () => {
  const [a, b] = [await device('laptop'), await device('desktop')];
  try {
    const open = a.host.open(a.local, LIBRARY);
    await rawJoin(b, a, open.words, { memberAt: '9999-12-31T23:59:59.999Z' }).catch(() => undefined);
    // A pairing the host finished is done by now (it records before its last message); one it
    // refused leaves the code open until it expires (5 minutes): closed here, it ends at once.
    a.host.cancel();
    const done = await open.done.catch(() => undefined);
    const at = done?.admission ? (JSON.parse(done.admission.body) as { at: string }).at : undefined;
    assert.ok(at === undefined || Math.abs(Date.parse(at) - Date.now()) < 10 * 60_000, `the host signed an admission dated ${at}`);
  } finally {
    await stopAll(a, b);
  }
});

test('a hostile peer sending oversize or garbage messages gets an error and the host stays usable', async () => {
  const [a, evil, b] = [await device('laptop'), await device('evil'), await device('desktop')];
  try {
    const open = a.host.open(a.local, LIBRARY);
    evil.joining = true;
    // A frame far above the bound: refused before it is buffered.
    const s1 = await evil.node.open(a.node.addresses()[0]!, 'pair');
    const lp1 = lpStream(s1, { maxDataLength: 1 << 20 });
    await lp1.write(encode({ t: 'hello', junk: new Uint8Array(64 * 1024) })).catch(() => undefined);
    const reply1 = await new MessageChannel(s1, 16 * 1024).receive(AbortSignal.timeout(5000)).catch((err: Error) => err);
    if (!(reply1 instanceof Error)) assert.throws(() => checkPairMessage(reply1, 'challenge'), /peer sent no valid message|pairing/);
    // Bytes that are not MessagePack.
    const s2 = await evil.node.open(a.node.addresses()[0]!, 'pair');
    await lpStream(s2).write(new Uint8Array([0xc1, 0xc1, 0xc1]));
    await assert.rejects(async () => checkPairMessage(await new MessageChannel(s2, 16 * 1024).receive(AbortSignal.timeout(5000)), 'challenge'), /does not decode/);
    assert.equal(a.host.isOpen(), true);
    const joined = await joinAs(b, open.words, [a.node.addresses()[0]!]);
    assert.equal(joined.device.device_uuid, a.local.deviceUuid);
    assert.equal(a.host.status()?.failures, 0, 'junk is no guess at the code');
    assert.equal(a.store.byPeerId(evil.node.peerId), undefined);
  } finally {
    await stopAll(a, evil, b);
  }
});

test('a peer that opens a stream and says nothing is timed out, not counted', async () => {
  const a = await device('laptop', { hostOpts: { stepTimeoutMs: 300 } });
  const evil = await device('silent');
  try {
    a.host.open(a.local, LIBRARY);
    evil.joining = true;
    const stream = await evil.node.open(a.node.addresses()[0]!, 'pair');
    const reply = await new MessageChannel(stream, 16 * 1024).receive(AbortSignal.timeout(10_000));
    assert.throws(() => checkPairMessage(reply, 'challenge'), (err: unknown) => err instanceof PairRefusal && err.reason === 'protocol');
    assert.equal(a.host.status()?.failures, 0);
    assert.equal(a.host.isOpen(), true);
  } finally {
    await stopAll(a, evil);
  }
});

test('through a relay, a joiner whose code is no longer open hears the device hung up, as directly; an open code pairs there', async () => {
  const windows = new Set<string>();
  const [box, a, stranger] = [await device('box', { relayFor: windows }), await device('laptop'), await device('desktop')];
  let late: Awaited<ReturnType<typeof device>> | undefined;
  try {
    // The laptop is paired with the box, and holds a slot there.
    const boxCode = box.host.open(box.local, LIBRARY);
    await joinAs(a, boxCode.words, [box.node.addresses()[0]!]);
    await boxCode.done;
    const circuit = (await a.node.reserveOn(box.node.addresses()[0]!)).find((x) => x.includes('/p2p-circuit/'))!;
    assert.ok(circuit.endsWith(`/p2p/${a.node.peerId}`), circuit);
    // A code the laptop showed, cancelled: the box's window to it is shut with it.
    const closed = a.host.open(a.local, LIBRARY);
    a.host.cancel();
    await assert.rejects(closed.done);
    // A stranger to the box: the box hangs up on it (it carries strangers only to a device whose code is open).
    await assert.rejects(joinAs(stranger, closed.words, [circuit]), HUNG_UP);
    // An invite's addresses: one that answers nothing says nothing of the code; the one that hung up does.
    await assert.rejects(joinAs(stranger, closed.words, [`/ip4/127.0.0.1/tcp/1/p2p/${a.node.peerId}`, circuit]), HUNG_UP);
    // While another device's window is open, the box lets the stranger in but refuses the circuit to this one: the same.
    windows.add('12D3KooWAnotherDeviceWithItsCodeOpen');
    await assert.rejects(joinAs(stranger, closed.words, [circuit]), HUNG_UP);
    // An open code and its window: the stranger pairs through the box.
    windows.add(a.node.peerId);
    const open = a.host.open(a.local, LIBRARY);
    const joined = await joinAs(stranger, open.words, [circuit]);
    assert.equal(joined.device.device_uuid, a.local.deviceUuid);
    await open.done;
    // The invite used: another device that holds it hears so, through the box too, not "check the words".
    late = await device('phone');
    await assert.rejects(joinAs(late, open.words, [circuit]), HUNG_UP);
    windows.delete(a.node.peerId);
    await assert.rejects(joinAs(late, open.words, [circuit]), HUNG_UP);
  } finally {
    windows.clear();
    await stopAll(box, a, stranger, ...(late ? [late] : []));
  }
});

