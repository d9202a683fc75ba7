import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, constants, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import sharp from 'sharp';
import { Installation as Vss } from '../library/installation.js';
import { Library } from '../library/library.js';
import { iterateContents } from '../content/list-contents.js';
import { addLocation, scanLocation, setLocationPolicy } from '../locations/locations.js';
import { GeneratorError, type Generator, type GeneratorContext, type GeneratedOutput } from '../generators/types.js';
import { SidecarManager } from '../sidecars/manager.js';
import { tempDir } from '../../test/helpers.js';
import { generatorJobKind } from './generator-job.js';
import { JobKinds } from './job-kind.js';
import { retryJob } from './job-actions.js';
import { queueGeneration } from './queueing.js';
import { JobRunner } from './runner.js';
import type { JobStore } from '../store/jobs.js';
import { claimJobs } from './queue.js';

const SETTINGS = { ocrLanguages: ['eng'], models: {}, threads: 1 };
const SCHEDULE = { priority: 10, concurrency: 2, timeout: { baseMs: 10_000, perMiBMs: 0, maxMs: 10_000 } };
const PHOTOS = 3;

type Make = (ctx: GeneratorContext, call: number) => Promise<GeneratedOutput[]>;

/** A generator that keeps the contract (bytes per variant) and lets each test decide how a call goes. */
class TestThumbs implements Generator {
  readonly kind = 'thumb' as const;
  readonly name = 'test-thumbs';
  readonly version = '1';
  calls: Array<{ content: string; variants: string[] }> = [];
  available = true;
  make: Make = async (ctx) => ctx.variants.map((v) => ({ variant: v, format: 'webp', data: Buffer.from(`${ctx.source.contentUuid}/${v}`) }));
  accepts(): boolean { return true; }
  availability() { return this.available ? { ok: true as const } : { ok: false as const, reason: 'no test engine here' }; }
  generate(ctx: GeneratorContext): Promise<GeneratedOutput[]> {
    this.calls.push({ content: ctx.source.contentUuid, variants: [...ctx.variants] });
    return this.make(ctx, this.calls.length);
  }
}

