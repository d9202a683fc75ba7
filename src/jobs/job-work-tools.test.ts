import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobChange } from '../core/events.js';
import { ffmpegTools } from '../generators/tools/ffmpeg.js';
import { Installation as Vss } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { iterateContents } from '../content/list-contents.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../test/helpers.js';
import { baseName, describeProcess, isAlive, killRecorded, markedProcesses, PROC_SKIP, waitForMarked, type MarkedProcess } from '../../test/process-tree.js';
import { startJobWork, type JobWork } from './job-work.js';
import { requestSidecar } from './request-sidecar.js';
import { generatorSettings } from './settings.js';

const VIDEOS = 4;

/** Tools of this test (the marked processes), not the watchdog shell that lives as long as this process. */
const tools = (mark: string): MarkedProcess[] => markedProcesses(mark).filter((p) => baseName(p) !== 'sh');

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(10);
  }
}

describe('continuous job work with the real generators and tools', { skip: FIXTURES_SKIP || PROC_SKIP }, () => {
  const tmp = tempDir();
  const dataDir = join(tmp.path, 'data');
  const mark = randomUUID();
  let lib: Library;
  let work: JobWork | undefined;
  let photo: string;
  const events: Array<JobChange & { at: number }> = [];
  let seen: MarkedProcess[] = [];

  before(async () => {
    lib = new Vss({ dataDir }).createLibrary('T', tmp.path);
    const videos = join(tmp.path, 'videos');
    const photos = join(tmp.path, 'photos');
    mkdirSync(videos);
    mkdirSync(photos);
    // Slow background work: proxies of a 20 s clip, each copy its own content (a different trailing byte).
    // The clip is 2 s of testsrc2 repeated by stream copy: the same frames to encode, made in a tenth of the CPU.
    const clip = join(tmp.path, 'clip.mp4');
    const pattern = join(tmp.path, 'pattern.mp4');
    execFileSync(ffmpegTools().ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=2', '-c:v', 'libx264', '-preset', 'ultrafast', pattern]);
    execFileSync(ffmpegTools().ffmpeg, ['-v', 'error', '-y', '-stream_loop', '9', '-i', pattern, '-c', 'copy', clip]);
    for (let i = 0; i < VIDEOS; i++) {
      copyFileSync(clip, join(videos, `v${i}.mp4`));
      appendFileSync(join(videos, `v${i}.mp4`), Buffer.from([i]));
    }
    copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), join(photos, 'canon.jpg'));
    await scanLocation(lib, addLocation(lib, videos, { mode: 'deep', generation: 'proxy=quick' }).id);
    await scanLocation(lib, addLocation(lib, photos, { mode: 'deep', generation: 'none' }).id);
    photo = [...iterateContents(lib, { kind: 'image' })][0]!.content_uuid;
    assert.equal(lib.store.jobs.counts().queued, VIDEOS);
    lib.events.on('jobs:job', (e) => events.push({ ...e, at: Date.now() }));
    // Every tool the jobs start carries the mark (test/process-tree.ts finds them by it).
    process.env.VSS_TEST_MARK = mark;
  });
  after(async () => {
    await work?.stop();
    delete process.env.VSS_TEST_MARK;
    killRecorded(seen);
    lib.close();
    tmp.cleanup();
  });

  it('a path request for a missing thumbnail starts at once, ahead of the queued proxies', async () => {
    work = startJobWork(lib, { dataDir, cpuBudget: 1 });
    await until(() => events.some((e) => e.kind === 'proxy' && e.status === 'running'), 10_000, 'a proxy started');
    seen = await waitForMarked(mark, (p) => baseName(p) === 'ffmpeg', 20_000, 'ffmpeg');
    const asked = Date.now();
    const answer = requestSidecar(lib, generatorSettings(lib, dataDir), photo, 'thumb', 'grid@1x');
    assert.equal(answer.state, 'pending');
    await until(() => events.some((e) => e.kind === 'thumb' && e.status === 'running'), 3_000, 'the thumbnail job started');
    const started = events.find((e) => e.kind === 'thumb' && e.status === 'running')!.at;
    const proxiesBefore = events.filter((e) => e.kind === 'proxy' && e.status === 'running' && e.at <= started).length;
    assert.equal(proxiesBefore, 1, 'no queued proxy started before it');
    await until(() => events.some((e) => e.kind === 'thumb' && e.status === 'completed'), 20_000, 'the thumbnail made');
    const ready = requestSidecar(lib, generatorSettings(lib, dataDir), photo, 'thumb', 'grid@1x');
    assert.equal(ready.state, 'ready');
    assert.ok(ready.state === 'ready' && existsSync(ready.path));
    const stillQueued = lib.store.jobs.list({ kind: 'proxy', status: 'queued' }).length;
    assert.ok(stillQueued >= VIDEOS - 2, `proxies still queued behind it: ${stillQueued}`);
    // The measurement for the report.
    console.log(`# thumbnail job started ${started - asked} ms after the request, with the budget's one slot busy with a proxy`);
  });

  it('stop() mid-ffmpeg kills the tool and puts the job back without spending an attempt', async () => {
    assert.ok(work, 'work runs from the test before');
    const store = lib.store.jobs;
    await until(() => store.list({ kind: 'proxy', status: 'running' }).length === 1, 20_000, 'a proxy running');
    const job = store.list({ kind: 'proxy', status: 'running' })[0]!;
    seen = [...seen, ...await waitForMarked(mark, (p) => baseName(p) === 'ffmpeg' && isAlive(p), 20_000, 'ffmpeg of the proxy')];
    seen = [...seen, ...tools(mark)];
    const t = Date.now();
    await work!.stop();
    const took = Date.now() - t;
    work = undefined;
    assert.ok(took < 8_000, `stopped in ${took} ms`);
    await until(() => tools(mark).length === 0 && !seen.some(isAlive), 3_000, `tools ended (left: ${tools(mark).map(describeProcess).join('; ')})`);
    const after = store.get(job.id)!;
    assert.equal(after.status, 'queued');
    assert.equal(after.attempts, job.attempts - 1, 'the stopped attempt is given back');
    const [sidecar] = lib.store.sidecars.ofContentKind(job.content_uuid!, 'proxy');
    assert.deepEqual([sidecar?.status, sidecar?.attempts], ['pending', 0]);
    console.log(`# stop() took ${took} ms with ffmpeg running`);
  });
});
