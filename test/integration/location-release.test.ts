import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vss, addLocation, reconcile, requestSidecar, scanLocation, type Library } from '../internals.js';
import { defaultGeneratorSettings } from '../../src/jobs/settings.js';
import { runJobs } from '../../src/jobs/run-jobs.js';
import { RELEASED_JOB_NOTE } from '../../src/indexer/release-orphans.js';
import { sidecarAbsPath, sidecarAddress } from '../../src/sidecars/address.js';
import { SidecarManager } from '../../src/sidecars/manager.js';
import { watchLocations, type LocationWatching } from '../../src/locations/watch/watch-locations.js';
import type { SidecarChange } from '../../src/core/events.js';
import { FIXTURES, FIXTURES_SKIP, REPO, tempDir } from '../helpers.js';
import { contentUuidAt } from '../support/entries.js';

/** Every wait is bounded: poll until the condition holds or the deadline passes. */
async function until(what: string, check: () => boolean, ms = 20_000): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - start;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const uuidAt = (lib: Library, loc: number, rel: string) => contentUuidAt(lib, rel, loc);
const contentExists = (lib: Library, uuid: string) => lib.store.contents.byUuid(uuid) !== undefined;
const PHOTO = () => join(FIXTURES, 'exif', 'Canon_40D.jpg');
const OTHER_PHOTO = () => join(FIXTURES, 'exif', 'gps', 'DSCN0010.jpg');
const THIRD_PHOTO = () => join(FIXTURES, 'exif', 'orientation', 'landscape_1.jpg');
const VIDEO = () => join(FIXTURES, 'video', 'photoprism-blue-go-video.mp4');

describe('watched contents that disappear release their sidecars', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-release-watch-');
  const tree = join(tmp.path, 'photos');
  const dataDir = join(tmp.path, 'data');
  let lib: Library;
  let watching: LocationWatching;
  let loc = 0;
  const events: SidecarChange[] = [];

  before(async () => {
    mkdirSync(join(tree, 'in'), { recursive: true });
    lib = new Vss({ dataDir }).createLibrary('R', tmp.path);
    loc = addLocation(lib, tree, { mode: 'deep', generation: 'thumb=grid@1x' }).id;
    lib.events.on('sidecar:changed', (e) => events.push(e));
    watching = await watchLocations(lib, { generation: () => defaultGeneratorSettings(lib), debounceMs: 300, orphanGraceMs: 1500, orphanMaxDelayMs: 4000 });
  });
  after(async () => { await watching.close(); lib.close(); tmp.cleanup(); });

  it('a deleted photo\'s thumbnail file and records go after the sweep; a queued job is cancelled, not failed', async () => {
    copyFileSync(PHOTO(), join(tree, 'in', 'made.jpg'));
    await until('the photo queued', () => { const u = uuidAt(lib, loc, 'in/made.jpg'); return u !== undefined && lib.store.jobs.list({ contentUuid: u }).length > 0; });
    await runJobs(lib, { dataDir, untilIdle: true, nice: false });
    const made = uuidAt(lib, loc, 'in/made.jpg')!;
    const a = sidecarAddress(made, 'thumb', 'grid@1x');
    assert.equal(new SidecarManager(lib).get(a)?.status, 'ready');
    const file = sidecarAbsPath(lib.root, a);
    assert.ok(existsSync(file));
    // A second photo whose job is still queued when it goes.
    copyFileSync(OTHER_PHOTO(), join(tree, 'in', 'waiting.jpg'));
    await until('the second photo queued', () => { const u = uuidAt(lib, loc, 'in/waiting.jpg'); return u !== undefined && lib.store.jobs.list({ contentUuid: u, status: 'queued' }).length > 0; });
    const waiting = uuidAt(lib, loc, 'in/waiting.jpg')!;

    rmSync(join(tree, 'in', 'made.jpg'));
    rmSync(join(tree, 'in', 'waiting.jpg'));
    await until('both contents released', () => !contentExists(lib, made) && !contentExists(lib, waiting));
    assert.equal(existsSync(file), false, 'the thumbnail file is deleted');
    for (const u of [made, waiting]) {
      assert.deepEqual(lib.store.sidecars.statesOfContent(u), [], 'no sidecar records');
      assert.deepEqual(lib.store.availability.ofDevice(lib.device.uuid).filter((r) => r.content_uuid === u && r.has === 1), []);
    }
    assert.ok(events.some((e) => e.contentUuid === made && e.kind === 'thumb' && e.variant === 'grid@1x' && e.status === 'absent'), 'an absent event');
    const jobs = lib.store.jobs.list({ contentUuid: waiting }).map(({ status, note }) => ({ status, note }));
    assert.ok(jobs.length > 0);
    for (const j of jobs) assert.deepEqual(j, { status: 'cancelled', note: RELEASED_JOB_NOTE });
    assert.deepEqual(requestSidecar(lib, defaultGeneratorSettings(lib), made, 'thumb', 'grid@1x'), { state: 'unavailable', reason: 'no such content in this library' });
    // Maintenance afterwards finds nothing to record missing.
    const r = await reconcile(lib);
    assert.equal(r.missing, 0);
    assert.deepEqual([made, waiting].flatMap((u) => lib.store.sidecars.statesOfContent(u)), []);
  });

  it('changes that never pause do not hold the release off for ever', async () => {
    copyFileSync(THIRD_PHOTO(), join(tree, 'in', 'third.jpg'));
    writeFileSync(join(tree, 'busy.log'), 'start\n');
    await until('the photo identified', () => uuidAt(lib, loc, 'in/third.jpg') !== undefined);
    const uuid = uuidAt(lib, loc, 'in/third.jpg')!;
    await watching.idle();
    rmSync(join(tree, 'in', 'third.jpg'));
    // A file changed every 0.5 s, well inside the 1.5 s grace: only the maximum delay lets the sweep run.
    const start = Date.now();
    let released = 0;
    while (Date.now() - start < 15_000) {
      appendFileSync(join(tree, 'busy.log'), `${Date.now()}\n`);
      await sleep(500);
      if (!contentExists(lib, uuid)) { released = Date.now() - start; break; }
    }
    assert.ok(released > 0, 'released while changes kept coming');
    assert.ok(released < 10_000, `released after ${released} ms`);
  });
});

