import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { tempDir } from '../../../test/helpers.js';
import { makeDevice, newAddress, tellAvailability, type TestDevice } from '../../../test/sync-peers.js';
import { VssError } from '../../core/errors.js';
import { sidecarAbsPath } from '../../sidecars/address.js';
import { TransferLieError } from './errors.js';
import { RESUMABLE_ABOVE, type ByteSource } from './store.js';

const hex = (b: Buffer): string => blake3(b).toString('hex');

/** DATA in chunks of at most CHUNK, then null; `overfill`: one byte more than asked; `breakAt`: fails there. */
function source(data: Buffer, chunk = 64 * 1024, opts: { overfill?: boolean; breakAt?: number } = {}): ByteSource {
  let at = 0;
  return {
    async read(max) {
      if (opts.breakAt !== undefined && at >= opts.breakAt) throw new VssError('PEER', 'connection lost');
      if (at >= data.length) return null;
      if (opts.overfill) return randomBytes(max + 1);
      const n = Math.min(chunk, max, data.length - at);
      const out = data.subarray(at, at + n);
      at += n;
      return out;
    },
  };
}

describe('TransferStore (real library on disk)', () => {
  const tmp = tempDir();
  let dev: TestDevice;
  let peer: TestDevice;

  before(async () => {
    dev = await makeDevice(tmp.path, 'dev');
    peer = await makeDevice(tmp.path, 'peer', dev.lib.config.id);
  });
  after(async () => {
    await Promise.all([dev.stop(), peer.stop()]);
    tmp.cleanup();
  });

  it('records verified bytes as ready and fetched; never replaces a file already ready here', async () => {
    const a = newAddress();
    const data = randomBytes(5000);
    const info = await dev.store.receive(a, { size: data.length, checksum: hex(data), format: a.format }, source(data, 700));
    assert.equal(info.status, 'ready');
    assert.equal(info.source, 'fetched');
    assert.deepEqual(readFileSync(info.path!), data);
    const other = randomBytes(5000);
    await assert.rejects(dev.store.receive(a, { size: other.length, checksum: hex(other), format: a.format }, source(other)), (e: VssError) => e.code === 'ALREADY_EXISTS');
    assert.deepEqual(readFileSync(info.path!), data);
  });

  it('staged files are committed together: one that became ready here meanwhile keeps its file, the others are recorded', async () => {
    const files = Array.from({ length: 5 }, () => ({ address: newAddress(), data: randomBytes(4000) }));
    const from = randomUUID();
    const staged = [];
    for (const f of files) {
      staged.push(await dev.store.stage(f.address, { size: f.data.length, checksum: hex(f.data), format: f.address.format }, source(f.data), { from }));
    }
    for (const f of files) assert.equal(dev.sidecars.get(f.address), undefined, 'a staged file is not recorded');
    for (const f of files) assert.equal(existsSync(sidecarAbsPath(dev.lib.root, f.address)), false, 'nor in place');
    const mine = randomBytes(4000);
    dev.sidecars.writeGenerated(files[2]!.address, mine, 'test');
    const done = await dev.store.commit(staged);
    for (const [n, r] of done.entries()) {
      const final = sidecarAbsPath(dev.lib.root, files[n]!.address);
      assert.deepEqual(readdirSync(dirname(final)), [basename(final)], 'no temp left beside it');
      if (n === 2) {
        assert.ok(!r.ok && r.error instanceof VssError && r.error.code === 'ALREADY_EXISTS');
        assert.deepEqual(readFileSync(final), mine, 'the file made here stays');
        assert.equal(dev.sidecars.get(files[n]!.address)!.source, 'generated');
        continue;
      }
      assert.ok(r.ok);
      assert.equal(r.info.source, 'fetched');
      assert.deepEqual(readFileSync(final), files[n]!.data);
    }
    assert.equal(dev.lib.store.peerSync.get(from)?.files_fetched, 4);
  });

  it('a source giving more than asked is a size lie: nothing recorded, no temp left', async () => {
    const a = newAddress();
    const data = randomBytes(3000);
    await assert.rejects(dev.store.receive(a, { size: data.length, checksum: hex(data), format: a.format }, source(data, 1000, { overfill: true })),
      (e: TransferLieError) => e instanceof TransferLieError && e.lie === 'size');
    assert.equal(dev.sidecars.get(a), undefined);
    const dir = dirname(sidecarAbsPath(dev.lib.root, a));
    assert.deepEqual(existsSync(dir) ? readdirSync(dir) : [], []);
  });

  it('a large transfer broken off keeps its partial, named by its checksum, and continues from it', async () => {
    const a = newAddress('proxy', 'scrub', 'mp4');
    const data = randomBytes(RESUMABLE_ABOVE + 3 * 1024 * 1024);
    const expected = { size: data.length, checksum: hex(data), format: a.format };
    await assert.rejects(dev.store.receive(a, expected, source(data, 1024 * 1024, { breakAt: 2 * 1024 * 1024 })), /connection lost/);
    assert.equal(dev.store.resumeOffset(a, expected), 2 * 1024 * 1024);
    assert.equal(dev.store.resumeOffset(a, { ...expected, checksum: hex(randomBytes(8)) }), 0, 'another checksum has no partial');
    assert.equal(dev.sidecars.get(a), undefined, 'nothing recorded for the partial');
    const rest = data.subarray(2 * 1024 * 1024);
    const info = await dev.store.receive(a, expected, source(rest), { offset: 2 * 1024 * 1024, from: peer.lib.device.uuid });
    assert.equal(info.checksum, expected.checksum);
    assert.equal(hex(readFileSync(info.path!)), expected.checksum);
    assert.deepEqual(readdirSync(dirname(info.path!)), ['scrub.mp4']);
    const counted = dev.lib.store.peerSync.get(peer.lib.device.uuid);
    assert.deepEqual({ bytes_fetched: counted?.bytes_fetched, files_fetched: counted?.files_fetched }, { bytes_fetched: rest.length, files_fetched: 1 });
  });

  it('sources skip an entry while it is suspect at its checksum, and take it again once it changes', () => {
    const a = newAddress();
    const data = randomBytes(100);
    peer.sidecars.writeGenerated(a, data, 'test');
    tellAvailability(dev, peer, a);
    assert.deepEqual(dev.store.sources(a).map((s) => s.deviceUuid), [peer.lib.device.uuid]);
    dev.store.markSuspect(peer.lib.device.uuid, a, hex(data), 'wrong bytes');
    assert.deepEqual(dev.store.sources(a), []);
    const newer = randomBytes(100);
    tellAvailability(dev, peer, a, { size: 100, checksum: hex(newer) });
    assert.deepEqual(dev.store.sources(a).map((s) => s.checksum), [hex(newer)]);
  });

  it('serves only a ready file that is there: gone, cut short or a symlink behind its back, it is refused before a header', async () => {
    const a = newAddress();
    const data = randomBytes(100);
    peer.sidecars.writeGenerated(a, data, 'test');
    const served = peer.store.openForPeer(a);
    assert.equal(served.size, 100);
    const got: Uint8Array[] = [];
    for await (const chunk of served.read(40)) got.push(chunk);
    assert.deepEqual(Buffer.concat(got), data.subarray(40));
    unlinkSync(sidecarAbsPath(peer.lib.root, a));
    assert.throws(() => peer.store.openForPeer(a), (e: VssError) => e.code === 'UNAVAILABLE');
    assert.throws(() => peer.store.openForPeer(newAddress()), (e: VssError) => e.code === 'UNAVAILABLE');
    // A small file (read whole when asked for) and a large one (streamed) alike.
    for (const size of [1000, 600 * 1024]) {
      const b = newAddress('proxy', 'edit', 'mp4');
      peer.sidecars.writeGenerated(b, randomBytes(size), 'test');
      const path = sidecarAbsPath(peer.lib.root, b);
      truncateSync(path, size - 1);
      assert.throws(() => peer.store.openForPeer(b), (e: VssError) => e.code === 'UNAVAILABLE', `${size} bytes cut short`);
      unlinkSync(path);
      writeFileSync(`${path}.elsewhere`, randomBytes(size));
      symlinkSync(`${path}.elsewhere`, path);
      if (size <= 256 * 1024) assert.throws(() => peer.store.openForPeer(b), (e: VssError) => e.code === 'UNAVAILABLE', `${size} bytes behind a symlink`);
    }
  });
});
