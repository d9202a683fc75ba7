import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ffmpegTools } from '../generators/tools/ffmpeg.js';
import { Installation as Vss } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import { FIXTURES_SKIP, tempDir } from '../../test/helpers.js';
import { baseName, killRecorded, markedProcesses, PROC_SKIP, type MarkedProcess } from '../../test/process-tree.js';
import { startJobWork, type JobWork } from './job-work.js';

const VIDEOS = 2;

describe('two libraries worked in one process share the CPU budget (real generators and ffmpeg)', { skip: FIXTURES_SKIP || PROC_SKIP }, () => {
  const tmp = tempDir();
  const dataDir = join(tmp.path, 'data');
  const mark = randomUUID();
  const libs: Library[] = [];
  let works: JobWork[] = [];
  const seen = new Map<number, MarkedProcess>();

  before(async () => {
    const vss = new Vss({ dataDir });
    const clip = join(tmp.path, 'clip.mp4');
    execFileSync(ffmpegTools().ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=4', '-c:v', 'libx264', '-preset', 'ultrafast', clip]);
    for (const name of ['A', 'B']) {
      const lib = vss.createLibrary(name, tmp.path);
      libs.push(lib);
      const videos = join(tmp.path, `videos-${name}`);
      mkdirSync(videos);
      for (let i = 0; i < VIDEOS; i++) {
        copyFileSync(clip, join(videos, `v${i}.mp4`));
        appendFileSync(join(videos, `v${i}.mp4`), Buffer.from([i, name.charCodeAt(0)]));
      }
      await scanLocation(lib, addLocation(lib, videos, { mode: 'deep', generation: 'proxy=quick' }).id);
      assert.equal(lib.store.jobs.counts().queued, VIDEOS);
    }
    process.env.VSS_TEST_MARK = mark;
  });
  after(async () => {
    await Promise.all(works.map((w) => w.stop()));
    delete process.env.VSS_TEST_MARK;
    killRecorded([...seen.values()]);
    for (const lib of libs) lib.close();
    tmp.cleanup();
  });

  it('with a budget of one core, one ffmpeg runs at a time over both libraries, and both get their proxies', async () => {
    let running = 0;
    let peakJobs = 0;
    for (const lib of libs) {
      lib.events.on('jobs:job', (j) => {
        running += j.status === 'running' ? 1 : -1;
        peakJobs = Math.max(peakJobs, running);
      });
    }
    works = libs.map((lib) => startJobWork(lib, { dataDir, cpuBudget: 1 }));
    let peakTools = 0;
    const idle = Promise.all(works.map((w) => w.waitUntilIdle()));
    let done = false;
    void idle.then(() => { done = true; }, () => { done = true; });
    const end = Date.now() + 120_000;
    while (!done) {
      if (Date.now() > end) throw new Error('the proxies were not made within 120 s');
      const ffmpegs = markedProcesses(mark).filter((p) => baseName(p) === 'ffmpeg');
      for (const p of ffmpegs) seen.set(p.pid, p);
      peakTools = Math.max(peakTools, ffmpegs.length);
      await sleep(50);
    }
    const summaries = await idle;
    assert.deepEqual(summaries.map((s) => s.completed), [VIDEOS, VIDEOS], JSON.stringify(summaries.map((s) => s.errors)));
    assert.equal(peakJobs, 1, 'one job at a time over both libraries');
    assert.ok(seen.size >= 2, `ffmpeg seen at work (${seen.size} processes)`);
    assert.equal(peakTools, 1, 'never two ffmpeg at once');
    for (const lib of libs) {
      assert.equal(lib.store.sidecars.ofKindWithStatus('proxy', 'ready').length, VIDEOS);
    }
  });
});
