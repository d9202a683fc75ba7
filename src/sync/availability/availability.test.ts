import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Installation } from '../../library/installation.js';
import { AvailabilityStore } from '../../store/availability.js';
import { tempDir } from '../../../test/helpers.js';
import { decodeChunk, encodePacked, type AvailabilityEntry } from './codec.js';
import { Availability } from './availability.js';

const SUM = (i: number) => (i % 16).toString(16).repeat(64);
const key = (e: AvailabilityEntry) => `${e.contentUuid}|${e.kind}|${e.variant}`;

describe('availability store: the pages a peer is sent', () => {
  it('sends a full set in index order, page by page, without removals, later changes or other devices\' rows; a delta by seq', () => {
    const tmp = tempDir('vss-avail-store-');
    const lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('Pages', join(tmp.path, 'lib'));
    try {
      const store = new Availability(lib);
      const local = lib.store.availability;
      // Another device's rows written as if they were its own: rows of that shape between this one's.
      const peer = new AvailabilityStore(lib.db, randomUUID());
      const contents = Array.from({ length: 60 }, () => randomUUID());
      lib.store.transaction(() => {
        contents.forEach((c, i) => {
          for (const v of ['grid@1x', 'icon@1x']) {
            local.set(c, 'thumb', v, 'webp', true, 100 + i, SUM(i), 1);
            peer.set(c, 'thumb', v, 'webp', true, 100 + i, SUM(i + 1), 1); // another device's rows sit between this one's in the index
          }
        });
        for (const c of contents.slice(0, 5)) local.remove(c, 'thumb', 'icon@1x', 2);
      });
      const want = contents.flatMap((c) => ['grid@1x', 'icon@1x'].map((v) => `${c}|thumb|${v}`))
        .filter((k) => !contents.slice(0, 5).some((c) => k === `${c}|thumb|icon@1x`)).sort();
      const header = (set: ReturnType<Availability['changesSince']>) =>
        ({ libraryId: lib.config.id, deviceUuid: lib.device.uuid, epoch: set.epoch, fromSeq: set.fromSeq, toSeq: set.toSeq, full: set.full });
      const pages = (set: ReturnType<Availability['changesSince']>) =>
        [...set.packed()].map((p) => [...decodeChunk(encodePacked(header(set), p.text, p.count)).entries()]);

      const full = store.changesSince(0, null, 7);
      // A change after the set was taken gets a number above toSeq: the next delta brings it, not this set.
      local.set(randomUUID(), 'thumb', 'grid@1x', 'webp', true, 1, SUM(1), 3);
      const got = pages(full);
      assert.equal(got.length, Math.ceil(want.length / 7) + (want.length % 7 === 0 ? 1 : 0));
      assert.ok(got.slice(0, -1).every((p) => p.length === 7));
      assert.deepEqual(got.flat().map(key), want, 'every ready row once, in (content, kind, variant) order');
      assert.ok(got.flat().every((e) => e.has && e.size !== null && e.checksum !== null));
      const byRows = [...full.chunks()].flat().map(key).sort();
      assert.deepEqual(byRows, want, 'the same set as the rows by seq');

      const delta = store.changesSince(full.toSeq, full.epoch, 7);
      assert.equal(delta.full, false);
      const changed = pages(delta).flat();
      assert.equal(changed.length, 1);
      const empty = pages(store.changesSince(store.seq(), full.epoch, 7));
      assert.deepEqual(empty, [[]], 'nothing new: one empty page');
    } finally {
      lib.close();
      tmp.cleanup();
    }
  });
});
