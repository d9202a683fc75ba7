import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { connect } from '../../src/index.js';
import { writeBigFile, sha256File } from '../support/big-file.js';
import { json, killNow, tempDir, until, VSS_BIN } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { loopSkipReason, makeLoopVolume, type LoopVolume } from '../loop-volume.js';

interface Job { id: number; kind: string; status: string; attempts: number; note: string | null; error: string | null; done_bytes: number; bytes: number }

const MiB = 1024 * 1024;

/**
 * Run Python (the test's way to set and read xattrs and to make a socket file): the system's own
 * where Linux has one, as vss picks it (src/storage/local-copy.ts), not a version manager's shim
 * on the PATH (pyenv's costs ~0.2 s of CPU a start), with only its standard library.
 */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const py = (code: string, ...args: string[]) => execFileSync(PYTHON, ['-I', '-S', '-c', code, ...args], { encoding: 'utf8' });
/** The `user.comment` xattr of each of PATHS ('' for none), read in one Python run (a run per entry was most of this file's process starts). */
const xattrsOf = (paths: readonly string[]): string[] => JSON.parse(py(
  'import json,os,sys\ndef one(p):\n  try: return os.getxattr(p, "user.comment", follow_symlinks=False).decode()\n  except OSError: return ""\nprint(json.dumps([one(p) for p in sys.argv[1:]]))',
  ...paths,
)) as string[];

/**
 * What `cp -a` keeps of every entry of the tree at ROOT: type, permission bits, mtime, atime, a
 * symlink's text, size, xattr, and which names share an inode (by the first name's path).
 */
function treeFacts(root: string): Record<string, unknown> {
  const out: Record<string, Record<string, unknown>> = {};
  const inodes = new Map<number, string>();
  /** The entries whose xattr is read (files and folders), by their key in OUT. */
  const xattrAt = new Map<string, string>();
  const walk = (rel: string) => {
    const p = rel === '' ? root : join(root, rel);
    const st = lstatSync(p);
    const type = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFIFO() ? 'fifo' : st.isSocket() ? 'socket' : 'file';
    const first = st.isFile() ? inodes.get(st.ino) : undefined;
    if (st.isFile() && first === undefined) inodes.set(st.ino, rel);
    out[rel || '.'] = {
      type, mode: (st.mode & 0o7777).toString(8), mtime: Math.round(st.mtimeMs),
      // A symlink's or FIFO's access time moves when cp -a itself reads the source: compared where the test set it.
      ...(type === 'file' || type === 'dir' ? { atime: Math.round(st.atimeMs) } : {}),
      ...(type === 'symlink' ? { link: readlinkSync(p) } : {}), ...(type === 'file' ? { size: st.size, sameAs: first ?? null } : {}),
    };
    if (type === 'file' || type === 'dir') xattrAt.set(rel || '.', p);
    if (st.isDirectory()) for (const n of readdirSync(p).sort()) walk(rel === '' ? n : join(rel, n));
  };
  walk('');
  const keys = [...xattrAt.keys()];
  xattrsOf([...xattrAt.values()]).forEach((x, i) => (out[keys[i]!]!.xattr = x));
  return out;
}

const partials = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('.vss-partial-')) : []);

/**
 * File operations on real drives (ext4 images on loop devices): across two volumes, verified; a
 * full destination and a read-only one (clear errors, nothing left behind, the library not
 * paused); a kill -9 of the daemon in the middle of a cross-volume move (the file is whole at the
 * source or verified at the destination, never neither; after a restart the move finishes); a
 * destination unplugged (the job waits without spending attempts, and finishes after replug); a cancel.
 */
