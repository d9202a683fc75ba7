/**
 * `node dist/bench/foreground-bench.js [--clips N] [--requests R]`
 *
 * Why a `sidecars path` request gets a slot of its own: with the CPU budget's slots busy with
 * long background jobs (proxies of 20 s clips, budget 1), R thumbnails are asked for one after
 * another, each when the last is ready, and the time from request to ready is measured. The
 * anchor is the same runner without the foreground slot (the request only jumps the queue and
 * waits for a slot to free); the cost side is the time until the whole queue is done.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { ffmpegTools } from '../src/generators/tools/ffmpeg.js';
import { defaultJobKinds } from '../src/jobs/default-kinds.js';
import { requestSidecar } from '../src/jobs/request-sidecar.js';
import { JobRunner } from '../src/jobs/runner.js';
import { generatorSettings } from '../src/jobs/settings.js';
import { Installation } from '../src/library/installation.js';
import { addLocation, scanLocation } from '../src/locations/locations.js';
import { benchArgs, freshDir, median, rmrf } from './util.js';

const args = benchArgs('foreground-bench [--clips N] [--requests R]', { clips: { default: 3, min: 1 }, requests: { default: 5, min: 1 } }, []);
const root = freshDir(tmpdir(), 'vss-foreground-bench-');
const clip = join(root, 'clip.mp4');
execFileSync(ffmpegTools().ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=20', '-c:v', 'libx264', '-preset', 'ultrafast', clip]);
const photoFiles: string[] = [];
for (let i = 0; i < args.requests; i++) {
  const p = join(root, `photo${i}.jpg`);
  await sharp({ create: { width: 4000, height: 3000, channels: 3, background: { r: 30 * i, g: 120, b: 60 } } }).jpeg().toFile(p);
  photoFiles.push(p);
}

async function scenario(foregroundSlots: number): Promise<{ latencies: number[]; totalS: number }> {
  const dir = freshDir(root, `slots${foregroundSlots}-`);
  const lib = new Installation({ dataDir: join(dir, 'data') }).createLibrary('B', dir);
  try {
    const videos = join(dir, 'videos');
    const photos = join(dir, 'photos');
    mkdirSync(videos);
    mkdirSync(photos);
    for (let i = 0; i < args.clips; i++) {
      copyFileSync(clip, join(videos, `v${i}.mp4`));
      appendFileSync(join(videos, `v${i}.mp4`), Buffer.from([i]));
    }
    for (const [i, p] of photoFiles.entries()) copyFileSync(p, join(photos, `p${i}.jpg`));
    await scanLocation(lib, addLocation(lib, videos, { mode: 'deep', generation: 'proxy=quick' }).id);
    await scanLocation(lib, addLocation(lib, photos, { mode: 'deep', generation: 'none' }).id);
    const uuids = (lib.db.prepare("SELECT uuid FROM content_identities WHERE kind = 'image' ORDER BY uuid").all() as Array<{ uuid: string }>).map((r) => r.uuid);
    const settings = { ...generatorSettings(lib, join(dir, 'data')), threads: 1 };
    const stop = new AbortController();
    const runner = new JobRunner(lib, { kinds: defaultJobKinds(), settings, concurrency: 1, foregroundSlots, signal: stop.signal });
    const t0 = Date.now();
    const running = runner.run();
    const idle = runner.whenIdle();
    await waitFor(() => lib.db.prepare("SELECT 1 FROM jobs WHERE kind = 'proxy' AND status = 'running'").get() !== undefined);
    const latencies: number[] = [];
    for (const uuid of uuids) {
      const asked = Date.now();
      requestSidecar(lib, settings, uuid, 'thumb', 'grid@1x');
      await waitFor(() => requestSidecar(lib, settings, uuid, 'thumb', 'grid@1x').state === 'ready');
      latencies.push(Date.now() - asked);
    }
    await idle;
    const totalS = (Date.now() - t0) / 1000;
    stop.abort();
    await running;
    return { latencies, totalS };
  } finally {
    lib.close();
  }
}

async function waitFor(cond: () => boolean): Promise<void> {
  const end = Date.now() + 600_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('the bench waited ten minutes: something is stuck');
    await sleep(10);
  }
}

console.log(`${args.clips} proxies of a 20 s 640×360 clip in the background (budget 1); ${args.requests} thumbnails of 12 MP JPEGs asked for one after another:`);
for (const slots of [0, 1]) {
  const r = await scenario(slots);
  const label = slots === 0 ? 'anchor, priority only (waits for the slot)' : 'with one foreground slot               ';
  console.log(`  ${label}: request → ready median ${median(r.latencies)} ms, max ${Math.max(...r.latencies)} ms; whole queue ${r.totalS.toFixed(1)} s`);
}
rmrf(root);
