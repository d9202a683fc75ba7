import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { Installation } from '../../library/installation.js';
import type { Library } from '../../library/library.js';
import { SharedData } from '../../tags/shared-data.js';
import { pruneSharedLog, SHARED_LOG_DAYS } from '../../tags/shared-log.js';
import { PeerNode } from '../net/peer-node.js';
import type { RemoteDevice } from '../peer-link.js';
import { tempDir } from '../../../test/helpers.js';
import { pullShared, serveShared } from './exchange.js';

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0'];
const C = (n: number) => `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const T = (n: number) => `70000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const state = (lib: Library) => ({ tags: lib.store.tags.all(), meta: lib.store.userMetadata.all(), tagging: lib.store.metadataTags.all() });

/**
 * The shared-data feed (/vss/feed) between two real libp2p nodes on loopback: the owner serves its log, pullers take it
 * from their cursor; once the log is pruned past a puller's place, the puller gets the whole state.
 */
describe('shared-data exchange: a pruned log', () => {
  const tmp = tempDir('vss-shared-x-');
  const nodes: PeerNode[] = [];
  const libs: Library[] = [];
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    for (const l of libs) l.close();
    tmp.cleanup();
  });

  /** A device with its own folder of the library (ID: the library's id, as pairing leaves them). */
  const device = (name: string, id?: string) => {
    const vss = new Installation({ dataDir: join(tmp.path, name, 'data') });
    let lib = vss.createLibrary('Shared', join(tmp.path, name, 'lib'));
    if (id !== undefined) {
      const cfg = join(lib.root, 'library.json');
      lib.close();
      writeFileSync(cfg, JSON.stringify({ ...JSON.parse(readFileSync(cfg, 'utf8')), id }));
      lib = vss.openLibrary(dirname(cfg));
    }
    libs.push(lib);
    return lib;
  };
  const remote = (lib: Library, peerId: string, libraryId: string): RemoteDevice => ({ deviceUuid: lib.device.uuid, peerId, name: lib.device.name, libraryIds: [libraryId], publicKey: lib.device.publicKey });

  it('a puller takes the log from its cursor; past a pruned log it takes the whole state', async () => {
    const owner = device('owner');
    const libraryId = owner.config.id;
    const pullers = [device('b', libraryId), device('c', libraryId)];
    const admitted = new Set<string>();
    const ownerNode = await PeerNode.start({ privateKey: await generateKeyPair('Ed25519'), listen: LOOPBACK, admit: (p) => admitted.has(p), isPaired: (p) => admitted.has(p) });
    nodes.push(ownerNode);
    const pullerNodes = await Promise.all(pullers.map(async () => {
      const n = await PeerNode.start({ privateKey: await generateKeyPair('Ed25519'), listen: LOOPBACK, admit: (p) => p === ownerNode.peerId, isPaired: (p) => p === ownerNode.peerId });
      nodes.push(n);
      admitted.add(n.peerId);
      return n;
    }));
    const byPeer = new Map(pullerNodes.map((n, i) => [n.peerId, remote(pullers[i]!, n.peerId, libraryId)] as const));
    await ownerNode.handle('feed', (stream, peerId) => serveShared(stream, byPeer.get(peerId)!, (id) => (id === libraryId ? owner : undefined)));
    const ownerRemote = remote(owner, ownerNode.peerId, libraryId);
    const pull = async (i: number) => pullShared(await pullerNodes[i]!.open(ownerNode.addresses()[0]!, 'feed'), pullers[i]!, ownerRemote);

    const shared = new SharedData(owner);
    shared.commit([{ record: 'tag', id: T(1), set: { name: 'Trips', color: null, parent: null } }]);
    shared.commit([{ record: 'tag', id: T(1), set: { color: '#00ff00' } }, { record: 'meta', id: C(1), set: { rating: 4, favorite: true } }]);
    shared.commit([{ record: 'tagging', id: T(1), content: C(1), set: { present: true } }]);
    const first = await pull(0);
    assert.deepEqual([first.applied, first.refused], [4, 0]);
    assert.deepEqual(state(pullers[0]!), state(owner));
    assert.deepEqual((await pull(0)).applied, 0, 'from its cursor: nothing again');

    // A month on, the whole log is pruned: a new device gets the state; the first one goes on from its cursor.
    assert.equal(pruneSharedLog(owner, Date.now() + (SHARED_LOG_DAYS + 1) * 24 * 3600_000), 4);
    shared.commit([{ record: 'meta', id: C(1), set: { note: 'after the prune' } }]);
    const fresh = await pull(1);
    assert.ok(fresh.applied >= 4, `the whole state came (${fresh.applied} operations)`);
    assert.deepEqual(state(pullers[1]!), state(owner));
    const goesOn = await pull(0);
    assert.equal(goesOn.applied, 1);
    assert.deepEqual(state(pullers[0]!), state(owner));
    // Numbers are never given twice: the log's head moved on past the pruned operations.
    assert.equal(owner.store.sharedOps.head(), 5);
  });
});