describe('files on loop volumes', { skip: loopSkipReason() }, () => {
  const tmp = tempDir('vss-files-vol-');
  const data = join(tmp.path, 'data');
  const local = { VSS_DATA_DIR: data, VSS_NO_DAEMON: '1' };
  const viaDaemon = { VSS_DATA_DIR: data, VSS_NO_DAEMON: undefined };
  const vols: LoopVolume[] = [];
  let A = '';
  let B = '';
  let bVol: LoopVolume;

  const jobOf = async (id: number, env: Record<string, string | undefined> = viaDaemon) => json<Job>(await runCli(['jobs', 'info', String(id), '--json'], env));
  const daemonPid = async () => json<{ pid: number }>(await runCli(['daemon', 'status', '--json'], viaDaemon)).pid;

  before(async () => {
    const aVol = makeLoopVolume({ sizeMiB: 256 });
    vols.push(aVol);
    bVol = makeLoopVolume({ sizeMiB: 256 });
    vols.push(bVol);
    A = aVol.mountPoint!;
    B = bVol.mountPoint!;
    assert.equal((await runCli(['library', 'create', 'Vols', '--path', join(tmp.path, 'libs')], local)).code, 0);
    for (const [dir, name] of [[A, 'DriveA'], [B, 'DriveB']] as const) {
      const r = await runCli(['location', 'add', dir, '--name', name, '--mode', 'content'], local);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(async () => {
    await runCli(['daemon', 'stop'], viaDaemon);
    for (const v of vols) v.remove();
    tmp.cleanup();
  });

  it('copies and moves across two volumes, each verified, and indexes both sides', async () => {
    mkdirSync(join(A, 'set'));
    for (let i = 0; i < 5; i++) writeBigFile(join(A, 'set', `f${i}.bin`), (i + 1) * MiB);
    const want = await sha256File(join(A, 'set', 'f4.bin'));
    const copied = await runCli(['files', 'copy', join(A, 'set'), `${B}/`], local);
    assert.equal(copied.code, 0, copied.stderr);
    assert.equal(await sha256File(join(B, 'set', 'f4.bin')), want);
    const moved = await runCli(['files', 'move', join(A, 'set', 'f4.bin'), join(B, 'f4-moved.bin')], local);
    assert.equal(moved.code, 0, moved.stderr);
    assert.ok(!existsSync(join(A, 'set', 'f4.bin')));
    assert.equal(await sha256File(join(B, 'f4-moved.bin')), want);
    assert.match((await runCli(['ls', '/DriveB'], local)).stdout, /f4-moved\.bin/);
    assert.doesNotMatch((await runCli(['ls', '/DriveA/set'], local)).stdout, /f4\.bin/);
    assert.deepEqual(partials(B), []);
  });

  it('a full destination: a clear error naming it, the source intact, no partial left, the library not paused', async () => {
    const small = makeLoopVolume({ sizeMiB: 24 });
    vols.push(small);
    writeBigFile(join(A, 'too-big.bin'), 40 * MiB);
    const want = await sha256File(join(A, 'too-big.bin'));
    const r = await runCli(['files', 'copy', join(A, 'too-big.bin'), `${small.mountPoint}/`], local);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /is full/);
    assert.ok(r.stderr.includes(small.mountPoint!), r.stderr);
    // Says exactly what is left: nothing copied, and the bytes still to copy are the file's.
    assert.match(r.stderr, /nothing was copied \(no partial file is left there\); the source is untouched, 41\.9 MB in 1 file still to copy/);
    assert.doesNotMatch(r.stderr, /what was copied is kept/);
    assert.equal(await sha256File(join(A, 'too-big.bin')), want);
    assert.deepEqual(partials(small.mountPoint!), []);
    const jobs = json<Job[]>(await runCli(['jobs', 'list', '--json'], local));
    const failed = jobs.filter((j) => j.kind === 'files-copy').at(-1)!;
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /is full/);
    // Not taken for the library's disk: the next operation runs at once.
    const next = await runCli(['files', 'copy', join(A, 'too-big.bin'), join(B, 'fits.bin')], local);
    assert.equal(next.code, 0, next.stderr);
    assert.equal(await sha256File(join(B, 'fits.bin')), want);
    for (const p of [join(A, 'too-big.bin'), join(B, 'fits.bin')]) rmSync(p); // room for the next tests (the index follows later)
  });

  it('a read-only destination: refused with a clear error', async () => {
    const ro = makeLoopVolume({ sizeMiB: 16, readOnly: true });
    vols.push(ro);
    const r = await runCli(['files', 'copy', join(B, 'fits.bin'), `${ro.mountPoint}/`], local);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /read-only/);
  });

  it('kill -9 of the daemon in the middle of a cross-volume move: never neither; after a restart the move finishes', async () => {
    const big = join(A, 'big.bin');
    writeBigFile(big, 200 * MiB);
    const want = await sha256File(big);
    assert.equal((await runCli(['daemon', 'start'], viaDaemon)).code, 0);
    const pid = await daemonPid();
    const q = await runCli(['files', 'move', '--detach', '--json', big, `${B}/`], viaDaemon);
    assert.equal(q.code, 0, q.stderr);
    const id = json<{ job: Job }>(q).job.id;
    // The copy is under way (its partial has bytes): kill -9.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const p = partials(B)[0];
      if (p !== undefined && (statSync(join(B, p), { throwIfNoEntry: false })?.size ?? 0) > 0) break;
      await sleep(2);
    }
    await killNow(pid, 'the daemon');
    const atSource = existsSync(big) && (await sha256File(big)) === want;
    const atDest = existsSync(join(B, 'big.bin')) && (await sha256File(join(B, 'big.bin'))) === want;
    assert.ok(atSource || atDest, 'the file is whole at the source or at the destination');
    assert.ok(atSource, `killed mid-copy, the source stays (job ${id})`);

    assert.equal((await runCli(['daemon', 'start'], viaDaemon)).code, 0);
    const done = await until('the move finished after the restart', 120_000, async () => {
      const j = await jobOf(id);
      assert.notEqual(j.status, 'failed', j.error ?? '');
      return j.status === 'completed' ? j : undefined;
    }, 300);
    assert.equal(done.done_bytes, 200 * MiB);
    assert.ok(!existsSync(big), 'the source is gone once the move finished');
    assert.equal(await sha256File(join(B, 'big.bin')), want);
    assert.deepEqual(partials(B), []);
    assert.match((await runCli(['ls', '/DriveB'], viaDaemon)).stdout, /big\.bin/);
    assert.equal((await runCli(['daemon', 'stop'], viaDaemon)).code, 0);
    rmSync(join(B, 'big.bin'));
  });

  it('kill -9 of the CLI (no daemon) mid-move: never neither; `vss jobs run` finishes the move', async () => {
    const big = join(A, 'big2.bin');
    writeBigFile(big, 200 * MiB);
    const want = await sha256File(big);
    const child = spawn(process.execPath, [VSS_BIN, 'files', 'move', big, `${B}/`], { env: { ...process.env, ...local }, stdio: 'ignore' });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const p = partials(B)[0];
      if (p !== undefined && (statSync(join(B, p), { throwIfNoEntry: false })?.size ?? 0) > 0) break;
      await sleep(2);
    }
    child.kill('SIGKILL');
    await new Promise((res) => child.once('exit', res));
    const atSource = existsSync(big) && (await sha256File(big)) === want;
    const atDest = existsSync(join(B, 'big2.bin')) && (await sha256File(join(B, 'big2.bin'))) === want;
    assert.ok(atSource || atDest, 'the file is whole at the source or at the destination');
    const run = await runCli(['jobs', 'run', '--until-idle'], local);
    assert.equal(run.code, 0, run.stderr);
    const job = json<Job[]>(await runCli(['jobs', 'list', '--json'], local)).filter((j) => j.kind === 'files-move').at(-1)!;
    assert.equal(job.status, 'completed', job.error ?? '');
    assert.ok(!existsSync(big), 'the source is gone once the move finished');
    assert.equal(await sha256File(join(B, 'big2.bin')), want);
    assert.deepEqual(partials(B), []);
    rmSync(join(B, 'big2.bin'));
  });

  it('a destination unplugged: the job waits without spending attempts, and finishes after replug', async () => {
    writeBigFile(join(A, 'u.bin'), 8 * MiB);
    const want = await sha256File(join(A, 'u.bin'));
    // Queued (not run: no daemon), then the drive goes away, then the daemon starts.
    const q = await runCli(['files', 'copy', '--detach', '--json', join(A, 'u.bin'), `${B}/later/`], local);
    assert.equal(q.code, 0, q.stderr);
    const id = json<{ job: Job }>(q).job.id;
    const mount = bVol.mountPoint!;
    bVol.unplug();
    try {
      assert.equal((await runCli(['daemon', 'start'], viaDaemon)).code, 0);
      const waiting = await until('the job waits for the drive', 30_000, async () => {
        const j = await jobOf(id);
        return /offline/.test(j.note ?? '') ? j : undefined;
      }, 300);
      assert.equal(waiting.status === 'queued' || waiting.status === 'running', true, waiting.status);
      await sleep(5000); // two more looks, at least
      const still = await jobOf(id);
      assert.notEqual(still.status, 'failed', still.error ?? '');
      assert.ok(still.attempts <= 1, `no attempt spent while offline (attempts ${still.attempts})`);
      assert.ok(!existsSync(join(mount, 'later')), 'nothing written into the empty mount point');
    } finally {
      if (!bVol.mountPoint) bVol.plug(mount);
    }
    await until('the copy finished after replug', 60_000, async () => ((await jobOf(id)).status === 'completed' ? true : undefined), 300);
    assert.equal(await sha256File(join(B, 'later', 'u.bin')), want);
    assert.equal((await runCli(['daemon', 'stop'], viaDaemon)).code, 0);
  });

  it('copy and move keep what `cp -a` keeps: times, mode, xattrs, holes, hard links, symlinks, FIFOs; a socket is skipped by name', async () => {
    // The tree, on drive A; a small drive as the destination (the 300 MiB sparse file fits, as with cp -a:
    // a dozen times the drive, and past the size whose content id is sampled, as a GiB would be; each
    // GiB a copy and its checks read cost seconds of CPU).
    const t = join(A, 'tree');
    mkdirSync(join(t, 'sub'), { recursive: true });
    writeFileSync(join(t, 'f'), 'a\n', { mode: 0o600 });
    py('import os,sys; os.setxattr(sys.argv[1], "user.comment", b"kept")', join(t, 'f'));
    py('import os,sys; os.setxattr(sys.argv[1], "user.comment", b"folder")', join(t, 'sub'));
    writeFileSync(join(t, 'sub', 'g'), 'g\n');
    linkSync(join(t, 'f'), join(t, 'sub', 'f2'));
    symlinkSync('/etc/passwd', join(t, 'out'));
    symlinkSync('f', join(t, 'in'));
    symlinkSync('nowhere/at/all', join(t, 'dangling'));
    execFileSync('mkfifo', ['-m', '640', join(t, 'p')]);
    execFileSync('truncate', ['-s', '300M', join(t, 'sp')]);
    py('import sys; f=open(sys.argv[1],"r+b"); f.seek(150*1024*1024); f.write(b"middle"); f.close()', join(t, 'sp'));
    py('import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', join(t, 'sock'));
    const y2001 = new Date('2001-01-01T00:00:00Z');
    const y2002 = new Date('2002-02-02T00:00:00Z');
    for (const n of ['f', 'sub/g', 'sp', 'sub', '.']) utimesSync(join(t, n), y2002, y2001);
    execFileSync('chmod', ['750', join(t, 'sub')]);
    const small = makeLoopVolume({ sizeMiB: 24 });
    vols.push(small);
    const S = small.mountPoint!;
    // The same tree by cp -a, for the comparison (the socket is left out of it: cp -a makes one, vss says it skipped it).
    execFileSync('cp', ['-a', t, join(S, 'cpa')]);
    rmSync(join(S, 'cpa', 'sock'));
    utimesSync(join(S, 'cpa'), y2002, y2001); // as cp -a left it before the socket was taken out
    // cp -a's reads moved the sources' access times: set again, so both copies start from the same.
    for (const n of ['f', 'sub/g', 'sp', 'sub', '.']) utimesSync(join(t, n), y2002, y2001);
    const r = json<{ result: { done: number; skipped: number; folders: number; skipped_items: Array<{ path: string; reason: string }>; not_kept: unknown[] } }>(await runCli(['--json', 'files', 'copy', t, `${S}/vss/`], local));
    const want = treeFacts(join(S, 'cpa'));
    const got = treeFacts(join(S, 'vss', 'tree'));
    assert.deepEqual(got, want);
    assert.ok(statSync(join(S, 'vss', 'tree', 'sp')).blocks * 512 <= 64 * 1024, 'the sparse file keeps its holes');
    assert.equal(await sha256File(join(S, 'vss', 'tree', 'sp')), await sha256File(join(t, 'sp')));
    assert.equal(r.result.skipped, 1);
    assert.equal(r.result.done, 8, 'files are counted, not folders');
    assert.equal(r.result.folders, 2);
    assert.deepEqual(r.result.skipped_items.map((s) => s.path), [join(t, 'sock')]);
    assert.match(r.result.skipped_items[0]!.reason, /a socket/);
    assert.deepEqual(r.result.not_kept, []);
    const cli = await runCli(['files', 'copy', join(t, 'sock'), `${S}/`], local);
    assert.notEqual(cli.code, 0, 'a socket named alone is refused');

    // A move across drives takes everything it copied, symlinks and FIFO included; only the skipped socket stays, in its folder.
    const moved = await runCli(['files', 'move', t, `${B}/`], local);
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stdout, /skipped .*sock: a socket/);
    assert.deepEqual(readdirSync(t), ['sock']);
    const after = treeFacts(join(B, 'tree'));
    for (const k of Object.keys(want)) {
      const { atime: _a, ...w } = want[k] as Record<string, unknown>;
      const { atime: _b, ...g } = after[k] as Record<string, unknown>;
      assert.deepEqual(g, w, k);
    }
    rmSync(join(B, 'tree'), { recursive: true });
    rmSync(t, { recursive: true });
  });

  it('a destination unplugged mid-copy and mounted at another mount point: the job follows the drive and finishes there, verified', async () => {
    writeBigFile(join(A, 'follow.bin'), 160 * MiB);
    const want = await sha256File(join(A, 'follow.bin'));
    assert.equal((await runCli(['daemon', 'start'], viaDaemon)).code, 0);
    const q = await runCli(['files', 'copy', '--detach', '--json', join(A, 'follow.bin'), `${B}/followed/`], viaDaemon);
    assert.equal(q.code, 0, q.stderr);
    const id = json<{ job: Job }>(q).job.id;
    const old = bVol.mountPoint!;
    let moved = '';
    try {
      await until('the copy is under way', 30_000, async () => ((statSync(join(old, 'followed'), { throwIfNoEntry: false })?.isDirectory() && partials(join(old, 'followed')).length > 0) ? true : undefined), 2);
      bVol.unplug({ lazy: true });
      await until('the job waits for the drive', 60_000, async () => (/offline/.test((await jobOf(id)).note ?? '') ? true : undefined), 200);
      moved = bVol.plug(join(tmp.path, 'elsewhere'));
      const done = await until('the copy finished at the new mount point', 60_000, async () => {
        const j = await jobOf(id);
        assert.notEqual(j.status, 'failed', j.error ?? '');
        return j.status === 'completed' ? j : undefined;
      }, 300);
      assert.ok(done.attempts <= 2, `no attempt spent while away (attempts ${done.attempts})`);
      assert.equal(await sha256File(join(moved, 'followed', 'follow.bin')), want);
      assert.deepEqual(partials(join(moved, 'followed')), []);
      assert.ok(!existsSync(join(old, 'followed')), 'nothing written into the old, empty mount point');
    } finally {
      assert.equal((await runCli(['daemon', 'stop'], viaDaemon)).code, 0);
      if (bVol.mountPoint !== old) {
        bVol.unplug();
        bVol.plug(old);
      }
    }
    rmSync(join(B, 'followed'), { recursive: true });
    rmSync(join(A, 'follow.bin'));
  });

  it('a source drive unplugged mid-move: the job waits for it, naming it, and finishes once it is back', async () => {
    const src = makeLoopVolume({ sizeMiB: 256 });
    vols.push(src);
    const C = src.mountPoint!;
    assert.equal((await runCli(['location', 'add', C, '--name', 'DriveC', '--mode', 'content'], local)).code, 0);
    mkdirSync(join(C, 'many'));
    for (let i = 0; i < 24; i++) writeBigFile(join(C, 'many', `m${String(i).padStart(2, '0')}.bin`), 6 * MiB);
    const want = await sha256File(join(C, 'many', 'm23.bin'));
    assert.equal((await runCli(['daemon', 'start'], viaDaemon)).code, 0);
    try {
      const q = await runCli(['files', 'move', '--detach', '--json', join(C, 'many'), `${B}/`], viaDaemon);
      assert.equal(q.code, 0, q.stderr);
      const id = json<{ job: Job }>(q).job.id;
      await until('the move is under way', 30_000, async () => (partials(join(B, 'many')).length > 0 ? true : undefined), 2);
      src.unplug({ lazy: true });
      const waiting = await until('the job waits for the source drive', 60_000, async () => {
        const j = await jobOf(id);
        assert.notEqual(j.status, 'failed', j.error ?? '');
        return /offline/.test(j.note ?? '') ? j : undefined;
      }, 200);
      assert.ok((waiting.note ?? '').includes(C), `the note names the drive's folder: ${waiting.note}`);
      src.plug(C);
      const done = await until('the move finished once the drive was back', 60_000, async () => {
        const j = await jobOf(id);
        assert.notEqual(j.status, 'failed', j.error ?? '');
        return j.status === 'completed' ? j : undefined;
      }, 300);
      assert.match(done.note ?? '', /move: 24 files done \(1 folder\), 0 skipped/);
      assert.equal(readdirSync(join(B, 'many')).filter((n) => n.endsWith('.bin')).length, 24);
      assert.equal(await sha256File(join(B, 'many', 'm23.bin')), want);
      assert.ok(!existsSync(join(C, 'many')), 'the source folder is gone once everything moved');
    } finally {
      assert.equal((await runCli(['daemon', 'stop'], viaDaemon)).code, 0);
    }
    rmSync(join(B, 'many'), { recursive: true });
  });

  it('cancel: what is finished stays, the partial goes, the sources stay', async () => {
    mkdirSync(join(A, 'c'));
    for (let i = 0; i < 4; i++) writeBigFile(join(A, 'c', `c${i}.bin`), 30 * MiB);
    assert.equal((await runCli(['daemon', 'start'], viaDaemon)).code, 0);
    const vss = await connect({ dataDir: data });
    try {
      await vss.withLibrary({}, async (lib) => {
        let id = 0;
        const started = lib.files.copy([join(A, 'c')], join(B, 'c'), { detach: true, onQueued: (n) => { id = n; } });
        await started;
        // Cancelled as soon as the first file is in place.
        await until('the first file is copied', 30_000, async () => (existsSync(join(B, 'c', 'c0.bin')) || partials(join(B, 'c')).length > 0 ? true : undefined), 2);
        await lib.jobs.cancel(id);
        const j = await until('the job ended', 30_000, async () => {
          const row = await lib.jobs.get(id);
          return row.status === 'cancelled' || row.status === 'completed' ? row : undefined;
        }, 100);
        assert.equal(j.status, 'cancelled');
      });
    } finally {
      (vss as { close?(): void }).close?.();
    }
    await sleep(500);
    assert.deepEqual(partials(join(B, 'c')), []);
    for (let i = 0; i < 4; i++) {
      assert.ok(existsSync(join(A, 'c', `c${i}.bin`)));
      const copy = join(B, 'c', `c${i}.bin`);
      if (existsSync(copy)) assert.equal(await sha256File(copy), await sha256File(join(A, 'c', `c${i}.bin`)));
    }
    assert.equal((await runCli(['daemon', 'stop'], viaDaemon)).code, 0);
  });
});
