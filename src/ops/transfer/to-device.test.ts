import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Stream } from '@libp2p/interface';
import { tempDir } from '../../../test/helpers.js';
import type { JobRunContext } from '../../jobs/job-kind.js';
import { queueUserJob } from '../../jobs/user-job.js';
import { Installation } from '../../library/installation.js';
import type { Library } from '../../library/library.js';
import { addLocation } from '../../locations/locations.js';
import { PeerChannel } from '../../sync/messages/channel.js';
import { PeerNode } from '../../sync/net/peer-node.js';
import { DropRefused } from '../../sync/drop/send.js';
import type { DropTarget } from './run/device-target.js';
import { publicKeyPem } from '../../sync/net/device-key.js';
import { PairedDevices } from '../../sync/pairing/paired-devices.js';
import type { GeneratorSettings } from '../../generators/types.js';
import type { OpHost } from '../op.js';
import { toDeviceOp } from './to-device.js';
import type { ToDeviceParams } from './to-device-run.js';
import { transfer } from './transfer.js';
import { filesSend } from './send.js';
import { libraryBackupToDevice } from './backup-to-device.js';
import { blake3File } from '../../core/file-blake3.js';

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];

/**
 * `--force` to another device (issue 42, "every flag on every branch"): the copy's job, as planned
 * and run, says it in its `place` message, so the receiver can weigh its own guard with it; a
 * copy not forced says nothing (as an older sender). Two real nodes on loopback; the receiver here
 * reads the first message with the real decoder and refuses, recording what it heard.
 */
