import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionInfo, OpPreview } from '../../src/index.js';
import { json, killNow, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { writeBigFile, sha256File } from '../support/big-file.js';
import { loopSkipReason, makeLoopVolume, type LoopVolume } from '../loop-volume.js';
import { pairDaemons } from '../sync-peers.js';

interface Job { id: number; kind: string; status: string; bytes: number; done_bytes: number; params: string | null; result: string | null; error: string | null; attempts: number; content_uuid: string | null }
interface Sent { device: string; device_id: string; files: Array<{ path: string; saved_as: string; size: number }>; total_bytes: number; bytes_sent: number; job_id: number }

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];
/**
 * Big enough that a send over loopback takes a while to catch in the middle (at 32 MiB, twice as
 * much still to come; and twice 16 MiB apart); larger than the small drive's inbox (64 MiB). Each
 * byte is read, hashed, encrypted, sent, decrypted, written and hashed again by the daemons: at
 * 192 MiB (content-get-job's film) this file took some 2.5 s more CPU.
 */
const BIG = 96 * 1024 * 1024;

/**
 * `vss files send` (issue 21, Spacedrop): two real daemons paired over loopback; the laptop sends,
 * the desk's inbox receives. A send is a durable job of the sender that resumes after the
 * receiver was killed mid-way (only the rest crosses), and a cancel leaves nothing on the receiver.
 * It reads only files in the sender's locations, as `files copy` does.
 */
