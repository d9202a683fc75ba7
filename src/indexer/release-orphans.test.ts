import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { Installation as Vss } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import { claimJobs } from '../jobs/queue.js';
import { JobStore } from '../store/jobs.js';
import { sidecarAbsPath, type SidecarAddress } from '../sidecars/address.js';
import { SidecarManager } from '../sidecars/manager.js';
import { PresenceIndex } from '../sidecars/presence-index.js';
import type { SidecarChange } from '../core/events.js';
import { tempDir } from '../../test/helpers.js';
import { contentUuidAt, entryAt } from '../../test/support/entries.js';
import { RELEASED_JOB_NOTE, releaseOrphanContents } from './release-orphans.js';

describe('releaseOrphanContents (real library, real files)', () => {
  const tmp = tempDir('vss-release-');
  const tree = join(tmp.path, 'tree');
  let lib: Library;
  let loc = 0;
  const uuidOf = (rel: string) => contentUuidAt(lib, rel)!;
  const thumb = (contentUuid: string): SidecarAddress => ({ contentUuid, kind: 'thumb', variant: 'grid@1x', format: 'webp' });

  before(async () => {
    mkdirSync(tree, { recursive: true });
    for (const name of ['gone.txt', 'busy.txt', 'converted.txt', 'kept.txt', 'referenced.txt']) writeFileSync(join(tree, name), `bytes of ${name}`);
    writeFileSync(join(tree, 'users-own-thumb.webp'), 'the user\'s own thumbnail');
    lib = new Vss({ dataDir: join(tmp.path, 'data') }).createLibrary('R', tmp.path);
    loc = addLocation(lib, tree, { mode: 'content' }).id;
    await scanLocation(lib, loc);
  });
  after(() => { lib.close(); tmp.cleanup(); });

  it('cancels jobs, drops records and files, keeps converted contents and the user\'s files, defers running work', async () => {
    const manager = new SidecarManager(lib);
    const store = new JobStore(lib.db);
    const [gone, busy, converted, kept, referenced] = ['gone.txt', 'busy.txt', 'converted.txt', 'kept.txt', 'referenced.txt'].map(uuidOf) as [string, string, string, string, string];
    // gone: a ready thumbnail vss made, a queued job, a "never" verdict.
    manager.writeGenerated(thumb(gone), Buffer.from('a thumbnail'), 'test');
    manager.markNotApplicable({ contentUuid: gone, kind: 'ocr', variant: 'default', format: 'json' }, 'no text');
    store.enqueue({ kind: 'transcript', contentUuid: gone, priority: 10, maxAttempts: 3 });
    // busy: a job running right now (its runner could be another process).
    store.enqueue({ kind: 'thumb', contentUuid: busy, priority: 10, maxAttempts: 3 });
    manager.writeGenerated({ ...thumb(busy), variant: 'icon@1x' }, Buffer.from('icon'), 'test');
    const [running] = claimJobs(lib.store, 1, { room: new Map([['thumb', 1]]) });
    assert.equal(running?.content_uuid, busy);
    // converted: a ready converted sidecar is the only copy of its bytes.
    const movie = Buffer.from('a converted movie');
    const movieAt = { contentUuid: converted, kind: 'live_photo_video' as const, variant: 'original', format: 'mov' };
    manager.writeGenerated(movieAt, movie, 'test');
    manager.record(movieAt, { status: 'ready', source: 'converted', size: movie.length, checksum: blake3(movie).toString('hex'), sourceEntryId: null, error: null });
    // referenced: its thumbnail is a file of the user's, tracked where it is.
    const own = entryAt(lib, 'users-own-thumb.webp')!;
    manager.createReferenceSidecar({ contentUuid: referenced, kind: 'thumb', variant: 'grid@1x', format: 'webp', sourceEntryId: own.id, size: own.size, checksum: 'ab' });
    manager.writeGenerated(thumb(kept), Buffer.from('kept thumbnail'), 'test');
    const presence = new PresenceIndex(lib);
    assert.equal(presence.presence([gone], 'thumb', ['grid@1x'])[0]!.status, 'ready');

    for (const name of ['gone.txt', 'busy.txt', 'converted.txt', 'referenced.txt']) rmSync(join(tree, name));
    await scanLocation(lib, loc, undefined, { removeOrphans: false });
    const events: SidecarChange[] = [];
    const off = lib.events.on('sidecar:changed', (e) => events.push(e));
    const first = releaseOrphanContents(lib);
    off();

    assert.deepEqual(first, { contents: 2, sidecars: 2, files: 1, jobs: 2, deferred: 1 });
    // gone: nothing of it is left.
    assert.equal(existsSync(sidecarAbsPath(lib.root, thumb(gone))), false, 'the thumbnail file is deleted');
    assert.equal(existsSync(join(sidecarAbsPath(lib.root, thumb(gone)), '..', '..')), false, 'and its content folder');
    assert.deepEqual(lib.store.notApplicable.knownOf(gone), [], 'no sidecar row, no not-applicable row');
    // Peers heard of its thumbnail: what is left is a numbered tombstone, so their next delta drops it.
    assert.deepEqual(lib.store.availability.ofDevice(lib.device.uuid).filter((r) => r.content_uuid === gone && (r.has === 1 || r.seq === null)), [], 'availability: only tombstones');
    assert.equal(lib.store.contents.byUuid(gone), undefined);
    const goneJob = store.list({ contentUuid: gone })[0]!;
    assert.equal(goneJob.status, 'cancelled');
    assert.equal(goneJob.note, RELEASED_JOB_NOTE);
    assert.ok(events.some((e) => e.contentUuid === gone && e.kind === 'thumb' && e.status === 'absent'));
    assert.equal(presence.presence([gone], 'thumb', ['grid@1x'])[0]!.status, 'absent', 'the presence index followed');
    // referenced: the record went, the user's file did not.
    assert.deepEqual(lib.store.sidecars.statesOfContent(referenced), []);
    assert.equal(readFileSync(join(tree, 'users-own-thumb.webp'), 'utf8'), 'the user\'s own thumbnail');
    // converted: kept whole.
    assert.equal(manager.get(movieAt)?.status, 'ready');
    assert.ok(existsSync(sidecarAbsPath(lib.root, movieAt)));
    // kept: still indexed, untouched.
    assert.equal(manager.get(thumb(kept))?.status, 'ready');
    // busy: its job is asked to stop (cancelled, as `jobs cancel` does), the content waits for it.
    assert.equal(store.get(running!.id)!.status, 'cancelled');
    assert.equal(store.get(running!.id)!.note, RELEASED_JOB_NOTE);
    assert.ok(lib.store.contents.byUuid(busy));

    // While the stopped run may still be writing (its sidecars generating), the content waits.
    manager.record({ ...thumb(busy) }, { status: 'generating', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: null });
    assert.equal(releaseOrphanContents(lib).deferred, 1);
    // The run ended (its sidecars settled): the next call releases the content.
    manager.record({ ...thumb(busy) }, { status: 'failed', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: 'cancelled' });
    assert.deepEqual(releaseOrphanContents(lib), { contents: 1, sidecars: 2, files: 1, jobs: 0, deferred: 0 });
    assert.equal(existsSync(sidecarAbsPath(lib.root, { ...thumb(busy), variant: 'icon@1x' })), false);
    assert.deepEqual(releaseOrphanContents(lib), { contents: 0, sidecars: 0, files: 0, jobs: 0, deferred: 0 }, 'nothing left');
    presence.close();
  });

  it('pages through many contents', async () => {
    const dir = join(tree, 'many');
    mkdirSync(dir);
    for (let i = 0; i < 1200; i++) writeFileSync(join(dir, `f${i}.txt`), `file ${i}`);
    await scanLocation(lib, loc);
    const before = lib.store.contents.count();
    rmSync(dir, { recursive: true });
    await scanLocation(lib, loc, undefined, { removeOrphans: false });
    assert.equal(releaseOrphanContents(lib).contents, 1200);
    assert.equal(lib.store.contents.count(), before - 1200);
  });
});