/** A real system error, as Node's fs throws it. */
function sysError(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} failed`), { code, syscall, errno: -1 });
}

/** A real EAGAIN: a read from an empty FIFO opened without blocking. */
function realEagain(fifo: string): unknown {
  const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  try {
    readSync(fd, Buffer.alloc(16), 0, 16, null);
    return new Error('the FIFO had data');
  } catch (err) {
    return err;
  } finally {
    closeSync(fd);
  }
}

describe('generator jobs: retries, checksums, failures and stranded work (real library, real files)', () => {
  const tmp = tempDir();
  let vss: Vss;
  let lib: Library;
  let store: JobStore;
  let gen: TestThumbs;
  let contents: string[] = [];
  let tree = '';
  let libs = 0;

  const run = (opts: { timeoutMs?: number } = {}) => new JobRunner(lib, {
    kinds: new JobKinds([{ ...generatorJobKind(gen, SCHEDULE), ...(opts.timeoutMs ? { timeoutMs: () => opts.timeoutMs! } : {}) }]),
    settings: SETTINGS, untilIdle: true, pollMs: 20, backoffBaseMs: 10, concurrency: 2,
  }).run();
  /** The thumbnails of CONTENT (or of every content), by content and variant. */
  const sidecars = (content?: string) => (content ? [content] : contents).flatMap((c) => lib.store.sidecars.ofContentKind(c, 'thumb'));
  const jobs = () => store.list({ kind: 'thumb' });
  /** Every content's thumbnails wanted, as queueing records them. */
  const queueAll = () => assert.equal(queueGeneration(lib, { settings: SETTINGS, generators: [gen] }).queued, PHOTOS);

  before(async () => {
    vss = new Vss({ dataDir: join(tmp.path, 'data') });
    tree = join(tmp.path, 'photos');
    mkdirSync(tree);
    for (let i = 0; i < PHOTOS; i++) {
      await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 20 * i, g: 90, b: 10 } } }).png().toFile(join(tree, `p${i}.png`));
    }
  });
  after(() => { lib.close(); tmp.cleanup(); });

  /** A fresh library over the photos: no jobs, no sidecars; a generator that makes them. */
  beforeEach(async () => {
    lib?.close();
    const root = join(tmp.path, `lib${++libs}`);
    mkdirSync(root);
    lib = vss.createLibrary(`G${libs}`, root);
    store = lib.store.jobs;
    // Indexed with nothing to make, then wanting thumbnails: what queueing reads, with no job yet.
    const loc = addLocation(lib, tree, { mode: 'deep', generation: 'none' });
    await scanLocation(lib, loc.id);
    setLocationPolicy(lib, loc.id, 'thumb=grid@1x+grid@2x');
    contents = [...iterateContents(lib)].map((c) => c.content_uuid).sort();
    assert.equal(contents.length, PHOTOS);
    gen = new TestThumbs();
  });

  it('retries transient errors (EAGAIN, EIO, EMFILE) with backoff and makes the sidecars', async () => {
    queueAll();
    const fifo = join(tmp.path, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const eagain = realEagain(fifo);
    assert.equal((eagain as NodeJS.ErrnoException).code, 'EAGAIN');
    // Each content's first two attempts fail: a real EAGAIN, then EIO or EMFILE as fs throws them.
    const tries = new Map<string, number>();
    gen.make = async (ctx) => {
      const n = (tries.get(ctx.source.contentUuid) ?? 0) + 1;
      tries.set(ctx.source.contentUuid, n);
      if (n === 1) throw eagain;
      if (n === 2) throw sysError(ctx.source.contentUuid === contents[0] ? 'EIO' : 'EMFILE', 'read');
      return ctx.variants.map((v) => ({ variant: v, format: 'webp', data: Buffer.from(v) }));
    };
    const s = await run();
    assert.equal(s.failed, 0, JSON.stringify(s.errors));
    assert.equal(s.completed, PHOTOS);
    for (const j of jobs()) {
      assert.equal(j.status, 'completed');
      assert.equal(j.attempts, 3);
    }
    for (const r of sidecars()) {
      assert.equal(r.status, 'ready');
      assert.equal(r.attempts, 3, 'the sidecar counts the attempts that made it');
    }
  });

  it('fails the job and its sidecars after the last attempt; never leaves them pending', async () => {
    queueAll();
    gen.make = async () => { throw sysError('EIO', 'read'); };
    const s = await run();
    assert.equal(s.failed, PHOTOS);
    assert.equal(gen.calls.length, PHOTOS * 3);
    for (const j of jobs()) assert.deepEqual([j.status, j.attempts], ['failed', 3]);
    for (const r of sidecars()) {
      assert.equal(r.status, 'failed');
      assert.match(r.error ?? '', /EIO/);
      assert.equal(r.attempts, 3);
    }
  });

  it('retries a job that timed out, then fails it for good after its last attempt', async () => {
    queueAll();
    const hang = (ctx: GeneratorContext) => new Promise<GeneratedOutput[]>((_res, rej) => {
      ctx.signal.addEventListener('abort', () => rej(new GeneratorError('engine stopped', { permanent: true })));
    });
    let first = true;
    gen.make = async (ctx) => {
      if (ctx.source.contentUuid === contents[0]) return hang(ctx);
      if (first) { first = false; return hang(ctx); }
      return ctx.variants.map((v) => ({ variant: v, format: 'webp', data: Buffer.from(v) }));
    };
    const s = await run({ timeoutMs: 100 });
    const byContent = new Map(jobs().map((j) => [j.content_uuid, j]));
    assert.deepEqual([byContent.get(contents[0]!)!.status, byContent.get(contents[0]!)!.attempts], ['failed', 3], 'always hangs: three attempts');
    assert.match(byContent.get(contents[0]!)!.error ?? '', /timed out/);
    assert.equal(s.completed, PHOTOS - 1, 'the one that hung once made it on its next attempt');
    assert.ok(sidecars(contents[0]).every((r) => r.status === 'failed' && /timed out/.test(r.error ?? '')));
  });

  it('trusts a ready file only when its checksum matches, and remakes one whose bytes changed', async () => {
    queueAll();
    await run();
    const manager = new SidecarManager(lib);
    const [c0] = contents;
    const good = manager.get({ contentUuid: c0!, kind: 'thumb', variant: 'grid@1x', format: 'webp' })!;
    const bad = manager.get({ contentUuid: c0!, kind: 'thumb', variant: 'grid@2x', format: 'webp' })!;
    // Same size, other bytes: a size check alone would call it made.
    const bytes = readFileSync(bad.path!);
    writeFileSync(bad.path!, Buffer.from(bytes.map((b) => b ^ 0xff)));
    // Any reason for a job to run for this content: here the policy now also wants detail@1x.
    manager.recordPending({ contentUuid: c0!, kind: 'thumb', variant: 'detail@1x', format: 'webp' });
    lib.store.jobs.enqueue({ kind: 'thumb', contentUuid: c0!, priority: 10, maxAttempts: 3 });
    gen.calls = [];
    await run();
    assert.deepEqual(gen.calls, [{ content: c0, variants: ['detail@1x', 'grid@2x'] }], 'the intact grid@1x is the fast path; the changed grid@2x is made again');
    assert.deepEqual(readFileSync(bad.path!), bytes);
    assert.equal(manager.get({ contentUuid: c0!, kind: 'thumb', variant: 'grid@2x', format: 'webp' })!.checksum, bad.checksum);
    assert.equal(manager.get({ contentUuid: c0!, kind: 'thumb', variant: 'grid@1x', format: 'webp' })!.checksum, good.checksum);
  });

  it('never retries a permanent failure: a later job of the kind leaves it failed, only jobs retry asks again', async () => {
    queueAll();
    gen.make = async (ctx) => {
      if (ctx.source.contentUuid === contents[0]) throw new GeneratorError('not an image: corrupt header', { permanent: true });
      return ctx.variants.map((v) => ({ variant: v, format: 'webp', data: Buffer.from(v) }));
    };
    await run();
    const [c0] = contents;
    assert.ok(sidecars(c0).every((r) => r.status === 'failed' && r.attempts === 1));
    const failedJob = jobs().find((j) => j.content_uuid === c0)!;
    assert.equal(failedJob.status, 'failed');

    // Another variant wanted later (a new policy, `sidecars path`): its job makes only that one.
    gen.calls = [];
    gen.make = async (ctx) => ctx.variants.map((v) => ({ variant: v, format: 'webp', data: Buffer.from(v) }));
    new SidecarManager(lib).recordPending({ contentUuid: c0!, kind: 'thumb', variant: 'detail@1x', format: 'webp' });
    store.enqueue({ kind: 'thumb', contentUuid: c0!, priority: 10, maxAttempts: 3 });
    await run();
    assert.deepEqual(gen.calls, [{ content: c0, variants: ['detail@1x'] }], 'the failed variants were not tried again');
    assert.deepEqual(sidecars(c0).map((r) => `${r.variant}:${r.status}`), ['detail@1x:ready', 'grid@1x:failed', 'grid@2x:failed']);

    // `jobs retry` asks again, with fresh attempts.
    gen.calls = [];
    const retried = retryJob(lib, failedJob.id);
    assert.equal(retried.status, 'queued');
    assert.ok(sidecars(c0).filter((r) => r.variant !== 'detail@1x').every((r) => r.status === 'pending' && r.attempts === 0));
    await run();
    assert.deepEqual(gen.calls, [{ content: c0, variants: ['grid@1x', 'grid@2x'] }]);
    assert.ok(sidecars(c0).every((r) => r.status === 'ready'));
  });

  it('queues a job for pending sidecars that have none', async () => {
    queueAll();
    // As an older vss left them after a full disk: the jobs failed, the sidecars pending.
    for (const job of claimJobs(lib.store, PHOTOS, { room: new Map([['thumb', PHOTOS]]) })) store.fail(job, 'ENOSPC: no space left on device');
    assert.equal(sidecars().filter((r) => r.status === 'pending').length, PHOTOS * 2);
    const s = await run();
    assert.equal(s.requeued, PHOTOS);
    assert.equal(s.completed, PHOTOS);
    assert.ok(sidecars().every((r) => r.status === 'ready'));
  });

  it('leaves none pending when they cannot be made now, and asks again once they can', async () => {
    // A kind this device cannot make now: its job forgets the request instead of leaving it
    // pending with no job (queueing records it again once the engine is here).
    queueAll();
    gen.available = false;
    const none = await run();
    assert.equal(none.notes['not made: no test engine here'], PHOTOS);
    assert.deepEqual(sidecars(), []);
    gen.available = true;
    queueAll();
  });

  it('leaves no pending sidecar without a job when the kind cannot be made now and no job exists (a re-pended lost file)', async () => {
    // As reconcile leaves a lost file it re-pends by the kinds table alone, after the model went away.
    new SidecarManager(lib).recordPending({ contentUuid: contents[0]!, kind: 'thumb', variant: 'grid@1x', format: 'webp' });
    gen.available = false;
    try {
      const s = await run();
      assert.equal(s.requeued, 1);
      assert.equal(s.notes['not made: no test engine here'], 1);
    } finally {
      gen.available = true;
    }
    assert.deepEqual(sidecars().filter((r) => r.status === 'pending'), [], 'nothing left pending with no job');
  });

  it('makes a variant asked for while its kind\'s job was finishing (the idle look for stranded work)', async () => {
    queueAll();
    const [c0] = contents;
    const other = Library.open(lib.root, vss.device, { shared: true });
    gen.make = async (ctx) => {
      if (ctx.source.contentUuid === c0 && ctx.variants.includes('grid@1x')) {
        // `sidecars path … detail@1x` from another process, as it does it: the row, then the job,
        // which is refused because this job is still open; this job read its rows already.
        new SidecarManager(other).recordPending({ contentUuid: c0, kind: 'thumb', variant: 'detail@1x', format: 'webp' });
        assert.equal(other.store.jobs.enqueue({ kind: 'thumb', contentUuid: c0, priority: 10, maxAttempts: 3 }), false);
      }
      return ctx.variants.map((v) => ({ variant: v, format: 'webp', data: Buffer.from(v) }));
    };
    const s = await run();
    other.close();
    assert.equal(s.requeued, 1);
    assert.deepEqual(sidecars(c0).map((r) => `${r.variant}:${r.status}`), ['detail@1x:ready', 'grid@1x:ready', 'grid@2x:ready']);
  });

  it('leaves no pending sidecar without a job when content left the library', async () => {
    queueAll();
    const [c0] = contents;
    // Crafted on purpose: its content row goes (as a cleanup would do it) while its job is
    // queued, the race a cleanup's own cancel of the job can lose.
    lib.db.pragma('foreign_keys = OFF');
    lib.db.prepare('DELETE FROM content_identities WHERE uuid = ?').run(c0);
    lib.db.pragma('foreign_keys = ON');
    const s = await run();
    assert.equal(s.notes['the content is no longer in the library'], 1);
    assert.deepEqual(sidecars(c0), []);
    assert.equal(sidecars().filter((r) => r.status === 'pending').length, 0);
  });
});