describe('files send: Spacedrop to a paired device', () => {
  const tmp = tempDir('vss-send-');
  const A = { VSS_DATA_DIR: join(tmp.path, 'a') };
  const B = { VSS_DATA_DIR: join(tmp.path, 'b') };
  const src = join(tmp.path, 'src');
  const inbox = join(tmp.path, 'inbox');
  const state = join(inbox, '.vss-drop');
  let bigHash = '';
  const job = async (id: number) => json<Job>(await runCli(['jobs', 'info', String(id), '--json'], A));
  const partials = () => (existsSync(state) ? readdirSync(state).filter((n) => n.endsWith('.partial')) : []);
  const partialBytes = () => partials().reduce((n, p) => n + (statSync(join(state, p), { throwIfNoEntry: false })?.size ?? 0), 0);
  const inboxFiles = () => readdirSync(inbox).filter((n) => n !== '.vss-drop').sort();

  after(async () => {
    await Promise.all([runCli(['daemon', 'stop'], A), runCli(['daemon', 'stop'], B)]);
    tmp.cleanup();
  });

  before(async () => {
    mkdirSync(join(src, 'album'), { recursive: true });
    writeFileSync(join(src, 'note.txt'), 'a note for the desk\n');
    writeFileSync(join(src, 'album', 'one.jpg'), randomBytes(300_000));
    mkdirSync(join(src, 'album', 'more'));
    writeFileSync(join(src, 'album', 'more', 'two.jpg'), randomBytes(200_000));
    writeBigFile(join(src, 'film.bin'), BIG);
    bigHash = await sha256File(join(src, 'film.bin'));
    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'a-libs')], A)).code, 0);
    assert.equal((await runCli(['device', 'rename', 'Laptop'], A)).code, 0);
    assert.equal((await runCli(['device', 'rename', 'Desk'], B)).code, 0);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], A)).code, 0);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], B)).code, 0);
    await pairDaemons(A, B);
    // What is sent lies in a location of the sender (a send reads nothing else).
    const added = await runCli(['location', 'add', src, '--name', 'Src', '--mode', 'content'], A);
    assert.equal(added.code, 0, added.stderr);
    const set = await runCli(['files', 'inbox', '--dir', inbox, '--json'], B);
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual(json(set), { dir: inbox, default: false });
  });

  it('files and a folder sent arrive verified in the inbox, and the receiver says so', async () => {
    // A dry run first, through the daemon: the plan, and nothing sent, queued or logged.
    const logged0 = json<ActionInfo[]>(await runCli(['actions', 'list', '--json'], A)).length;
    const dry = json<OpPreview>(await runCli(['files', 'send', join(src, 'note.txt'), join(src, 'album'), '--to', 'desk', '--dry-run', '--json'], A));
    assert.deepEqual([dry.op, dry.files, dry.free_bytes, dry.conflicts, dry.below_policy], ['send', 3, null, [], []]);
    assert.deepEqual(inboxFiles(), []);
    assert.equal(json<ActionInfo[]>(await runCli(['actions', 'list', '--json'], A)).length, logged0);
    const r = await runCli(['files', 'send', join(src, 'note.txt'), join(src, 'album'), '--to', 'desk', '--json'], A);
    assert.equal(r.code, 0, r.stderr);
    const sent = json<Sent>(r);
    assert.equal(sent.device, 'Desk');
    assert.deepEqual(sent.files.map((f) => f.saved_as).sort(), ['note.txt', 'one.jpg', 'two.jpg'], 'a folder is sent as its files, by their own names');
    for (const f of sent.files) assert.equal(await sha256File(join(inbox, f.saved_as)), await sha256File(f.path));
    assert.deepEqual(inboxFiles(), ['note.txt', 'one.jpg', 'two.jpg']);
    assert.deepEqual(partials(), []);
    const j = await job(sent.job_id);
    assert.deepEqual([j.kind, j.status, j.content_uuid], ['files-send', 'completed', null]);
    // In the action log, through the daemon: what was sent where, and that it was done.
    const logged = json<ActionInfo[]>(await runCli(['actions', 'list', '--limit', '1', '--json'], A))[0]!;
    assert.deepEqual([logged.op, logged.outcome, logged.job_id, logged.what.target, logged.what.files, logged.what.sources], ['send', 'done', sent.job_id, 'desk', 3, [join(src, 'note.txt'), join(src, 'album')]]);
    // The same file again lands beside the first, nothing overwritten.
    const again = json<Sent>(await runCli(['files', 'send', join(src, 'note.txt'), '--to', 'Desk', '--json'], A));
    assert.equal(again.files[0]!.saved_as, 'note (2).txt');
    // The receiving daemon announced each file (in the library shared with the sender).
    const events = (await runCli(['events', '--json'], B)).stdout.split('\n').filter((l) => l.includes('files:received'));
    assert.ok(events.length >= 4, `files:received events on the receiver (${events.length})`);
  });

  it('a device that is not paired, and a folder that cannot be sent by names alone, are refused with a reason', async () => {
    const nobody = await runCli(['files', 'send', join(src, 'note.txt'), '--to', 'Nobody'], A);
    assert.notEqual(nobody.code, 0);
    assert.match(nobody.stderr, /no paired device "Nobody" \(paired: Desk\)/);
    mkdirSync(join(src, 'clash', 'x'), { recursive: true });
    writeFileSync(join(src, 'clash', 'same.txt'), '1');
    writeFileSync(join(src, 'clash', 'x', 'same.txt'), '2');
    const clash = await runCli(['files', 'send', join(src, 'clash'), '--to', 'Desk'], A);
    assert.notEqual(clash.code, 0);
    assert.match(clash.stderr, /have the same name/);
  });

  it('a content of the library is sent from its copy on this device, by uuid', async () => {
    const uuid = await until('the album indexed', 30_000, async () => {
      const c = json<Array<{ content_uuid: string; size: number }>>(await runCli(['content', 'list', '--json'], A));
      return c.find((x) => x.size === 300_000)?.content_uuid;
    });
    const r = await runCli(['files', 'send', uuid, '--to', 'Desk', '--json'], A);
    assert.equal(r.code, 0, r.stderr);
    const sent = json<Sent>(r);
    assert.deepEqual(sent.files.map((f) => [f.path, f.saved_as]), [[join(src, 'album', 'one.jpg'), 'one (2).jpg']]);
    assert.equal(await sha256File(join(inbox, 'one (2).jpg')), await sha256File(join(src, 'album', 'one.jpg')));

    // A pick across devices: a content with no file here is left out and named; the rest is sent.
    const elsewhere = '0b1e9a52-7c55-4f0e-9d8e-3c8a1d2f4e60';
    const both = await runCli(['files', 'send', uuid, elsewhere, '--to', 'Desk'], A);
    assert.equal(both.code, 0, both.stderr);
    assert.match(both.stdout, /1 file, .* sent to Desk/);
    assert.match(both.stdout, new RegExp(`Left out, no file on this device now: 1 content \\(${elsewhere}\\)`));
    assert.ok(existsSync(join(inbox, 'one (3).jpg')));
    const none = await runCli(['files', 'send', elsewhere, '--to', 'Desk'], A);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /cannot be sent from this device: no such content in this library/);
  });

  it('a file outside every location, or reached through a symlinked folder in one, is refused and nothing is sent', async () => {
    const before = inboxFiles();
    const system = await runCli(['files', 'send', '/etc/hostname', '--to', 'Desk'], A);
    assert.notEqual(system.code, 0);
    assert.match(system.stderr, /refused "\/etc\/hostname": a file to send is not inside any location added on this device/);
    symlinkSync('/etc', join(src, 'etclink'));
    try {
      const linked = await runCli(['files', 'send', join(src, 'etclink', 'hostname'), '--to', 'Desk'], A);
      assert.notEqual(linked.code, 0);
      assert.match(linked.stderr, /leads outside .* through a symlink/);
      const folder = await runCli(['files', 'send', join(src, 'etclink'), '--to', 'Desk'], A);
      assert.notEqual(folder.code, 0);
      assert.match(folder.stderr, /is a symlink: vss never follows one/);
    } finally {
      rmSync(join(src, 'etclink'));
    }
    assert.deepEqual(inboxFiles(), before, 'nothing arrived');
  });

  it('a file arrives with its permission bits (never setuid) and its time', async () => {
    const at = new Date('2001-02-03T04:05:06Z');
    writeFileSync(join(src, 'private.txt'), 'only mine\n');
    chmodSync(join(src, 'private.txt'), 0o600);
    utimesSync(join(src, 'private.txt'), at, at);
    writeFileSync(join(src, 'tool.sh'), '#!/bin/sh\necho hi\n');
    chmodSync(join(src, 'tool.sh'), 0o4755);
    const r = await runCli(['files', 'send', join(src, 'private.txt'), join(src, 'tool.sh'), '--to', 'Desk', '--json'], A);
    assert.equal(r.code, 0, r.stderr);
    const sent = json<Sent>(r);
    const got = Object.fromEntries(sent.files.map((f) => [f.saved_as, statSync(join(inbox, f.saved_as))]));
    assert.equal(got['private.txt']!.mode & 0o7777, 0o600, 'a private file stays private');
    assert.equal(got['private.txt']!.mtimeMs, at.getTime());
    assert.equal(got['tool.sh']!.mode & 0o7777, 0o755, 'no setuid bit on a received file');
  });

  it('--to takes the start of a device\'s id, as devices unpair does', async () => {
    const desk = json<Array<{ id: string; name: string }>>(await runCli(['devices', 'list', '--json'], A)).find((d) => d.name === 'Desk')!;
    const r = await runCli(['files', 'send', join(src, 'note.txt'), '--to', desk.id.slice(0, 8), '--json'], A);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json<Sent>(r).device, 'Desk');
  });

  it('without a daemon, sending says it needs one', async () => {
    const C = { VSS_DATA_DIR: join(tmp.path, 'c') };
    assert.equal((await runCli(['library', 'create', 'Solo', '--path', join(tmp.path, 'c-libs')], C)).code, 0);
    const r = await runCli(['files', 'send', join(src, 'note.txt'), '--to', 'Desk'], C);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /sending needs the daemon's P2P node: start it \((vss|\S*bin\/vss) daemon start\)/);
  });

  describe('an inbox on a small drive', { skip: loopSkipReason() }, () => {
    let vol: LoopVolume | undefined;
    after(async () => {
      await runCli(['files', 'inbox', '--dir', inbox], B);
      vol?.remove();
    });

    it('a send larger than its free space is refused before any byte moves, and the sender shows why', async () => {
      vol = makeLoopVolume({ sizeMiB: 64 });
      const small = join(vol.mountPoint!, 'inbox');
      assert.equal((await runCli(['files', 'inbox', '--dir', small], B)).code, 0);
      const r = await runCli(['files', 'send', join(src, 'film.bin'), '--to', 'Desk'], A);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /refused by the receiving device: the receiving device's inbox has [\d.]+ [KMG]?B free, and this send needs 100\.7 MB/);
      assert.deepEqual(readdirSync(small).filter((n) => n !== '.vss-drop'), []);
      assert.deepEqual(existsSync(join(small, '.vss-drop')) ? readdirSync(join(small, '.vss-drop')) : [], [], 'nothing half received');
    });
  });

  it('the receiver killed mid-way: the send waits, resumes after what arrived once it is back, and finishes verified', async () => {
    const before = inboxFiles();
    const queued = json<Job>(await runCli(['files', 'send', join(src, 'film.bin'), '--to', 'Desk', '--detach', '--json'], A));
    assert.deepEqual([queued.kind, queued.bytes, queued.content_uuid], ['files-send', BIG, null]);
    const pid = json<{ pid: number }>(await runCli(['daemon', 'status', '--json'], B)).pid;
    const had = await until('a part of the film received', 60_000, async () => {
      const n = partialBytes();
      return n >= 32 * 1024 * 1024 ? n : undefined;
    }, 5);
    await killNow(pid, 'the receiving daemon');
    const left = partialBytes();
    assert.ok(left >= had && left < BIG, `the partial file stays (${left} bytes)`);
    assert.deepEqual(inboxFiles(), before, 'no film in the inbox from a killed receive');
    // The sender's job waits for the receiver (retries), it does not fail.
    const waiting = await until('the send retrying', 30_000, async () => {
      const j = await job(queued.id);
      return j.status === 'queued' || j.attempts > 1 || j.status === 'failed' ? j : undefined;
    }, 100);
    assert.notEqual(waiting.status, 'failed', waiting.error ?? '');

    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], B)).code, 0);
    const done = await until('the send completed after the receiver came back', 180_000, async () => {
      const j = await job(queued.id);
      return j.status === 'completed' || j.status === 'failed' ? j : undefined;
    }, 250);
    assert.equal(done.status, 'completed', done.error ?? '');
    const sent = JSON.parse(done.result!) as Sent;
    assert.equal(sent.files[0]!.saved_as, 'film.bin');
    assert.ok(sent.bytes_sent <= BIG - left, `only the rest crossed the network (${sent.bytes_sent} bytes after ${left})`);
    assert.equal(done.done_bytes, BIG);
    assert.equal(await sha256File(join(inbox, 'film.bin')), bigHash);
    assert.deepEqual(partials(), [], 'no partial file left');
  });

  it('a cancelled send stops and leaves nothing of it on the receiver', async () => {
    const before = inboxFiles();
    const queued = json<Job>(await runCli(['files', 'send', join(src, 'film.bin'), '--to', 'Desk', '--detach', '--json'], A));
    await until('the send under way', 60_000, async () => (partialBytes() > 0 ? true : undefined), 5);
    assert.equal((await runCli(['jobs', 'cancel', String(queued.id)], A)).code, 0);
    const j = await until('the job cancelled', 15_000, async () => {
      const r = await job(queued.id);
      return r.status === 'cancelled' ? r : undefined;
    });
    assert.equal(j.result, null);
    const logged = json<ActionInfo[]>(await runCli(['actions', 'list', '--json'], A)).find((x) => x.job_id === queued.id);
    assert.deepEqual([logged?.op, logged?.outcome, typeof logged?.finished_at === 'number'], ['send', 'cancelled', true]);
    await until('nothing of it left on the receiver', 15_000, async () => (partials().length === 0 && readdirSync(state).length === 0 ? true : undefined), 100);
    assert.deepEqual(inboxFiles(), before);
  });

  it('a send whose daemon is stopped and started again mid-way spends no attempt, and finishes verified', async () => {
    const queued = json<Job>(await runCli(['files', 'send', join(src, 'film.bin'), '--to', 'Desk', '--detach', '--json'], A));
    let restarts = 0;
    for (let had = 0; restarts < 2; restarts++) {
      // Caught once more bytes came since the last start (or the send is done: nothing more to stop).
      const at = await until('more of the film received', 60_000, async () => {
        const n = partialBytes();
        if (n === 0 && (await job(queued.id)).status === 'completed') return -1;
        return n >= had + 16 * 1024 * 1024 ? n : undefined;
      }, 5);
      if (at < 0) break;
      had = at;
      // A graceful stop hands the running send back: its connection closing under it is no failure of its own.
      assert.equal((await runCli(['daemon', 'stop'], A)).code, 0);
      assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], A)).code, 0);
    }
    const done = await until('the send completed after the restarts', 180_000, async () => {
      const j = await job(queued.id);
      return j.status === 'completed' || j.status === 'failed' ? j : undefined;
    }, 250);
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.ok(restarts >= 1, 'the sending daemon was restarted mid-send');
    assert.equal(done.attempts, 1, `no attempt spent by ${restarts} restarts`);
    const sent = JSON.parse(done.result!) as Sent;
    assert.equal(await sha256File(join(inbox, sent.files[0]!.saved_as)), bigHash);
    assert.deepEqual(partials(), [], 'no partial file left');
  });

  // Last: the desk unpairs the laptop.
  it('a send to a device that unpaired this one fails at once, saying so', async () => {
    const laptop = json<Array<{ id: string; name: string }>>(await runCli(['devices', 'list', '--json'], B)).find((d) => d.name === 'Laptop')!;
    const desk = json<Array<{ id: string; name: string }>>(await runCli(['devices', 'list', '--json'], A)).find((d) => d.name === 'Desk')!;
    // The laptop made the library: only a device that may admit removes it (N2), so it lets the desk admit first.
    const granted = await runCli(['devices', 'rights', desk.id, 'admit', 'remove', 'relay'], A);
    assert.equal(granted.code, 0, granted.stderr);
    // Refused whole, nothing changed, until the desk has heard the grant.
    let refused = '';
    await until('the desk may remove the laptop', 30_000, async () => {
      const r = await runCli(['devices', 'unpair', laptop.id], B);
      refused = r.stderr;
      return r.code === 0 ? true : undefined;
    }, 250).catch((err: Error) => assert.fail(`${err.message}: ${refused}`));
    const r = await runCli(['files', 'send', join(src, 'note.txt'), '--to', 'Desk'], A);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /the send \(job \d+\) failed: Desk refused: this device is not paired with it/);
    const id = Number(/job (\d+)/.exec(r.stderr)![1]);
    const j = await job(id);
    assert.deepEqual([j.status, j.attempts], ['failed', 1], 'a refusal is not retried');
  });
});
