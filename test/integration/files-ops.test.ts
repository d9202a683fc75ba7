import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vss, type LibraryApi, type VssError } from '../../src/index.js';
import { json, tempDir, VSS_BIN } from '../helpers.js';
import { writeBigFile } from '../support/big-file.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/**
 * `vss files copy|move|delete` over real folders (DESIGN §17): each a job whose copies are
 * verified, the index updated by the operation itself (seen by `ls` at once, no rescan), the
 * conflict policies, the last-copy refusal, and paths that must be refused.
 */
describe('files: copy, move, delete', () => {
  const tmp = tempDir('vss-files-');
  const a = join(tmp.path, 'a');
  const b = join(tmp.path, 'b');
  let vss: Vss;
  let libPath: string;
  const withLib = <T>(fn: (lib: LibraryApi) => T | Promise<T>) => vss.withLibrary({ path: libPath }, fn);
  const names = (lib: LibraryApi, address: string) => lib.ls(address).map((i) => i.name).sort();

  before(async () => {
    mkdirSync(join(a, 'album', 'inner'), { recursive: true });
    mkdirSync(b);
    writeFileSync(join(a, 'one.txt'), 'one\n');
    writeFileSync(join(a, 'two.txt'), 'two\n');
    writeFileSync(join(a, 'album', 'p1.jpg'), Buffer.alloc(300_000, 1));
    writeFileSync(join(a, 'album', 'inner', 'p2.jpg'), Buffer.alloc(200_000, 2));
    vss = new Vss({ dataDir: join(tmp.path, 'data') });
    libPath = vss.libraries.create('Files', { dir: join(tmp.path, 'libs') }).path;
    await withLib(async (lib) => {
      await lib.locations.add(a, { mode: 'content', name: 'A' });
      await lib.locations.add(b, { mode: 'content', name: 'B' });
    });
  });
  after(() => tmp.cleanup());

  it('copies files and a folder (recursively) into another location, verified, and indexes them at once', async () => {
    await withLib(async (lib) => {
      const out = await lib.files.copy([join(a, 'one.txt'), join(a, 'album')], b);
      assert.equal(out.job.kind, 'files-copy');
      assert.equal(out.job.status, 'completed');
      assert.equal(out.result?.outside_library, false);
      assert.deepEqual(out.result?.paths, [join(b, 'one.txt'), join(b, 'album')]);
      assert.equal(sha(join(b, 'album', 'inner', 'p2.jpg')), sha(join(a, 'album', 'inner', 'p2.jpg')));
      assert.equal(readFileSync(join(b, 'one.txt'), 'utf8'), 'one\n');
      // In the index now, with their contents: no rescan, no watcher.
      assert.deepEqual(names(lib, '/B'), ['album', 'one.txt']);
      assert.deepEqual(names(lib, '/B/album/inner'), ['p2.jpg']);
      const one = lib.ls('/B').find((i) => i.name === 'one.txt')!;
      assert.equal(one.content_uuid, lib.ls('/A').find((i) => i.name === 'one.txt')!.content_uuid);
      // Sources untouched, no partial left behind.
      assert.ok(existsSync(join(a, 'album', 'p1.jpg')));
      assert.deepEqual(readdirSync(b).filter((n) => n.startsWith('.vss-')), []);
    });
  });

  it('applies the conflict policy: keep-both (default) names a copy "(2)", skip leaves, replace overwrites', async () => {
    await withLib(async (lib) => {
      writeFileSync(join(b, 'two.txt'), 'older two\n');
      const kept = await lib.files.copy([join(a, 'two.txt')], b);
      assert.deepEqual(kept.result?.paths, [join(b, 'two (2).txt')]);
      assert.equal(readFileSync(join(b, 'two.txt'), 'utf8'), 'older two\n');
      const skipped = await lib.files.copy([join(a, 'two.txt')], join(b, 'two.txt'), { onConflict: 'skip' });
      assert.equal(skipped.result?.skipped, 1);
      assert.equal(readFileSync(join(b, 'two.txt'), 'utf8'), 'older two\n');
      // The file replaced is the only copy of its bytes ("older two"): the Guardian's guard asks for --force.
      await assert.rejects(lib.files.copy([join(a, 'two.txt')], b, { onConflict: 'replace' }), (err: VssError) => err.code === 'POLICY' && err.message.includes(join(b, 'two.txt')));
      assert.equal(readFileSync(join(b, 'two.txt'), 'utf8'), 'older two\n');
      const replaced = await lib.files.copy([join(a, 'two.txt')], b, { onConflict: 'replace', force: true });
      assert.deepEqual(replaced.result?.below_policy?.map((x) => [x.path, x.have, x.policy]), [[join(b, 'two.txt'), 0, 2]]);
      assert.equal(readFileSync(join(b, 'two.txt'), 'utf8'), 'two\n');
      assert.deepEqual(names(lib, '/B').filter((n) => n.startsWith('two')), ['two (2).txt', 'two.txt']);
      await assert.rejects(lib.files.copy([join(a, 'two.txt')], b, { onConflict: 'overwrite' }), /on-conflict must be one of skip, keep-both, replace/);
    });
  });

  it('moves within one filesystem by a rename: the entry moves in the index and keeps its content', async () => {
    await withLib(async (lib) => {
      const before = lib.ls('/B/album').find((i) => i.name === 'p1.jpg')!.content_uuid;
      const out = await lib.files.move([join(b, 'album', 'p1.jpg')], join(b, 'moved.jpg'));
      assert.equal(out.job.kind, 'files-move');
      assert.ok(!existsSync(join(b, 'album', 'p1.jpg')));
      assert.equal(sha(join(b, 'moved.jpg')), sha(join(a, 'album', 'p1.jpg')));
      assert.ok(!names(lib, '/B/album').includes('p1.jpg'));
      assert.equal(lib.ls('/B').find((i) => i.name === 'moved.jpg')?.content_uuid, before);
      // A folder moves whole, into a folder named with a trailing '/' (made when missing).
      await lib.files.move([join(b, 'album')], join(b, 'archive'), { into: true });
      assert.ok(existsSync(join(b, 'archive', 'album', 'inner', 'p2.jpg')));
      assert.deepEqual(names(lib, '/B/archive/album/inner'), ['p2.jpg']);
      assert.ok(!names(lib, '/B').includes('album'));
    });
  });

  it('moves by a rename across two locations and out of the library; replace gives up the taken name, keep-both keeps it', async () => {
    writeFileSync(join(a, 'across.txt'), 'across\n');
    writeFileSync(join(a, 'over.txt'), 'new over\n');
    writeFileSync(join(b, 'over.txt'), 'old over\n');
    writeFileSync(join(a, 'both.txt'), 'new both\n');
    writeFileSync(join(b, 'both.txt'), 'old both\n');
    writeFileSync(join(a, 'away.txt'), 'away\n');
    const away = join(tmp.path, 'away');
    await withLib(async (lib) => {
      await lib.locations.rescan((await lib.locations.list()).find((l) => l.name === 'A')!.id);
      const uuid = lib.ls('/A').find((i) => i.name === 'across.txt')!.content_uuid;
      const across = await lib.files.move([join(a, 'across.txt')], b);
      assert.deepEqual(across.result?.paths, [join(b, 'across.txt')]);
      assert.ok(!existsSync(join(a, 'across.txt')));
      assert.equal(lib.ls('/B').find((i) => i.name === 'across.txt')?.content_uuid, uuid, 'the entry keeps its content: a rename, not a copy');
      await lib.files.move([join(a, 'over.txt')], b, { onConflict: 'replace', force: true });
      assert.equal(readFileSync(join(b, 'over.txt'), 'utf8'), 'new over\n');
      assert.ok(!existsSync(join(a, 'over.txt')));
      const both = await lib.files.move([join(a, 'both.txt')], b);
      assert.deepEqual(both.result?.paths, [join(b, 'both (2).txt')]);
      assert.equal(readFileSync(join(b, 'both.txt'), 'utf8'), 'old both\n');
      // Out of the library's sight, its only copy leaves the library: the guard asks for --force.
      await assert.rejects(lib.files.move([join(a, 'away.txt')], away, { into: true }), /last copy in the library/);
      const out = await lib.files.move([join(a, 'away.txt')], away, { into: true, force: true });
      assert.equal(out.result?.outside_library, true);
      assert.equal(readFileSync(join(away, 'away.txt'), 'utf8'), 'away\n');
      assert.ok(!existsSync(join(a, 'away.txt')));
      assert.ok(!names(lib, '/A').includes('away.txt'));
    });
  });

  it('deletes for good; the last copy of a content in the library goes into the trash, named as existing nowhere else, and for good is refused without force, naming it', async () => {
    await withLib(async (lib) => {
      // one.txt is in A and in B: either may go.
      const gone = await lib.files.delete([join(b, 'one.txt')], { permanent: true });
      assert.equal(gone.result?.trash, undefined, 'for good');
      assert.ok(!existsSync(join(b, 'one.txt')));
      assert.ok(!names(lib, '/B').includes('one.txt'));
      assert.deepEqual(lib.trash.list(), [], 'not in the trash');
      const uuid = lib.ls('/A').find((i) => i.name === 'one.txt')!.content_uuid!;
      await assert.rejects(lib.files.delete([join(a, 'one.txt')], { permanent: true }), (err: Error) => {
        assert.match(err.message, /last copy/);
        assert.ok(err.message.includes(uuid) && err.message.includes(join(a, 'one.txt')), err.message);
        return true;
      });
      assert.ok(existsSync(join(a, 'one.txt')));
      // Into the trash the last copy goes, and the answer says it exists nowhere else.
      const trashed = await lib.files.delete([join(a, 'one.txt')]);
      assert.equal(trashed.result?.trash, true);
      assert.deepEqual(trashed.result?.below_policy, [{ content_uuid: uuid, path: join(a, 'one.txt'), have: 0, policy: 2, of: 'copies', not_counted: 0, nowhere_else: true }]);
      assert.ok(!existsSync(join(a, 'one.txt')));
      assert.deepEqual(lib.trash.list().map((t) => [t.path, t.content_uuid]), [[join(a, 'one.txt'), uuid]]);
      assert.deepEqual((await lib.trash.restore([join(a, 'one.txt')])).restored.map((r) => r.path), [join(a, 'one.txt')]);
      const forced = await lib.files.delete([join(a, 'one.txt')], { permanent: true, force: true });
      assert.deepEqual(forced.result?.below_policy?.map((x) => [x.path, x.have, x.policy]), [[join(a, 'one.txt'), 0, 2]]);
      assert.ok(!existsSync(join(a, 'one.txt')));
      assert.deepEqual(lib.trash.list(), []);
      // A folder: its files and folders, and its rows.
      await lib.files.delete([join(b, 'archive')], { permanent: true, force: true });
      assert.ok(!existsSync(join(b, 'archive')));
      assert.ok(!names(lib, '/B').includes('archive'));
    });
  });

  it('refuses paths outside the locations, with `..`, into the library folder, symlinks, a location itself', async () => {
    const outside = join(tmp.path, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'not in the library\n');
    symlinkSync(join(outside, 'secret.txt'), join(a, 'link.txt'));
    await withLib(async (lib) => {
      // A source outside every location is this machine's user's to name (issue 59); a delete there is not vss's.
      await lib.files.copy([join(outside, 'secret.txt')], join(b, 'from-outside.txt'));
      assert.equal(readFileSync(join(b, 'from-outside.txt'), 'utf8'), 'not in the library\n');
      await lib.files.delete([join(b, 'from-outside.txt')], { permanent: true, force: true });
      await assert.rejects(lib.files.delete([join(outside, 'secret.txt')]), /not inside any location/);
      await assert.rejects(lib.files.copy([join(libPath, 'database.db')], b), /inside the library folder/);
      await assert.rejects(lib.files.copy([`${a}/../outside/secret.txt`], b), /normalized/);
      await assert.rejects(lib.files.copy([join(a, 'two.txt')], `${b}/../outside`), /normalized/);
      await assert.rejects(lib.files.copy([join(a, 'two.txt')], libPath), /inside the library folder/);
      await assert.rejects(lib.files.copy([join(a, 'two.txt')], join(libPath, 'sidecars')), /inside the library folder/);
      await assert.rejects(lib.files.copy([join(a, 'link.txt')], b), /symlink/);
      await assert.rejects(lib.files.move([a], b), /location's own folder/);
      await assert.rejects(lib.files.delete([b]), /location's own folder/);
      await assert.rejects(lib.files.copy([join(a, 'album')], join(a, 'album', 'inner')), /into itself/);
      await assert.rejects(lib.files.copy(['relative.txt'], b), /absolute/);
      assert.ok(existsSync(join(outside, 'secret.txt')));
    });
  });

  it('copies to a folder outside the library when named, and says so (not indexed)', async () => {
    const out = join(tmp.path, 'export');
    await withLib(async (lib) => {
      const r = await lib.files.copy([join(a, 'two.txt')], out, { into: true });
      assert.equal(r.result?.outside_library, true);
      assert.equal(readFileSync(join(out, 'two.txt'), 'utf8'), 'two\n');
    });
  });

  it('a folder is copied as cp -a copies it: times, mode, hard links, symlinks, FIFOs; files counted apart from folders', async () => {
    const k = join(a, 'keep');
    mkdirSync(k);
    writeFileSync(join(k, 'f'), 'f\n', { mode: 0o640 });
    linkSync(join(k, 'f'), join(k, 'f2'));
    symlinkSync('f', join(k, 'ln'));
    execFileSync('mkfifo', [join(k, 'p')]);
    const y2001 = new Date('2001-01-01T00:00:00Z');
    utimesSync(join(k, 'f'), y2001, y2001);
    utimesSync(k, y2001, y2001);
    await withLib(async (lib) => {
      const out = await lib.files.copy([k], b);
      const c = join(b, 'keep');
      assert.equal(lstatSync(join(c, 'f')).mtimeMs, y2001.getTime());
      assert.equal(lstatSync(join(c, 'f')).mode & 0o777, 0o640);
      assert.equal(lstatSync(join(c, 'f2')).ino, lstatSync(join(c, 'f')).ino, 'one file, two names');
      assert.equal(readlinkSync(join(c, 'ln')), 'f');
      assert.ok(lstatSync(join(c, 'p')).isFIFO());
      assert.equal(lstatSync(c).mtimeMs, y2001.getTime(), 'the folder\'s time, set once its contents are in');
      assert.equal(out.result?.done, 4);
      assert.equal(out.result?.folders, 1);
      assert.equal(out.job.note, 'copy: 4 files done (1 folder), 0 skipped');
    });
    // Where extended attributes cannot be copied (here a python3 that fails at once), the result says so.
    const bin = join(tmp.path, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'python3'), '#!/bin/sh\nexit 127\n');
    chmodSync(join(bin, 'python3'), 0o755);
    const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1', VSS_PYTHON: join(bin, 'python3') };
    const r = await runCli(['--library', libPath, 'files', 'copy', k, join(b, 'keep-again')], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Extended attributes \(xattrs\) were not kept: its helper stopped/);
  });

  it('a folder of more files than a batch: each batch copied while the one before is placed, all in place and indexed, hard links across batches kept', async () => {
    const many = join(a, 'many');
    for (let d = 0; d < 3; d++) mkdirSync(join(many, `d${d}`), { recursive: true });
    const N = 2600;
    for (let i = 0; i < N; i++) writeFileSync(join(many, `d${i % 3}`, `f${i}.txt`), `file ${i}\n`);
    // Second names planned far from their first (another folder): some in the next batch.
    for (let i = 0; i < N; i += 500) linkSync(join(many, `d${i % 3}`, `f${i}.txt`), join(many, `d${(i + 1) % 3}`, `link${i}.txt`));
    await withLib(async (lib) => {
      const out = await lib.files.copy([many], b);
      assert.equal(out.job.status, 'completed', out.job.error ?? '');
      assert.equal(out.result?.done, N + Math.ceil(N / 500));
      const c = join(b, 'many');
      for (let i = 0; i < N; i++) assert.equal(readFileSync(join(c, `d${i % 3}`, `f${i}.txt`), 'utf8'), `file ${i}\n`);
      for (let i = 0; i < N; i += 500) assert.equal(lstatSync(join(c, `d${(i + 1) % 3}`, `link${i}.txt`)).ino, lstatSync(join(c, `d${i % 3}`, `f${i}.txt`)).ino, 'one file, two names');
      for (let d = 0; d < 3; d++) assert.deepEqual(readdirSync(join(c, `d${d}`)).filter((n) => n.startsWith('.vss-')), []);
      assert.equal(names(lib, '/B/many/d0').length, readdirSync(join(c, 'd0')).length, 'all indexed at once');
    });
    // kill -9 of the CLI in the middle of it (the first batch placed, the next copied meanwhile): `vss jobs run` finishes it, nothing left over.
    const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
    const child = spawn(process.execPath, [VSS_BIN, '--library', libPath, 'files', 'copy', many, join(b, 'many-again')], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const deadline = Date.now() + 60_000;
    const placed = () => { try { return readdirSync(join(b, 'many-again', 'd0')).filter((n) => !n.startsWith('.vss-')).length; } catch { return 0; } };
    while (Date.now() < deadline && placed() === 0) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    await new Promise((res) => child.once('exit', res));
    const run = await runCli(['--library', libPath, 'jobs', 'run', '--until-idle'], env);
    assert.equal(run.code, 0, run.stderr);
    const c = join(b, 'many-again');
    for (let i = 0; i < N; i++) assert.equal(readFileSync(join(c, `d${i % 3}`, `f${i}.txt`), 'utf8'), `file ${i}\n`);
    for (let d = 0; d < 3; d++) {
      assert.deepEqual(readdirSync(join(c, `d${d}`)).filter((n) => n.startsWith('.vss-')), [], 'no partial left');
      assert.equal(readdirSync(join(c, `d${d}`)).length, readdirSync(join(many, `d${d}`)).length, 'no name twice');
    }
  });

  it('vss files copy|move|delete: one job each, the files in `vss ls` right after, --json prints the job and its result', async () => {
    const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
    const lib = ['--library', libPath];
    const copied = await runCli([...lib, 'files', 'copy', join(a, 'two.txt'), `${b}/cli/`], env);
    assert.equal(copied.code, 0, copied.stderr);
    assert.match(copied.stdout, /Copied 4 B \(1 file; verified; job \d+\)/);
    const ls = await runCli([...lib, 'ls', '/B/cli'], env);
    assert.match(ls.stdout, /two\.txt/);
    const moved = json<{ job: { kind: string; status: string }; result: { paths: string[] } }>(await runCli([...lib, '--json', 'files', 'move', join(b, 'cli', 'two.txt'), join(b, 'cli', 'renamed.txt')], env));
    assert.equal(moved.job.kind, 'files-move');
    assert.deepEqual(moved.result.paths, [join(b, 'cli', 'renamed.txt')]);
    assert.match((await runCli([...lib, 'ls', '/B/cli'], env)).stdout, /renamed\.txt/);
    const refused = await runCli([...lib, 'files', 'delete', join(tmp.path, 'export', 'two.txt')], env);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /not inside any location/);
    const deleted = await runCli([...lib, 'files', 'delete', join(b, 'cli', 'renamed.txt')], env);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.doesNotMatch((await runCli([...lib, 'ls', '/B/cli'], env)).stdout, /renamed\.txt/);
    const jobs = json<Array<{ kind: string; status: string }>>(await runCli([...lib, '--json', 'jobs', 'list'], env));
    assert.ok(jobs.filter((j) => j.kind.startsWith('files-')).every((j) => j.status === 'completed'));
  });

  it('a copy killed mid-way and then cancelled leaves no partial: the cancel takes what the killed run left', async () => {
    mkdirSync(join(a, 'big'));
    writeBigFile(join(a, 'big', 'film.bin'), 64 * 1024 * 1024);
    const dest = join(tmp.path, 'killed-export');
    mkdirSync(dest);
    const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
    const child = spawn(process.execPath, [VSS_BIN, '--library', libPath, 'files', 'copy', join(a, 'big', 'film.bin'), dest], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const exited = new Promise((res) => child.once('exit', res));
    const partials = () => readdirSync(dest).filter((n) => n.startsWith('.vss-partial-'));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && partials().length === 0 && child.exitCode === null) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    await exited;
    assert.equal(partials().length, 1, 'killed while it copied: its partial is left for the next run');
    const job = json<Array<{ id: number; kind: string; status: string }>>(await runCli(['--library', libPath, 'jobs', 'list', '--json'], env)).find((j) => j.kind === 'files-copy' && j.status === 'running')!;
    const r = await runCli(['--library', libPath, 'jobs', 'cancel', String(job.id)], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(dest), [], 'cancelled: no run will take the partial up, so it is gone');
  });
});