describe('a file still being written is indexed once, when it settles', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-settle-');
  const tree = join(tmp.path, 'camera');
  const dataDir = join(tmp.path, 'data');
  let lib: Library;
  let watching: LocationWatching;
  let loc = 0;

  before(async () => {
    mkdirSync(join(tree, 'import'), { recursive: true });
    lib = new Vss({ dataDir }).createLibrary('S', tmp.path);
    loc = addLocation(lib, tree, { mode: 'deep', generation: 'thumb=grid@1x' }).id;
    // The default settle time; a short orphan grace so that throwaway contents would show as jobs.
    watching = await watchLocations(lib, { generation: () => defaultGeneratorSettings(lib), debounceMs: 300, orphanGraceMs: 60_000 });
    await watching.idle();
  });
  after(async () => { await watching.close(); lib.close(); tmp.cleanup(); });

  it('a slow writer (16 chunks over 4 s) yields exactly one content and one set of jobs', async () => {
    const bytes = readFileSync(VIDEO());
    const target = join(tree, 'import', 'clip.mp4');
    const chunks = 16;
    const seen = new Set<string>();
    writeFileSync(target, '');
    for (let i = 0; i < chunks; i++) {
      appendFileSync(target, bytes.subarray(Math.floor((i * bytes.length) / chunks), Math.floor(((i + 1) * bytes.length) / chunks)));
      await sleep(250);
      const u = uuidAt(lib, loc, 'import/clip.mp4');
      if (u) seen.add(u);
    }
    const finished = Date.now();
    await until('the finished file identified and queued', () => {
      const u = uuidAt(lib, loc, 'import/clip.mp4');
      return u !== undefined && lib.store.jobs.list({ contentUuid: u }).length > 0;
    });
    const ms = Date.now() - finished;
    await watching.idle();
    const uuid = uuidAt(lib, loc, 'import/clip.mp4')!;
    assert.equal(lib.store.contents.count(), 1, 'one content');
    assert.deepEqual([...seen].filter((u) => u !== uuid), [], 'no content of a partial file was ever linked');
    const jobs = lib.store.jobs.list();
    assert.ok(jobs.length > 0);
    assert.ok(jobs.every((j) => j.content_uuid === uuid), 'every job is for the finished file');
    assert.equal(new Set(jobs.map((j) => j.kind)).size, jobs.length, 'one job per kind');
    assert.ok(ms < 5000, `indexed ${ms} ms after the last write`);
  });

  it('a photo dropped in whole is still indexed within about two seconds', async () => {
    const started = Date.now();
    copyFileSync(PHOTO(), join(tree, 'import', 'dropped.jpg'));
    await until('the dropped photo identified', () => uuidAt(lib, loc, 'import/dropped.jpg') !== undefined, 10_000);
    const ms = Date.now() - started;
    assert.ok(ms < 3000, `indexed after ${ms} ms`);
  });
});

describe('releasing survives a kill between its records and its files', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-release-crash-');
  const tree = join(tmp.path, 'photos');
  const dataDir = join(tmp.path, 'data');

  it('leaves no record without its file, and reconcile removes the files left', async () => {
    mkdirSync(tree, { recursive: true });
    copyFileSync(PHOTO(), join(tree, 'p.jpg'));
    let lib = new Vss({ dataDir }).createLibrary('C', tmp.path);
    const root = lib.root;
    const loc = addLocation(lib, tree, { mode: 'deep', generation: 'thumb=grid@1x' }).id;
    await scanLocation(lib, loc);
    await runJobs(lib, { dataDir, untilIdle: true, nice: false });
    const uuid = uuidAt(lib, loc, 'p.jpg')!;
    const file = sidecarAbsPath(root, sidecarAddress(uuid, 'thumb', 'grid@1x'));
    assert.ok(existsSync(file));
    lib.close();

    rmSync(join(tree, 'p.jpg'));
    // A full scan in another process removes the entry and releases the content: killed right after the commit.
    const script = `
      const { Vss, scanLocation } = await import(${JSON.stringify(join(REPO, 'dist/test/internals.js'))});
      const lib = new Vss({ dataDir: ${JSON.stringify(dataDir)} }).openLibrary(${JSON.stringify(root)});
      await scanLocation(lib, ${loc});
      lib.close();`;
    const code = await new Promise<number | null>((res) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, VSS_CRASH_AT: 'release:after-commit' }, stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('close', (c) => res(c));
    });
    assert.equal(code, null, 'killed at the crash point');

    lib = new Vss({ dataDir }).openLibrary(root);
    try {
      assert.equal(contentExists(lib, uuid), false);
      assert.deepEqual(lib.store.sidecars.statesOfContent(uuid), [], 'no record left');
      assert.ok(existsSync(file), 'the file outlived the kill');
      const r = await reconcile(lib);
      assert.ok(r.orphans_removed >= 1);
      assert.equal(existsSync(file), false, 'reconcile removed it');
      assert.deepEqual(lib.store.sidecars.statesOfContent(uuid), [], 'and recorded nothing missing');
    } finally {
      lib.close();
      tmp.cleanup();
    }
  });
});
