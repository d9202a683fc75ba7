import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionInfo, FileOpResult } from '../../src/index.js';
import { json, killNow, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { writeBigFile, sha256File } from '../support/big-file.js';
import { pairDaemons } from '../sync-peers.js';

interface Job { id: number; kind: string; status: string; note: string | null; bytes: number; done_bytes: number; result: string | null; error: string | null; attempts: number }
interface LsItem { name: string; kind: string; size: number; content_uuid: string | null }
interface Outcome { job: Job; result: FileOpResult }

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];
/**
 * Big enough that a copy over loopback takes a while to catch in the middle: caught at 24 MiB
 * received, three times as much is still to come. Each byte is read, hashed, encrypted, sent,
 * decrypted, written and hashed again by the daemons: at 192 MiB this file took some 2.5 s more CPU.
 */
const BIG = 96 * 1024 * 1024;

/**
 * `vss files copy|move SRC… DEVICE:/LOCATION/PATH` (issue 30, item 3): two real daemons paired
 * over loopback; the laptop copies and moves files into a folder of the desk's location, where
 * they land verified and indexed. A durable job that waits while the desk is away and resumes
 * after the desk was killed mid-copy.
 */
describe('files copy|move into a paired device\'s location', () => {
  const tmp = tempDir('vss-todev-');
  const A = { VSS_DATA_DIR: join(tmp.path, 'a') };
  const B = { VSS_DATA_DIR: join(tmp.path, 'b') };
  const src = join(tmp.path, 'src');
  const photos = join(tmp.path, 'photos');
  const state = join(photos, '.vss-drop');
  let bigHash = '';
  const job = async (id: number) => json<Job>(await runCli(['jobs', 'info', String(id), '--json'], A));
  const partialBytes = () => (existsSync(state) ? readdirSync(state).filter((n) => n.endsWith('.partial')) : []).reduce((n, p) => n + (statSync(join(state, p), { throwIfNoEntry: false })?.size ?? 0), 0);
  const lsOnDesk = async (path: string) => json<LsItem[]>(await runCli(['ls', `Desk:/Photos/${path}`, '--json'], B));
  const ended = (id: number, ms = 180_000) => until(`job ${id} ended`, ms, async () => {
    const j = await job(id);
    return ['completed', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
  }, 250);

  after(async () => {
    await Promise.all([runCli(['daemon', 'stop'], A), runCli(['daemon', 'stop'], B)]);
    tmp.cleanup();
  });

  before(async () => {
    mkdirSync(src, { recursive: true });
    mkdirSync(photos, { recursive: true });
    writeFileSync(join(src, 'one.jpg'), randomBytes(300_000));
    writeFileSync(join(src, 'two.jpg'), randomBytes(200_000));
    writeFileSync(join(src, 'moved.jpg'), randomBytes(100_000));
    writeFileSync(join(src, 'later.jpg'), randomBytes(150_000));
    writeBigFile(join(src, 'film.bin'), BIG);
    bigHash = await sha256File(join(src, 'film.bin'));
    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'a-libs')], A)).code, 0);
    assert.equal((await runCli(['device', 'rename', 'Laptop'], A)).code, 0);
    assert.equal((await runCli(['device', 'rename', 'Desk'], B)).code, 0);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], A)).code, 0);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], B)).code, 0);
    await pairDaemons(A, B);
    assert.equal((await runCli(['location', 'add', src, '--name', 'Src', '--mode', 'content'], A)).code, 0);
    const added = await runCli(['location', 'add', photos, '--name', 'Photos', '--mode', 'content'], B);
    assert.equal(added.code, 0, added.stderr);
    // The laptop hears of the desk's location through the library feed.
    await until('the desk\'s location known to the laptop', 60_000, async () => {
      const r = await runCli(['ls', 'Desk:', '--json'], A);
      return r.code === 0 && json<LsItem[]>(r).some((l) => l.name === 'Photos') ? true : undefined;
    }, 500);
  });

  it('two files copied into a folder of the desk\'s location arrive verified, and the desk\'s index lists them', async () => {
    const r = await runCli(['files', 'copy', join(src, 'one.jpg'), join(src, 'two.jpg'), 'Desk:/Photos/in', '--json'], A);
    assert.equal(r.code, 0, r.stderr);
    const out = json<Outcome>(r);
    assert.deepEqual([out.job.kind, out.result.done, out.result.skipped], ['files-copy-to-device', 2, 0]);
    assert.deepEqual(out.result.paths, ['Desk:/Photos/in/one.jpg', 'Desk:/Photos/in/two.jpg']);
    for (const n of ['one.jpg', 'two.jpg']) assert.equal(await sha256File(join(photos, 'in', n)), await sha256File(join(src, n)));
    // Indexed by the desk as it landed (not at its next scan): listed, with a content.
    const listed = await lsOnDesk('in');
    assert.deepEqual(listed.map((l) => l.name).sort(), ['one.jpg', 'two.jpg']);
    assert.ok(listed.every((l) => l.content_uuid !== null), 'identified on arrival');
    const found = await until('the copy found by search on the desk', 30_000, async () => {
      const r = json<Array<{ paths: string[] }>>(await runCli(['search', 'two', '--json'], B));
      return r.find((x) => x.paths.includes(join(photos, 'in', 'two.jpg')));
    }, 250);
    assert.ok(found);
    assert.ok(existsSync(join(src, 'one.jpg')), 'a copy keeps its source');
    const logged = json<ActionInfo[]>(await runCli(['actions', 'list', '--limit', '1', '--json'], A))[0]!;
    assert.deepEqual([logged.op, logged.outcome, logged.what.target, logged.what.files], ['copy', 'done', 'Desk:/Photos/in', 2]);
  });

  it('a name taken there follows the policy: keep-both by default (the same bytes there already stand for the copy), skip leaves it', async () => {
    // The same file again: answered placed under the name it has there, as a local copy leaves the same file (never a second copy as "one (2).jpg").
    const same = json<Outcome>(await runCli(['files', 'copy', join(src, 'one.jpg'), 'Desk:/Photos/in', '--json'], A));
    assert.deepEqual(same.result.paths, ['Desk:/Photos/in/one.jpg']);
    assert.deepEqual(readdirSync(join(photos, 'in')).filter((n) => n.startsWith('one')), ['one.jpg']);
    // Other bytes under that name: kept both.
    mkdirSync(join(src, 'other'), { recursive: true });
    writeFileSync(join(src, 'other', 'one.jpg'), randomBytes(1000));
    const both = json<Outcome>(await runCli(['files', 'copy', join(src, 'other', 'one.jpg'), 'Desk:/Photos/in', '--json'], A));
    assert.deepEqual(both.result.paths, ['Desk:/Photos/in/one (2).jpg']);
    const skip = json<Outcome>(await runCli(['files', 'copy', join(src, 'one.jpg'), 'Desk:/Photos/in', '--on-conflict', 'skip', '--json'], A));
    assert.deepEqual([skip.result.done, skip.result.skipped], [0, 1]);
  });

  it('a move removes its source once the desk confirmed its copy', async () => {
    const hash = await sha256File(join(src, 'moved.jpg'));
    const r = await runCli(['files', 'move', join(src, 'moved.jpg'), 'Desk:/Photos', '--json'], A);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json<Outcome>(r).job.kind, 'files-move-to-device');
    assert.equal(existsSync(join(src, 'moved.jpg')), false);
    assert.equal(await sha256File(join(photos, 'moved.jpg')), hash);
  });

  it('a file edited since it was indexed (same size) is sent as it is now: the desk keeps both, and a move drops no edit', async () => {
    writeFileSync(join(src, 'edited.txt'), 'version one\n');
    assert.equal((await runCli(['location', 'rescan', 'Src'], A)).code, 0);
    assert.equal((await runCli(['files', 'copy', join(src, 'edited.txt'), 'Desk:/Photos/ed'], A)).code, 0);
    // Edited in place, same size, and moved at once: the index still holds the first version's hash.
    writeFileSync(join(src, 'edited.txt'), 'version two\n');
    const r = await runCli(['files', 'move', join(src, 'edited.txt'), 'Desk:/Photos/ed', '--json'], A);
    assert.equal(r.code, 0, r.stderr);
    const moved = json<Outcome>(r);
    assert.deepEqual(moved.result.paths, ['Desk:/Photos/ed/edited (2).txt'], 'other bytes under a name taken: kept both');
    assert.equal(readFileSync(join(photos, 'ed', 'edited (2).txt'), 'utf8'), 'version two\n', 'the edit landed');
    assert.equal(readFileSync(join(photos, 'ed', 'edited.txt'), 'utf8'), 'version one\n');
    assert.equal(existsSync(join(src, 'edited.txt')), false, 'the source went once the edit was there');
  });

  it('a location the desk does not have, or a path out of it, is refused before anything is queued', async () => {
    const none = await runCli(['files', 'copy', join(src, 'two.jpg'), 'Desk:/Nowhere/x'], A);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /Desk has no location "Nowhere"/);
    const out = await runCli(['files', 'copy', join(src, 'two.jpg'), 'Desk:/Photos/../x'], A);
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /`\.\.` part/);
  });

  it('the desk away when the move is queued: the job waits (the source stays) and finishes once the desk is back', async () => {
    assert.equal((await runCli(['daemon', 'stop'], B)).code, 0);
    const hash = await sha256File(join(src, 'later.jpg'));
    const queued = json<Outcome>(await runCli(['files', 'move', join(src, 'later.jpg'), 'Desk:/Photos/later', '--detach', '--json'], A)).job;
    const waiting = await until('the job waiting for the desk', 30_000, async () => {
      const j = await job(queued.id);
      return (j.status === 'queued' && /waiting for Desk/.test(j.note ?? '')) || j.status === 'failed' ? j : undefined;
    }, 200);
    assert.equal(waiting.status, 'queued', waiting.error ?? '');
    await new Promise((r) => setTimeout(r, 8_000));
    // Between two looks (a look runs for a moment, its attempt given back when it waits).
    const still = await until('the job between two looks', 15_000, async () => {
      const j = await job(queued.id);
      return j.status === 'queued' || j.status === 'failed' ? j : undefined;
    }, 100);
    assert.deepEqual([still.status, still.attempts], ['queued', 0], 'waiting spends no attempt, and does not fail');
    assert.ok(existsSync(join(src, 'later.jpg')), 'the source stays while nothing is confirmed');
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], B)).code, 0);
    const done = await ended(queued.id, 90_000);
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.equal(await sha256File(join(photos, 'later', 'later.jpg')), hash);
    assert.equal(existsSync(join(src, 'later.jpg')), false);
  });

  it('a job waiting for the desk can be cancelled', async () => {
    assert.equal((await runCli(['daemon', 'stop'], B)).code, 0);
    try {
      const queued = json<Outcome>(await runCli(['files', 'copy', join(src, 'two.jpg'), 'Desk:/Photos/never', '--detach', '--json'], A)).job;
      await until('the job waiting for the desk', 30_000, async () => (/waiting for Desk/.test((await job(queued.id)).note ?? '') ? true : undefined), 200);
      assert.equal((await runCli(['jobs', 'cancel', String(queued.id)], A)).code, 0);
      assert.equal((await ended(queued.id, 15_000)).status, 'cancelled');
    } finally {
      assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], B)).code, 0);
    }
    assert.equal(existsSync(join(photos, 'never')), false);
  });

  it('the desk killed mid-copy: the job resumes from the partial once it is back, and finishes verified', async () => {
    const queued = json<Outcome>(await runCli(['files', 'copy', join(src, 'film.bin'), 'Desk:/Photos', '--detach', '--json'], A)).job;
    const pid = json<{ pid: number }>(await runCli(['daemon', 'status', '--json'], B)).pid;
    const had = await until('a part of the film received', 60_000, async () => {
      const n = partialBytes();
      return n >= 24 * 1024 * 1024 ? n : undefined;
    }, 5);
    await killNow(pid, 'the desk\'s daemon');
    const left = partialBytes();
    assert.ok(left >= had && left < BIG, `the partial stays (${left} bytes)`);
    assert.equal(existsSync(join(photos, 'film.bin')), false);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], B)).code, 0);
    const done = await ended(queued.id);
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.equal(await sha256File(join(photos, 'film.bin')), bigHash);
    assert.equal(partialBytes(), 0, 'no partial left');
  });

  it('the laptop killed mid-copy: its daemon started again resumes the job after what the desk has, and it finishes verified', async () => {
    const queued = json<Outcome>(await runCli(['files', 'copy', join(src, 'film.bin'), 'Desk:/Photos/again', '--detach', '--json'], A)).job;
    const pid = json<{ pid: number }>(await runCli(['daemon', 'status', '--json'], A)).pid;
    await until('a part of the film received', 60_000, async () => (partialBytes() >= 24 * 1024 * 1024 ? true : undefined), 5);
    await killNow(pid, 'the laptop\'s daemon');
    assert.ok(partialBytes() > 0, 'the desk keeps its partial');
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], A)).code, 0);
    const done = await ended(queued.id);
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.equal(await sha256File(join(photos, 'again', 'film.bin')), bigHash);
    assert.equal(partialBytes(), 0, 'no partial left');
  });
});
