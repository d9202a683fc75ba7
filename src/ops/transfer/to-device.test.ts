import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Stream } from '@libp2p/interface';
import { tempDir } from '../../../test/helpers.js';
import type { JobRunContext } from '../../jobs/job-kind.js';
import type { JobRow } from '../../jobs/states.js';
import { Installation } from '../../library/installation.js';
import type { Library } from '../../library/library.js';
import { addLocation } from '../../locations/locations.js';
import { PeerChannel } from '../../sync/messages/channel.js';
import { PeerNode } from '../../sync/net/peer-node.js';
import { DropRefused } from '../../sync/drop/send.js';
import { placeItems, placeParams, placeTarget, runPlace } from '../../sync/drop/place-job.js';
import type { DropTarget } from '../../sync/drop/send-job.js';
import type { GeneratorSettings } from '../../generators/types.js';

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
    nodeB = await PeerNode.start({ privateKey: await generateKeyPair('Ed25519'), listen: LOOPBACK, admit: (p) => p === ids.a, isPaired: (p) => p === ids.a });
    ids.a = nodeA.peerId;
    ids.b = nodeB.peerId;
    desk.peer_id = nodeB.peerId;
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

  const run = async (force: boolean) => {
    const target = placeTarget(lib, 'Desk:/Photos/in', (uuid) => (uuid === desk.device_uuid ? desk : undefined));
    const params = placeParams('copy', lib, target, placeItems(lib, [join(src, 'a.jpg')]), 'replace', force);
    const job = { id: 1, kind: 'files-copy-to-device', params } as JobRow;
    const network = {
      connected: () => [{ deviceUuid: desk.device_uuid, peerId: nodeB.peerId, name: 'Desk', libraryIds: [lib.config.id] }],
      open: (_peer: string, protocol: 'drop', signal?: AbortSignal) => nodeA.open(nodeB.addresses()[0]!, protocol, signal),
    };
    const ctx: JobRunContext = { lib, signal: AbortSignal.timeout(30_000), timeoutMs: 30_000, settings: {} as GeneratorSettings, progress: () => undefined };
    await assert.rejects(runPlace(() => network, (uuid) => (uuid === desk.device_uuid ? desk : undefined), job, ctx), (err: unknown) => err instanceof DropRefused && /heard it/.test(err.message));
    return heard.pop();
  };

  it('forced: the place says force; not forced: it says nothing of it', async () => {
    const forced = await run(true);
    assert.deepEqual([forced?.name, forced?.on_conflict, forced?.dir, forced?.force], ['drop.place', 'replace', 'in', true]);
    const plain = await run(false);
    assert.deepEqual([plain?.name, plain?.on_conflict], ['drop.place', 'replace']);
    assert.equal('force' in (plain ?? {}), false, 'an unforced place leaves the field out, as an older sender does');
  });
});
