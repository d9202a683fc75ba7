import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerIdOfPublicKey } from '../net/device-key.js';
import { MAX_ADDRS, PairedDevices, type PairedDevice } from './paired-devices.js';

function record(over: Partial<PairedDevice> = {}): PairedDevice {
  const public_key = over.public_key ?? generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    device_uuid: randomUUID(),
    name: 'laptop',
    public_key,
    peer_id: peerIdOfPublicKey(public_key),
    paired_at: new Date().toISOString(),
    library_ids: [randomUUID()],
    addrs: [],
    last_seen: null,
    ...over,
  };
}

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'vss-trust-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('records survive a reload, owner-only; lookups by uuid and peer id; remove', () =>
  withDir((dir) => {
    const store = PairedDevices.load(dir);
    assert.deepEqual(store.list(), []);
    const a = store.add(record({ name: 'a' }));
    const b = store.add(record({ name: 'b' }));
    assert.equal(statSync(join(dir, 'paired-devices.json')).mode & 0o777, 0o600);
    const again = PairedDevices.load(dir);
    assert.deepEqual(again.list(), [a, b]);
    assert.equal(again.byPeerId(b.peer_id)?.name, 'b');
    assert.equal(again.get(a.device_uuid)?.peer_id, a.peer_id);
    assert.equal(again.remove(a.device_uuid), true);
    assert.equal(again.remove(a.device_uuid), false);
    assert.deepEqual(PairedDevices.load(dir).list().map((d) => d.name), ['b']);
    // A copy, not the store's own record.
    again.list()[0]!.library_ids.push('x');
    assert.equal(again.list()[0]!.library_ids.length, 1);
  }));

test('pairing a device again keeps its libraries; another key under a paired uuid (or a paired key under another uuid) is refused', () =>
  withDir((dir) => {
    const store = PairedDevices.load(dir);
    const first = store.add(record({ name: 'old name' }));
    const second = store.add(record({ device_uuid: first.device_uuid, public_key: first.public_key, peer_id: first.peer_id, name: 'new name', library_ids: [randomUUID()] }));
    assert.equal(store.list().length, 1);
    assert.equal(second.name, 'new name');
    assert.deepEqual(new Set(second.library_ids), new Set([...first.library_ids, ...second.library_ids].slice(0, 2)));
    assert.throws(() => store.add(record({ device_uuid: first.device_uuid, name: 'impostor' })), /claims the name or key .*unpair that one first/);
    assert.throws(() => store.add(record({ public_key: first.public_key, peer_id: first.peer_id, name: 'renamed' })), /claims the name or key/);
    assert.equal(store.list().length, 1);
    assert.equal(store.get(first.device_uuid)?.peer_id, first.peer_id, 'the pinned key stays');
    assert.equal(PairedDevices.load(dir).get(first.device_uuid)?.name, 'new name', 'nothing was written by a refused pairing');
  }));

test('noteSeen keeps the newest addresses first, bounded', () =>
  withDir((dir) => {
    const store = PairedDevices.load(dir);
    const d = store.add(record());
    for (let i = 0; i < 40; i++) store.noteSeen(d.device_uuid, [`/ip4/10.0.0.${i}/tcp/4001`], '2026-01-01T00:00:00.000Z');
    store.noteSeen(d.device_uuid, ['/ip4/10.0.0.39/tcp/4001', 'not an address'], new Date('2026-02-01T00:00:00Z'));
    const seen = PairedDevices.load(dir).get(d.device_uuid)!;
    assert.equal(seen.addrs.length, MAX_ADDRS);
    assert.equal(seen.addrs[0], '/ip4/10.0.0.39/tcp/4001');
    assert.equal(seen.addrs[1], '/ip4/10.0.0.38/tcp/4001');
    assert.equal(seen.last_seen, '2026-02-01T00:00:00.000Z');
    store.noteSeen(randomUUID(), ['/ip4/1.2.3.4/tcp/1']); // unknown device: nothing
    assert.equal(PairedDevices.load(dir).list().length, 1);
  }));

