import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { GuardianProtectPlan, GuardianStatus, ProtectOutcome } from '../../src/api/index.js';
import { json, killNow, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { laptopAndDesktop, writeText } from '../laptop-and-desktop.js';
import { sha256File, writeBigFile } from '../support/big-file.js';
import { rotUnseen } from '../support/unseen-rot.js';

interface Job { id: number; kind: string; status: string; error: string | null }

/** Big enough that a copy over loopback takes a while to catch in the middle. */
const BIG = 160 * 1024 * 1024;

/**
 * `vss guardian protect --to DEVICE:/LOCATION/PATH` (issue 30 item 2) between two real daemons
 * over loopback: the laptop's contents that exist once go to a folder of the desktop's location,
 * verified there against the content's BLAKE3, indexed there, and then counted safe on the
 * laptop; a source whose bytes rotted is refused by the receiver rather than copied, and one
 * that rotted or vanished is left out, named with why, while the rest is copied (faults 2026-11-25, 7).
 */
describe('guardian protect to a paired device', () => {
  const t = laptopAndDesktop('vss-protect-dev-', runCli);
  const { A, B, photos, documents, ok } = t;
  after(() => t.stop());

  const rotten = join(photos, 'rotten.txt');
  const GOOD = 'good bytes, indexed\n';
  /** Byte 0 of rotten.txt set to B as rot makes it (its size and times kept: rotUnseen). */
  const setFirstByte = (b: string) => rotUnseen(join(t.tmp.path, 'a-libs'), rotten, 0, b.charCodeAt(0));

  it('--dry-run plans one copy of each content the laptop alone holds, and changes nothing', async () => {
    writeText(join(photos, 'once.txt'), 'only on the laptop\n');
    writeText(join(photos, 'trip', 'deep.txt'), 'in a folder, only on the laptop\n');
    writeText(join(photos, 'both.txt'), 'on both devices\n');
    writeText(join(documents, 'both.txt'), 'on both devices\n');
    writeText(rotten, GOOD);
    // Whole seconds: Node's utimes (setting the time back after a flip) keeps no more than the millisecond.
    utimesSync(rotten, 1_700_000_000, 1_700_000_000);
    await t.setUp();
    await until('the desktop\'s location and copies known to the laptop', 30_000, async () => {
      const s = json<GuardianStatus>(await ok(A, 'guardian', 'status', '--json'));
      return s.contents === 4 && s.safe.contents === 1 ? s : undefined;
    }, 300);

    const plan = json<GuardianProtectPlan>(await ok(A, 'guardian', 'protect', '--to', 'Desktop:/Documents/safe', '--dry-run', '--json'));
    assert.deepEqual([plan.contents, plan.files, plan.targets], [3, 3, [{ target: 'Desktop:/Documents/safe', drive: null, files: 3, bytes: plan.bytes, free_bytes: null }]]);
    assert.equal(plan.bytes, 'only on the laptop\n'.length + 'in a folder, only on the laptop\n'.length + GOOD.length);
    assert.equal(json<unknown[]>(await ok(A, 'jobs', 'list', '--kind', 'guardian-protect', '--json')).length, 0, 'a dry run queues nothing');
    assert.ok(!existsSync(join(documents, 'safe')), 'a dry run writes nothing there');
    const human = await ok(A, 'guardian', 'protect', '--to', 'Desktop:/Documents/safe', '--dry-run');
    assert.match(human.stdout, /^ {2}to Desktop:\/Documents\/safe: 3 files, 71 B$/m);
  });

  it('a source whose bytes rotted (size and time kept) is refused by the desktop and left out, named with why, its rot recorded; the rest is copied', async () => {
    // Not watched while the bytes rot: a flip changes the file's ctime, and the watcher would take it for an edit.
    await ok(A, 'location', 'pause', photos);
    setFirstByte('X');
    const r = await runCli(['guardian', 'protect', '--to', 'Desktop:/Documents/safe'], A);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Protected \d+ contents?: copied \S+ \S+ \(2 files, 1 skipped; verified; job \d+\)$/m);
    assert.match(r.stdout, /^skipped \S*rotten\.txt: its bytes hash to [0-9a-f]{16}…, not its content's [0-9a-f]{16}…: rot, recorded \(vss guardian list --rot; vss guardian repair mends it from a good copy\); Desktop kept nothing of it$/m);
    assert.equal(json<Job[]>(await ok(A, 'jobs', 'list', '--kind', 'guardian-protect', '--json'))[0]?.status, 'completed');
    assert.ok(!existsSync(join(documents, 'safe', 'Photos', 'rotten.txt')), 'no rotten copy kept there');
    assert.equal(readFileSync(join(documents, 'safe', 'Photos', 'once.txt'), 'utf8'), 'only on the laptop\n', 'the rest copied');
    assert.equal(readFileSync(join(documents, 'safe', 'Photos', 'trip', 'deep.txt'), 'utf8'), 'in a folder, only on the laptop\n');
    const rot = json<Array<{ path: string }>>(await ok(A, 'guardian', 'list', '--rot', '--json'));
    assert.deepEqual(rot.map((x) => x.path), [rotten]);
  });

  it('a source gone while the job waits for the desktop is left out, named, and the job completes', async () => {
    writeText(join(photos, 'gone.txt'), 'about to go\n');
    writeText(join(photos, 'stays.txt'), 'stays on the laptop\n');
    await ok(A, 'location', 'rescan', 'Photos');
    await ok(B, 'daemon', 'stop');
    const queued = json<ProtectOutcome>(await ok(A, 'guardian', 'protect', '--to', 'Desktop:/Documents/safe', '--detach', '--json')).job!;
    await until('the protect waiting for the desktop', 30_000, async () => {
      const j = json<Job & { note: string | null }>(await ok(A, 'jobs', 'info', String(queued.id), '--json'));
      return /waiting for Desktop/.test(j.note ?? '') ? j : undefined;
    }, 200);
    rmSync(join(photos, 'gone.txt'));
    await ok(B, 'daemon', 'start', '--listen', '/ip4/127.0.0.1/tcp/0');
    const done = await until(`job ${queued.id} ended`, 90_000, async () => {
      const j = json<Job & { result: string | null }>(await ok(A, 'jobs', 'info', String(queued.id), '--json'));
      return ['completed', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
    }, 250);
    assert.equal(done.status, 'completed', done.error ?? '');
    const result = JSON.parse(done.result!) as { done: number; skipped_items: Array<{ path: string; reason: string }> };
    assert.ok(result.skipped_items.some((x) => x.path === join(photos, 'gone.txt') && /^its file (is gone|is no longer)/.test(x.reason)), JSON.stringify(result.skipped_items));
    assert.equal(readFileSync(join(documents, 'safe', 'Photos', 'stays.txt'), 'utf8'), 'stays on the laptop\n');
    assert.ok(!existsSync(join(documents, 'safe', 'Photos', 'gone.txt')));
  });

  it('with its bytes good again (a scrub finds them so), protect copies it verified, and the laptop counts every content safe', async () => {
    setFirstByte('g');
    await ok(A, 'guardian', 'scrub');
    assert.deepEqual(json<unknown[]>(await ok(A, 'guardian', 'list', '--rot', '--json')), [], 'its rot forgotten once its bytes match again');
    // Watched again: the file removed while it was paused is seen gone (its content no longer asks for a copy).
    await ok(A, 'location', 'resume', photos);
    const out = json<ProtectOutcome>(await ok(A, 'guardian', 'protect', '--to', 'Desktop:/Documents/safe', '--json'));
    assert.equal(out.job?.status, 'completed');
    assert.ok((out.result?.copied?.done ?? 0) >= 1 && out.result?.copied?.skipped === 0, JSON.stringify(out.result?.copied));
    for (const [rel, text] of [['once.txt', 'only on the laptop\n'], ['trip/deep.txt', 'in a folder, only on the laptop\n'], ['rotten.txt', GOOD]] as const) {
      assert.equal(readFileSync(join(documents, 'safe', 'Photos', ...rel.split('/')), 'utf8'), text, `${rel} there, with its bytes`);
    }
    assert.ok(Math.abs(statSync(join(photos, 'once.txt')).mtimeMs - statSync(join(documents, 'safe', 'Photos', 'once.txt')).mtimeMs) <= 1, 'its time kept (to the millisecond)');

    // The desktop indexed them as they landed; its rows reach the laptop, which counts them.
    const s = await until('the copies counted on the laptop', 30_000, async () => {
      const got = json<GuardianStatus>(await ok(A, 'guardian', 'status', '--json'));
      return got.short.contents === 0 ? got : undefined;
    }, 300);
    assert.deepEqual([s.short.contents, s.single.contents, s.safe.contents], [0, 0, 5]);
    const again = json<GuardianProtectPlan>(await ok(A, 'guardian', 'protect', '--to', 'Desktop:/Documents/safe', '--dry-run', '--json'));
    assert.deepEqual([again.contents, again.files], [0, 0], 'nothing left to copy');
    const actions = json<Array<{ op: string; outcome: string; what: { target: string | null } }>>(await ok(A, 'actions', 'list', '--json'));
    assert.deepEqual(actions.filter((a) => a.op === 'protect').map((a) => [a.outcome, a.what.target]).sort(), [['done', 'Desktop:/Documents/safe'], ['partial', 'Desktop:/Documents/safe'], ['partial', 'Desktop:/Documents/safe']]);
  });

  it('the laptop killed -9 mid-protect: its daemon started again resumes after what the desktop has, and the copy ends verified', async () => {
    const film = join(photos, 'film.bin');
    writeBigFile(film, BIG);
    const hash = await sha256File(film);
    await ok(A, 'location', 'rescan', 'Photos');
    const queued = json<ProtectOutcome>(await ok(A, 'guardian', 'protect', '--to', 'Desktop:/Documents/safe', '--detach', '--json')).job!;
    const pid = json<{ pid: number }>(await ok(A, 'daemon', 'status', '--json')).pid;
    const state = join(documents, '.vss-drop');
    const partialBytes = () => (existsSync(state) ? readdirSync(state).filter((n) => n.endsWith('.partial')) : []).reduce((n, p) => n + (statSync(join(state, p), { throwIfNoEntry: false })?.size ?? 0), 0);
    await until('a part of the film received', 60_000, async () => (partialBytes() >= 16 * 1024 * 1024 ? true : undefined), 5);
    await killNow(pid, 'the laptop\'s daemon');
    const had = partialBytes();
    assert.ok(had > 0 && had < BIG, `the partial stays (${had} bytes)`);
    assert.ok(!existsSync(join(documents, 'safe', 'Photos', 'film.bin')), 'nothing under its name before it is verified');
    await ok(A, 'daemon', 'start', '--listen', '/ip4/127.0.0.1/tcp/0');
    const done = await until(`job ${queued.id} ended`, 180_000, async () => {
      const j = json<Job>(await ok(A, 'jobs', 'info', String(queued.id), '--json'));
      return ['completed', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
    }, 250);
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.equal(await sha256File(join(documents, 'safe', 'Photos', 'film.bin')), hash);
    assert.equal(partialBytes(), 0, 'no partial left');
  });

  it('without the daemon, a protect to a device is refused at once', async () => {
    await ok(A, 'daemon', 'stop');
    const r = await runCli(['guardian', 'protect', '--to', 'Desktop:/Documents/safe'], { ...A, VSS_NO_DAEMON: '1' });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /a protect to another device needs the daemon's P2P node: start it \((vss|\S*bin\/vss) daemon start\)/);
  });
});
