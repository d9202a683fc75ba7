import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers.js';
import { makeLibrary } from '../../test/support/guard-library.js';
import { Installation } from './installation.js';
import { observationsOf, restoreDatabase, stagedDatabase } from './restore.js';
import { snapshotDatabase, type MadeSnapshot } from './snapshot.js';

/**
 * What a restore carries from the database as it is into the one restored (faults note of
 * 2026-11-27, S4): the rot found and the bucket objects found gone or changed since the snapshot,
 * each onto the same file or object of the same content there. A rotten file the snapshot does
 * not know is brought in with its content (it is still a rotten copy of it); a bucket object it
 * does not know is no copy in it, and nothing is carried onto it.
 */
describe('restore: what the disks said since the snapshot is carried over', () => {
  const tmp = tempDir('vss-restore-carry-');
  let made: ReturnType<typeof makeLibrary>;
  let snap: MadeSnapshot;
  let volume = 0;
  const hash = (n: number) => String(n).repeat(64).slice(0, 64);
  const object = (key: string, content: string, n: number) => made.lib.store.buckets.putObject({ volume_id: volume, key, content_uuid: content, size: 10, blake3: hash(n), uploaded_at: 1, verified_at: 1, etag: 'e' });
  const contentAt = (rel: string) => made.lib.store.entries.fileAt(made.loc.pics!, rel)!;

  before(async () => {
    made = makeLibrary(tmp.path, 'one');
    const { store } = made.lib;
    made.file('pics', 'a', Buffer.from('content a '.repeat(10)));
    made.file('pics', 'b', Buffer.from('content b '.repeat(10)));
    volume = store.volumes.seen(made.lib.deviceId, { fingerprint: 's3:offsite', mount_point: 's3://offsite/vss', fs: 's3', capacity: 0, free: 0, removable: 0, read_only: 0 }, 1).id;
    store.buckets.add({ volume_id: volume, bucket: 'offsite', prefix: 'vss', endpoint: null, region: null, path_style: 0 });
    object('k-a', contentAt('a').content_uuid!, 1);
    object('k-b', contentAt('b').content_uuid!, 2);
    const dir = join(tmp.path, 'snapshots');
    mkdirSync(dir);
    snap = await snapshotDatabase(made.lib.db, dir, { library_id: made.lib.config.id, library_name: 'G', made_at: 1 });
  });
  after(() => {
    made.lib.close();
    tmp.cleanup();
  });

  it('rot and lost objects found after the snapshot are in the database restored; a rotten file it does not know is brought in, an object is left out', async () => {
    const { store } = made.lib;
    made.file('pics', 'c', Buffer.from('content c, added after the snapshot '.repeat(4)));
    object('k-c', contentAt('c').content_uuid!, 3);
    for (const rel of ['a', 'c']) {
      const f = contentAt(rel);
      store.rot.put({ entry_id: f.id, content_id: store.contents.byUuid(f.content_uuid!)!.id, size: 100, expected: hash(4), found: hash(5), found_at: 7 });
    }
    store.buckets.markLost(volume, 'k-a', 8, 'is gone (deleted outside vss)');
    store.buckets.markLost(volume, 'k-c', 8, 'is gone (deleted outside vss)');
    const observations = observationsOf(store, made.lib.deviceId);
    assert.deepEqual([observations.rot.length, observations.lost.length], [2, 2]);
    const cUuid = contentAt('c').content_uuid!;
    const cFacts = made.lib.store.entries.byId(contentAt('c').id)!;
    const { layout, device } = made.lib;
    made.lib.close();

    const done = await restoreDatabase(snap.path, layout, { device, epoch: 'restored-epoch', cancelNote: 'restored', also: () => undefined, observations });
    assert.deepEqual(done.carried, { rot: 2, lost: 1 });
    assert.equal(existsSync(stagedDatabase(layout)), false);

    made = { ...made, lib: new Installation({ dataDir: join(tmp.path, 'one', 'data') }).openLibrary(layout.root) };
    const again = made.lib.store;
    assert.equal(again.syncMeta.get('epoch'), 'restored-epoch');
    const c = again.entries.fileAt(made.loc.pics!, 'c');
    assert.deepEqual(c && [c.content_uuid, c.size, c.inode, c.mtime_ms, c.ctime_ms], [cUuid, cFacts.size, cFacts.inode, cFacts.mtime_ms, cFacts.ctime_ms],
      'c, which the snapshot does not know, is there as the scan saw it, a copy of its content: the next scan does not take it for a new one');
    assert.deepEqual(again.rot.list(10).map((r) => [r.rel_path, r.content_uuid, r.found, r.found_at]), [['a', contentAt('a').content_uuid, hash(5), 7], ['c', cUuid, hash(5), 7]]);
    assert.deepEqual([again.buckets.object(volume, 'k-a')?.lost_at, again.buckets.object(volume, 'k-a')?.lost_why], [8, 'is gone (deleted outside vss)']);
    assert.equal(again.buckets.object(volume, 'k-b')?.lost_at, null, 'an object found as recorded stays a copy');
    assert.equal(again.buckets.object(volume, 'k-c'), undefined);
  });
});