describe('a copy to a device carries --force in its place message', () => {
  const tmp = tempDir('vss-place-force-');
  const src = join(tmp.path, 'src');
  let lib: Library;
  let nodeA: PeerNode;
  let nodeB: PeerNode;
  const heard: Array<Record<string, unknown>> = [];
  const desk = { device_uuid: randomUUID(), peer_id: '', name: 'Desk' } satisfies DropTarget;

  before(async () => {
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'a.jpg'), 'the laptop\'s a\n');
    lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('Home', tmp.path);
    addLocation(lib, src, { name: 'Src' });
    lib.store.devices.upsertPeer({ uuid: desk.device_uuid, name: 'Desk', publicKey: 'k', os: 'linux' });
    lib.store.peerLocations.replace(desk.device_uuid, [{ location_id: 7, uuid: randomUUID(), name: 'Photos', path: '/home/d/Photos', index_mode: 'content', files: 0, dirs: 0, bytes: 0 }]);
    const ids = { a: '', b: '' };
    nodeA = await PeerNode.start({ privateKey: await generateKeyPair('Ed25519'), listen: LOOPBACK, admit: (p) => p === ids.b, isPaired: (p) => p === ids.b });
    const keyB = await generateKeyPair('Ed25519');
    nodeB = await PeerNode.start({ privateKey: keyB, listen: LOOPBACK, admit: (p) => p === ids.a, isPaired: (p) => p === ids.a });
    ids.a = nodeA.peerId;
    ids.b = nodeB.peerId;
    desk.peer_id = nodeB.peerId;
    PairedDevices.load(join(tmp.path, 'data')).add({
      device_uuid: desk.device_uuid, name: 'Desk', public_key: publicKeyPem(keyB.publicKey.raw), peer_id: nodeB.peerId,
      paired_at: new Date().toISOString(), library_ids: [lib.config.id], addrs: [], last_seen: null,
    });
    await nodeB.handle('drop', async (stream: Stream) => {
      const ch = new PeerChannel(stream, 'drop');
      const first = await ch.receive(['drop.place', 'drop.offer'], { signal: AbortSignal.timeout(10_000) });
      heard.push({ name: first.name, ...first.body });
      await ch.send('drop.refused', { reason: 'heard it', retry: false });
      await ch.close();
    });
  });
  after(async () => {
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
    lib?.close();
    tmp.cleanup();
  });

  /** This library's host, its network reaching the desk's node (connected, streams opened to it). */
  const reachingDesk = (): OpHost => {
    const network = {
      connected: () => [{ deviceUuid: desk.device_uuid, peerId: nodeB.peerId, name: 'Desk', libraryIds: [lib.config.id] }],
      open: (_peer: string, protocol: 'drop', signal?: AbortSignal) => nodeA.open(nodeB.addresses()[0]!, protocol, signal),
    };
    return { lib, dataDir: join(tmp.path, 'data'), network: () => network };
  };
  const runContext = (): JobRunContext => ({ lib, signal: AbortSignal.timeout(30_000), timeoutMs: 30_000, settings: {} as GeneratorSettings, progress: () => undefined });

  const run = async (force: boolean) => {
    const host = reachingDesk();
    // Planned and queued as the API does it, then run by its job kind.
    const plan = toDeviceOp('copy').plan(host, { srcs: [join(src, 'a.jpg')], to: 'Desk:/Photos/in', onConflict: 'replace', force }, { detach: false });
    assert.ok('queue' in plan);
    const job = plan.queue();
    const ctx = runContext();
    await assert.rejects(toDeviceOp('copy').kind(host).run(job, ctx), (err: unknown) => err instanceof DropRefused && /heard it/.test(err.message));
    return heard.pop();
  };

  it('the job\'s params say what the run needs, its rows where each file lands; a conflict policy checked', async () => {
    const host: OpHost = { lib, dataDir: join(tmp.path, 'data'), network: () => ({ connected: () => [], open: () => Promise.reject(new Error('not here')) }) };
    const plan = toDeviceOp('move').plan(host, { srcs: [join(src, 'a.jpg')], to: 'Desk:/Photos/in', onConflict: 'skip' }, { detach: false });
    assert.ok('queue' in plan);
    const job = plan.queue();
    const p = JSON.parse(job.params!) as ToDeviceParams;
    const photos = lib.store.peerLocations.ofDevice(desk.device_uuid)[0]!.uuid;
    assert.deepEqual([job.kind, p.op, p.device, p.library, p.location, p.dir, p.on_conflict], ['files-move-to-device', 'move', desk.device_uuid, lib.config.id, photos, 'in', 'skip']);
    assert.deepEqual(lib.store.fileOpItems.of(job.id).map((it) => [it.src, it.dst, it.state]), [[join(src, 'a.jpg'), 'in/a.jpg', 'todo']]);
    // The conflict policy is the transfer's to check, for every way.
    await assert.rejects(async () => transfer.preview!(host, { asked: 'copy', srcs: [join(src, 'a.jpg')], to: 'Desk:/Photos/in', onConflict: 'clobber' }), /--on-conflict/);
    lib.store.jobs.cancel(job.id, ['queued']);
  });

  it('a job an older vss queued, its files in its params: they become its rows, and its one offer keeps its transfer id (the receiver\'s journal knows it by that)', async () => {
    const host = reachingDesk();
    const transfer = randomUUID();
    const photos = lib.store.peerLocations.ofDevice(desk.device_uuid)[0]!.uuid;
    const a = join(src, 'a.jpg');
    const size = statSync(a).size;
    const params = JSON.stringify({
      op: 'copy', device: desk.device_uuid, library: lib.config.id, location: photos, location_name: 'Photos', dir: 'old', on_conflict: 'keep-both', transfer,
      items: [{ path: a, name: 'a.jpg', size, mtime_ms: Math.floor(statSync(a).mtimeMs) }],
    });
    const job = queueUserJob(lib, { kind: 'files-copy-to-device', maxAttempts: 8, bytes: size, params }, 'an older copy');
    const ctx = runContext();
    await assert.rejects(toDeviceOp('copy').kind(host).run(job, ctx), (err: unknown) => err instanceof DropRefused && /heard it/.test(err.message));
    const offer = heard.pop();
    assert.deepEqual([offer?.transfer, offer?.dir, (offer?.items as Array<{ name: string }>).map((i) => i.name)], [transfer, 'old', ['a.jpg']]);
    assert.deepEqual(lib.store.fileOpItems.of(job.id).map((it) => [it.src, it.dst]), [[a, 'old/a.jpg']]);
    lib.store.jobs.cancel(job.id, ['queued']);
  });

  it('a send an older vss queued, its files in its params, goes as an offer into the inbox under its transfer id', async () => {
    const host = reachingDesk();
    const transfer = randomUUID();
    const a = join(src, 'a.jpg');
    const size = statSync(a).size;
    const params = JSON.stringify({ device: desk.device_uuid, transfer, items: [{ path: a, name: 'a.jpg', size }] });
    const job = queueUserJob(lib, { kind: 'files-send', maxAttempts: 8, bytes: size, params }, 'an older send');
    const ctx = runContext();
    await assert.rejects(filesSend.kind(host).run(job, ctx), (err: unknown) => err instanceof DropRefused && /heard it/.test(err.message));
    const offer = heard.pop();
    assert.deepEqual([offer?.name, offer?.transfer, (offer?.items as Array<{ name: string }>).map((i) => i.name)], ['drop.offer', transfer, ['a.jpg']]);
    assert.equal('location' in (offer ?? {}), false, 'into the inbox: no location');
    assert.deepEqual(lib.store.fileOpItems.of(job.id).map((it) => [it.src, it.dst]), [[a, 'a.jpg']]);
    lib.store.jobs.cancel(job.id, ['queued']);
  });

  it('forced: the place says force; not forced: it says nothing of it', async () => {
    const forced = await run(true);
    assert.deepEqual([forced?.name, forced?.on_conflict, forced?.dir, forced?.force], ['drop.place', 'replace', 'in', true]);
    const plain = await run(false);
    assert.deepEqual([plain?.name, plain?.on_conflict], ['drop.place', 'replace']);
    assert.equal('force' in (plain ?? {}), false, 'an unforced place leaves the field out, as an older sender does');
  });

  it('a library\'s snapshot: made when its job runs, offered from the library\'s own folder with its BLAKE3 into vss-library-backups/LIBRARY_ID/; a row naming any other file there is never read', async () => {
    const host = reachingDesk();
    const plan = libraryBackupToDevice.plan(host, { to: 'Desk:/Photos/b' }, { detach: false });
    assert.ok('queue' in plan);
    const job = plan.queue();
    assert.deepEqual(lib.store.fileOpItems.of(job.id), [], 'nothing made until it runs');
    await assert.rejects(libraryBackupToDevice.kind(host).run(job, runContext()), (err: unknown) => err instanceof DropRefused && /heard it/.test(err.message));
    const offer = heard.pop();
    const [row] = lib.store.fileOpItems.of(job.id);
    const made = JSON.parse(row!.meta!) as { blake3: string };
    assert.deepEqual((await blake3File(row!.src)).checksum, made.blake3, 'staged here, its BLAKE3 recorded');
    const items = offer?.items as Array<{ name: string; size: number; blake3?: string }>;
    assert.deepEqual([offer?.name, offer?.dir, offer?.on_conflict], ['drop.place', `b/vss-library-backups/${lib.config.id}`, 'keep-both']);
    assert.deepEqual(items.map((i) => [i.name, i.size, i.blake3]), [[row!.src.slice(row!.src.lastIndexOf('/') + 1), row!.size, made.blake3]]);
    lib.store.jobs.cancel(job.id, ['queued', 'running']);

    // A job whose row names the library's database itself (not a snapshot it made): left out unread, the job fails saying so.
    const forged = libraryBackupToDevice.plan(host, { to: 'Desk:/Photos' }, { detach: false });
    assert.ok('queue' in forged);
    const j2 = forged.queue();
    const db = join(lib.root, 'database.db');
    lib.store.fileOpItems.addMany(j2.id, [{ kind: 'file', src: db, dst: `vss-library-backups/${lib.config.id}/database.db`, size: statSync(db).size, meta: JSON.stringify({ blake3: made.blake3 }) }]);
    await assert.rejects(libraryBackupToDevice.kind(host).run(j2, runContext()), /not one vss made for this transfer/);
    assert.equal(heard.length, 0, 'nothing offered');
    lib.store.jobs.cancel(j2.id, ['queued', 'running']);
  });
});
