import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { JobsPaused } from '../core/events.js';
import { Installation as Vss } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import { tempDir } from '../../test/helpers.js';
import { fillDisk, freeDisk, mountSmallDisk } from '../../test/support/small-disk.js';
import { defaultJobKinds } from './default-kinds.js';
import { JobRunner } from './runner.js';
import { defaultGeneratorSettings } from './settings.js';
import { diskFullPause } from './disk-full.js';

const PHOTOS = 4;

/**
 * A runner that keeps running (as the daemon will) on a real full disk: it pauses once, says
 * where and how much is free, waits without spending attempts, and goes on by itself once space
 * is freed.
 */
describe('a long job run waits out a full disk and goes on when space is back (real tmpfs, real thumbnails)', () => {
  const tmp = tempDir();
  let lib: Library;
  let disk: ReturnType<typeof mountSmallDisk> = { skip: 'not mounted yet' };

  before(async () => {
    const vss = new Vss({ dataDir: join(tmp.path, 'data') });
    lib = vss.createLibrary('D', tmp.path);
    disk = mountSmallDisk(lib.layout.sidecarsDir, '1m');
    const tree = join(tmp.path, 'photos');
    mkdirSync(tree);
    for (let i = 0; i < PHOTOS; i++) {
      await sharp({ create: { width: 300, height: 200, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 80 + i * 9, sigma: 30 } } }).jpeg().toFile(join(tree, `p${i}.jpg`));
    }
    const loc = addLocation(lib, tree, { mode: 'deep', generation: 'thumb=grid@1x' });
    await scanLocation(lib, loc.id, undefined, { generation: defaultGeneratorSettings(lib) });
  });
  after(() => {
    lib.close();
    if ('unmount' in disk) disk.unmount();
    tmp.cleanup();
  });

  it('pauses, spends no attempt, and resumes by itself', async (t) => {
    if ('skip' in disk) return t.skip(disk.skip);
    const store = lib.store.jobs;
    assert.equal(store.counts().queued, PHOTOS);
    const filler = fillDisk(lib.layout.sidecarsDir);
    const stop = new AbortController();
    const paused: JobsPaused[] = [];
    let resumed = 0;
    const offPaused = lib.events.on('jobs:paused', (p) => {
      paused.push(p);
      // Space comes back a little later, as when a user deletes something.
      setTimeout(() => freeDisk(filler), 150);
    });
    const offResumed = lib.events.on('jobs:resumed', () => resumed++);
    const offJob = lib.events.on('jobs:job', () => {
      if (store.counts().completed === PHOTOS) stop.abort();
    });
    // Bounded: whatever happens, the runner is stopped within 60 s.
    const guard = setTimeout(() => stop.abort(), 60_000);
    const summary = await new JobRunner(lib, {
      kinds: defaultJobKinds(), settings: defaultGeneratorSettings(lib), untilIdle: false, pollMs: 20, diskRecheckMs: 50, signal: stop.signal,
    }).run();
    clearTimeout(guard);
    offPaused(); offResumed(); offJob();

    assert.equal(paused.length, 1, 'one pause, however many jobs hit the full disk');
    assert.equal(paused[0]!.path, lib.layout.sidecarsDir);
    assert.ok(paused[0]!.freeBytes < 64 * 1024 && paused[0]!.totalBytes === 1024 * 1024, JSON.stringify(paused[0]));
    assert.equal(resumed, 1);
    assert.equal(summary.failed, 0);
    assert.equal(summary.paused, null, 'the run ended with space back');
    const jobs = store.list({ kind: 'thumb' });
    assert.deepEqual(jobs.map((j) => [j.status, j.attempts]), jobs.map(() => ['completed', 1]), 'the waits spent no attempt');
  });
});

describe('which disk a pause names', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('the sidecars\' disk when a tool names the file it was reading; the library\'s for its own files', () => {
    const lib = new Vss({ dataDir: join(tmp.path, 'data') }).createLibrary('W', tmp.path);
    try {
      const full = (path: string) => Object.assign(new Error('No space left on device'), { code: 'ENOSPC', path });
      // ffmpeg making a proxy fails with its input's path: that disk did not fill.
      assert.equal(diskFullPause(lib, full(join(tmp.path, 'videos', 'long.mp4'))).path, lib.layout.sidecarsDir);
      assert.equal(diskFullPause(lib, full(join(lib.layout.sidecarsDir, 'content', 'x.webp'))).path, lib.layout.sidecarsDir);
      assert.equal(diskFullPause(lib, full(join(lib.layout.scratchDir, 'job-1', 'audio.s16le'))).path, lib.root);
      assert.match(diskFullPause(lib, full('/elsewhere/a.mp4')).message, /^the disk holding .*sidecars is full \(/);
    } finally {
      lib.close();
    }
  });
});
