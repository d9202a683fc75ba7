import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerIdOfPublicKey } from '../net/device-key.js';
import { forgetDevice } from './forget.js';
import { PairedDevices } from './paired-devices.js';

function paired(dir: string) {
  const store = PairedDevices.load(dir);
  const public_key = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const d = store.add({
    device_uuid: randomUUID(), name: 'laptop', public_key, peer_id: peerIdOfPublicKey(public_key), paired_at: new Date().toISOString(),
    library_ids: [randomUUID(), randomUUID()], addrs: [], last_seen: null,
  });
  return { store, d };
}

// A connection still open while its device is unpaired may begin a pull of its rows: its rows are
// dropped only once it is hung up on, so no pull begins after them (the one begun before is
// refused by PeerLibrary's removal count). On the code before, the rows went first.
test('unpair: the key is refused, then the connections end, then the rows go (also when the hang-up fails)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vss-forget-'));
  try {
    for (const hangUpFails of [false, true]) {
      const { store, d } = paired(dir);
      const forgotten: string[] = [];
      let during: { trusted: boolean; forgotten: number } | undefined;
      const run = forgetDevice(store, d.device_uuid, async (gone) => {
        await new Promise((r) => setImmediate(r));
        during = { trusted: store.get(gone.device_uuid) !== undefined, forgotten: forgotten.length };
        if (hangUpFails) throw new Error('the connection would not close');
      }, (libraryId, deviceUuid) => {
        assert.equal(deviceUuid, d.device_uuid);
        forgotten.push(libraryId);
      });
      if (hangUpFails) await assert.rejects(run, /would not close/);
      else assert.equal((await run).device_uuid, d.device_uuid);
      assert.deepEqual(during, { trusted: false, forgotten: 0 }, 'hung up on with its key refused and its rows still there');
      assert.deepEqual(forgotten.sort(), [...d.library_ids].sort(), 'its rows gone from every library it shared');
      assert.equal(PairedDevices.load(dir).get(d.device_uuid), undefined);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