test('a bad record is refused and a damaged file is an error, never an empty list', () =>
  withDir((dir) => {
    const store = PairedDevices.load(dir);
    const other = record();
    assert.throws(() => store.add(record({ peer_id: other.peer_id })), /peer_id is not the peer id of public_key/);
    assert.throws(() => store.add({ ...record(), public_key: 'junk' }), /not an Ed25519 public key/);
    assert.throws(() => store.add(record({ addrs: Array.from({ length: 17 }, (_, i) => `/ip4/1.1.1.${i}/tcp/1`) })), /at most 16/);
    store.add(other);
    const path = join(dir, 'paired-devices.json');
    const good = readFileSync(path, 'utf8');
    for (const [damage, reason] of [
      [good.slice(0, good.length / 2), /damaged \(.*JSON/],
      [JSON.stringify({ version: 2, devices: [] }), /not a version 1 file/],
      [JSON.stringify({ version: 1 }), /no device list/],
      [good.replace(other.peer_id, other.peer_id.slice(0, -2) + 'xx'), /device 1: peer_id/],
      [JSON.stringify({ version: 1, devices: [other, other] }), /listed twice/],
    ] as const) {
      writeFileSync(path, damage);
      assert.throws(() => PairedDevices.load(dir), (err: Error & { code?: string; path?: string }) => {
        assert.equal(err.code, 'PAIRING');
        assert.equal(err.path, path);
        assert.match(err.message, reason);
        assert.match(err.message, /move it aside and pair again/);
        return true;
      });
    }
  }));

test('at most 256 devices', () =>
  withDir((dir) => {
    const store = PairedDevices.load(dir);
    const keys = Array.from({ length: 257 }, () => record());
    // One write per add: fill the file directly, then check the bound on load and on add.
    writeFileSync(join(dir, 'paired-devices.json'), JSON.stringify({ version: 1, devices: keys.slice(0, 256) }));
    const full = PairedDevices.load(dir);
    assert.equal(full.list().length, 256);
    assert.throws(() => full.add(keys[256]!), /too many paired devices \(256\): unpair one first/);
    writeFileSync(join(dir, 'paired-devices.json'), JSON.stringify({ version: 1, devices: keys }));
    assert.throws(() => PairedDevices.load(dir), /more than 256 devices/);
    assert.equal(store.list().length, 0);
  }));

test('a paired device\'s new name is kept as it said it, without control characters and bounded; the file is written only on a change', () =>
  withDir((dir) => {
    const store = PairedDevices.load(dir);
    const a = store.add(record({ name: 'vm' }));
    assert.equal(store.rename(a.device_uuid, 'Alpha'), true);
    assert.equal(PairedDevices.load(dir).get(a.device_uuid)?.name, 'Alpha');
    const written = statSync(join(dir, 'paired-devices.json')).mtimeMs;
    assert.equal(store.rename(a.device_uuid, ' Alpha '), false, 'the same name once trimmed');
    assert.equal(statSync(join(dir, 'paired-devices.json')).mtimeMs, written);
    assert.equal(store.rename(a.device_uuid, '\u001b]0;x\u0007\u001b[2J'), true);
    assert.equal(store.get(a.device_uuid)?.name, ']0;x [2J', 'escape sequences cannot reach a terminal');
    assert.equal(store.rename(a.device_uuid, '\u0000\t\n'), false, 'nothing left: the name stays');
    assert.equal(store.rename(a.device_uuid, 'é'.repeat(300)), true);
    assert.equal(store.get(a.device_uuid)?.name, 'é'.repeat(100));
    assert.equal(store.rename(randomUUID(), 'Nobody'), false, 'not a paired device');
    assert.deepEqual(PairedDevices.load(dir).list().map((d) => d.name), ['é'.repeat(100)]);
  }));
