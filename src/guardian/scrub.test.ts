import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, openSync, readFileSync, statSync, utimesSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import type { RotFound } from '../core/events.js';
import { tempDir } from '../../test/helpers.js';
import { guardianStatus } from './redundancy.js';
import { repairRotten } from './repair.js';
import { scrubLocation } from './scrub.js';
import { queueDueScrub, queueScrub, runScrub, SCRUB_SCHEDULED_PRIORITY } from './scrub-job.js';
import type { JobRunContext } from '../jobs/job-kind.js';
import type { ScrubResult } from '../wire/guardian.js';
import { writeScrubSettings } from './scrub-settings.js';

/** Flip one byte of PATH at AT, its size and times kept: rot as a disk makes it. */
function rot(path: string, at: number): void {
  const st = statSync(path);
  const bytes = readFileSync(path);
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.from([bytes[at]! ^ 0xff]), 0, 1, at);
  closeSync(fd);
  utimesSync(path, st.atime, st.mtime);
}

/**
 * A scrub on a real library and folder (issue 30 item 5): matches verified, rot recorded and
 * told, an edit left to the indexer, a pass that stops goes on from where it stopped; repair
 * from another file of the content.
 */
describe('guardian: scrub finds rot', () => {
  const tmp = tempDir('vss-scrub-');
  const dir = join(tmp.path, 'photos');
  let vss: Installation;
  let lib: Library;
  let loc: number;
  const big = randomBytes(3 * 1024 * 1024);

  before(async () => {
    mkdirSync(join(dir, 'a'), { recursive: true });
    mkdirSync(join(dir, 'b'));
    for (let i = 0; i < 6; i++) writeFileSync(join(dir, `f${i}.txt`), `file ${i}\n`);
    writeFileSync(join(dir, 'a', 'same.txt'), 'the same bytes twice\n');
    writeFileSync(join(dir, 'b', 'same.txt'), 'the same bytes twice\n');
    writeFileSync(join(dir, 'big.bin'), big);
    vss = new Installation({ dataDir: join(tmp.path, 'data') });
    lib = vss.createLibrary('S', tmp.path);
    // A small sampling threshold: big.bin's content id is sampled, as a large video's is.
    (lib.config.settings as { hashThresholdBytes: number }).hashThresholdBytes = 1;
    loc = addLocation(lib, dir, { mode: 'content' }).id;
    await scanLocation(lib, loc);
  });
  after(() => {
    lib?.close();
    tmp.cleanup();
  });

  const entryOf = (rel: string) => lib.store.entries.fileAt(loc, rel)!.id;

  it('a first pass verifies every file and learns the whole BLAKE3 of a sampled content', async () => {
    assert.deepEqual(await scrubLocation(lib, loc, { rate: 0 }), { done: true });
    const s = lib.store.scrubs.get(loc)!;
    assert.deepEqual([s.files, s.rot, s.edited, s.started_at], [9, 0, 0, null]);
    for (const rel of ['f0.txt', 'a/same.txt', 'big.bin']) assert.ok(lib.store.entries.byId(entryOf(rel))!.verified_at! > 0, rel);
    const bigContent = lib.store.entries.byId(entryOf('big.bin'))!.content_id!;
    assert.match(lib.store.contents.blake3Of(bigContent) ?? '', /^[0-9a-f]{64}$/);
  });

  it('a flipped byte with size and time kept is rot: recorded, told, counted; one outside a sampled file\'s samples too', async () => {
    rot(join(dir, 'a', 'same.txt'), 3);
    // Between the samples of a sampled id (its head is 256 KiB): only the whole BLAKE3 learnt can tell.
    rot(join(dir, 'big.bin'), 300 * 1024 + 7);
    const told: RotFound[] = [];
    const off = lib.events.on('guardian:rot', (r) => told.push(r));
    await scrubLocation(lib, loc, { rate: 0 });
    off();
    assert.deepEqual(told.map((r) => r.path).sort(), ['a/same.txt', 'big.bin']);
    assert.equal(lib.store.scrubs.get(loc)!.rot, 2);
    assert.deepEqual(guardianStatus(lib).rot, { contents: 2, bytes: 21 + big.length });
    assert.deepEqual(lib.store.rot.list(10).map((r) => r.rel_path).sort(), ['a/same.txt', 'big.bin']);
    assert.equal(lib.store.entries.byId(entryOf('a/same.txt'))!.verified_at, null, 'a rotten copy is not verified any more');
    assert.ok(lib.store.entries.byId(entryOf('b/same.txt'))!.verified_at! > 0);
  });

  it('an edited file (its time changed) is not rot: its folder is rescanned and the new bytes linked', async () => {
    writeFileSync(join(dir, 'f1.txt'), 'file X\n');
    utimesSync(join(dir, 'f1.txt'), new Date(), new Date(Date.now() + 5000));
    const was = lib.store.entries.byId(entryOf('f1.txt'))!.content_id;
    await scrubLocation(lib, loc, { rate: 0 });
    const s = lib.store.scrubs.get(loc)!;
    assert.deepEqual([s.rot, s.edited], [2, 1]);
    assert.notEqual(lib.store.entries.byId(entryOf('f1.txt'))!.content_id, was, 'the rescan linked its new bytes');
  });

  it('a pass stopped mid-way goes on from the file after the last it checked, not from the start', async () => {
    let t = 0;
    const now = () => (t += 1000);
    // A clock that runs a second a look: UNTIL passes after a few files, and the pass is saved there.
    assert.deepEqual(await scrubLocation(lib, loc, { rate: 0, now, until: 8000 }), { done: false });
    const mid = lib.store.scrubs.get(loc)!;
    assert.ok(mid.started_at !== null && mid.after_id > 0);
    assert.ok(mid.files >= 1 && mid.files < 9, `${mid.files} files before it stopped`);
    assert.deepEqual(await scrubLocation(lib, loc, { rate: 0 }), { done: true });
    const end = lib.store.scrubs.get(loc)!;
    assert.equal(end.files, 9, 'each file once in the pass');
    assert.equal(end.started_at, null);
  });

  it('a scrub job gives its slot back when its slice is over and completes once every location\'s pass is done', async () => {
    const dataDir = join(tmp.path, 'data');
    writeScrubSettings(dataDir, { rate_mbps: 0 });
    const job = queueScrub(lib, [loc], 5);
    const ctx = { signal: new AbortController().signal, progress: () => undefined } as unknown as JobRunContext;
    const sliced = await runScrub(lib, dataDir, job, ctx, 0);
    assert.equal(sliced.state, 'wait', 'a slice of 0 ms stops at the first file');
    assert.ok(lib.store.scrubs.get(loc)!.started_at !== null, 'its pass saved, in progress');
    const done = await runScrub(lib, dataDir, job, ctx);
    assert.equal(done.state, 'completed');
    const result = JSON.parse((done as { result: string }).result) as ScrubResult;
    assert.deepEqual([result.files, result.locations[0]!.skipped], [9, null]);
    lib.store.jobs.cancel(job.id, ['queued']);
  });

  it('the daemon\'s schedule queues the most overdue location once, never a second scrub while one is open, nothing when off', () => {
    const dataDir = join(tmp.path, 'data');
    writeScrubSettings(dataDir, { every_days: 30 });
    assert.equal(queueDueScrub(lib, dataDir, Date.now()), null, 'scrubbed just now: not due');
    const job = queueDueScrub(lib, dataDir, Date.now() + 31 * 24 * 3600_000);
    assert.ok(job && job.kind === 'guardian-scrub' && job.priority === SCRUB_SCHEDULED_PRIORITY);
    assert.equal(queueDueScrub(lib, dataDir, Date.now() + 31 * 24 * 3600_000), null, 'one open already');
    lib.store.jobs.cancel(job.id, ['queued']);
    writeScrubSettings(dataDir, { every_days: 0 });
    assert.equal(queueDueScrub(lib, dataDir, Date.now() + 3650 * 24 * 3600_000), null, 'off');
  });

  it('repair: the rotten copy replaced from the other file of its content, the damaged one kept aside; none for the other', async () => {
    const [same, bigRot] = ['a/same.txt', 'big.bin'].map((rel) => lib.store.rot.list(10).find((r) => r.rel_path === rel)!);
    const out = await repairRotten(lib, same!);
    assert.ok('repaired' in out, JSON.stringify(out));
    assert.equal(readFileSync(join(dir, 'a', 'same.txt'), 'utf8'), 'the same bytes twice\n');
    assert.notEqual(readFileSync(out.repaired.damaged, 'utf8'), 'the same bytes twice\n');
    assert.match(out.repaired.damaged, /\/a\/\.vss-damaged-[0-9TZ-]+-same\.txt$/);
    assert.equal(lib.store.rot.has(entryOf('a/same.txt')), false);
    const refused = await repairRotten(lib, bigRot!);
    assert.ok('refused' in refused && /no verified copy/.test(refused.refused));
    assert.equal(lib.store.rot.has(entryOf('big.bin')), true, 'its rot stays recorded');
  });
});
