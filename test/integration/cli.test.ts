import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Stores } from '../../src/store/stores.js';
import { VSS_BIN, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { memoryTempDir } from '../support/memory-dir.js';

interface Created { id: string; name: string; path: string }
interface IndexJson { location_id: number; files: number; dirs: number; bytes: number; contents: number; duration_ms: number; skipped: Array<{ path: string; reason: string }>; skipped_total: number }
interface ContentJson { content_uuid: string; cas_id: string; kind: string; mime: string; size: number; paths: string[] }

describe('cli: libraries', () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  after(() => tmp.cleanup());

  it('creates, lists, opens and reports the current library', async () => {
    const a = json<Created>(await runCli(['library', 'create', 'Photos', '--path', tmp.path, '--json'], env));
    assert.equal(a.name, 'Photos');
    assert.equal(a.path, join(tmp.path, 'Photos.sdlibrary'));
    for (const f of ['library.json', 'database.db', 'sidecars']) assert.ok(existsSync(join(a.path, f)), f);
    assert.equal(existsSync(join(a.path, '.sdlibrary.lock')), false, 'lock released on exit');

    const b = json<Created>(await runCli(['library', 'create', 'Work', '--path', tmp.path, '--json'], env));
    assert.deepEqual(json<Created>(await runCli(['library', 'current', '--json'], env)).path, b.path);
    json(await runCli(['library', 'open', a.path, '--json'], env));
    assert.equal(json<Created>(await runCli(['library', 'current', '--json'], env)).id, a.id);
    const list = json<Array<Created & { current: boolean }>>(await runCli(['library', 'list', '--json'], env));
    assert.deepEqual(list.map((l) => [l.name, l.current]), [['Work', false], ['Photos', true]]);
  });

  it('creates the device identity once, with a private key only its owner can read', async () => {
    const device = JSON.parse(readFileSync(join(env.VSS_DATA_DIR, 'device.json'), 'utf8'));
    assert.match(device.uuid, /^[0-9a-f-]{36}$/);
    assert.match(device.publicKey, /BEGIN PUBLIC KEY/);
    assert.equal(statSync(join(env.VSS_DATA_DIR, 'device.key')).mode & 0o777, 0o600);
    await runCli(['library', 'list'], env);
    assert.equal(JSON.parse(readFileSync(join(env.VSS_DATA_DIR, 'device.json'), 'utf8')).uuid, device.uuid);
  });

  it('exits 2 on usage errors and 1 on failures, with one line on stderr', async () => {
    const usage = await runCli(['location', 'add', tmp.path, '--mode', 'sideways'], env);
    assert.equal(usage.code, 2);
    const unknown = await runCli(['no-such-command'], env);
    assert.equal(unknown.code, 2);
    // The hint says vss as it was run here (the tests run the launcher by its path: `./bin/vss`, or `vss` when linked on the PATH).
    assert.match(unknown.stderr, /^vss: error: unknown command 'no-such-command' \(run `(vss|\S*bin\/vss) --help` for usage\)\n$/, 'a usage error is one line too');
    assert.equal((await runCli(['location', 'rescan', 'abc'], env)).code, 2);
    const dup = await runCli(['library', 'create', 'Photos', '--path', tmp.path], env);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /^vss: error: a library already exists there/);
    assert.equal(dup.stderr.trim().split('\n').length, 1);
    const missing = await runCli(['location', 'add', join(tmp.path, 'nope')], env);
    assert.equal(missing.code, 1);
    const none = await runCli(['library', 'current'], { VSS_DATA_DIR: join(tmp.path, 'empty-data') });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no library is selected/);
  });
});

describe('cli: locations and contents', () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const pics = join(tmp.path, 'Pictures');
  let lib = '';

  before(async () => {
    mkdirSync(join(pics, 'trip'), { recursive: true });
    writeFileSync(join(pics, 'a.txt'), 'same');
    writeFileSync(join(pics, 'trip', 'b.txt'), 'same');
    writeFileSync(join(pics, 'trip', 'c.md'), '# other');
    lib = json<Created>(await runCli(['library', 'create', 'L', '--path', tmp.path, '--json'], env)).path;
  });
  after(() => tmp.cleanup());

  it('adds, lists, rescans and removes a location, with the JSON of DESIGN §11', async () => {
    const add = json<IndexJson>(await runCli(['location', 'add', pics, '--mode', 'content', '--json'], env));
    assert.deepEqual([add.files, add.dirs, add.bytes, add.contents], [3, 1, 15, 2]);
    assert.equal(typeof add.duration_ms, 'number');
    assert.equal(typeof add.location_id, 'number');

    const contents = json<ContentJson[]>(await runCli(['content', 'list', '--json'], env));
    const same = contents.find((c) => c.paths.length === 2)!;
    assert.deepEqual(same.paths.sort(), [join(pics, 'a.txt'), join(pics, 'trip', 'b.txt')]);
    assert.deepEqual(Object.keys(same).sort(), ['cas_id', 'content_uuid', 'copies', 'kind', 'mime', 'paths', 'size']);
    assert.equal(same.size, 4);
    assert.equal(json<ContentJson[]>(await runCli(['content', 'list', '--kind', 'image', '--json'], env)).length, 0);
    // The text list names a content by the first 8 characters of its uuid, which a command takes back.
    const text = await runCli(['content', 'list'], env);
    assert.doesNotMatch(text.stdout, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/, text.stdout);
    assert.ok(text.stdout.split('\n').some((l) => l.startsWith(`${same.content_uuid.slice(0, 8)}  `)), text.stdout);
    const shown = json<{ content_uuid: string }>(await runCli(['content', 'show', same.content_uuid.slice(0, 8), '--json'], env));
    assert.equal(shown.content_uuid, same.content_uuid);

    const locs = json<Array<{ id: number; path: string; mode: string }>>(await runCli(['location', 'list', '--json'], env));
    assert.deepEqual(locs.map((l) => [l.id, l.path, l.mode]), [[add.location_id, pics, 'content']]);

    const again = await runCli(['location', 'add', pics], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already location/);

    writeFileSync(join(pics, 'new.txt'), 'new');
    const rescan = json<IndexJson>(await runCli(['--json', 'location', 'rescan', String(add.location_id)], env));
    assert.equal(rescan.files, 4);

    json(await runCli(['location', 'remove', String(add.location_id), '--json'], env));
    assert.deepEqual(json(await runCli(['content', 'list', '--json'], env)), []);
    assert.equal(existsSync(join(pics, 'a.txt')), true, 'remove never touches the folder');
  });

  it('prints odd names safely on one line each', async () => {
    const odd = join(tmp.path, 'Odd');
    mkdirSync(odd);
    writeFileSync(join(odd, 'two\nlines.txt'), 'x1');
    writeFileSync(join(odd, '-rf'), 'x2');
    const add = await runCli(['location', 'add', odd], env);
    assert.equal(add.code, 0, add.stderr);
    const out = await runCli(['content', 'list', '--location', JSON.parse((await runCli(['location', 'list', '--json'], env)).stdout).at(-1).id], env);
    const lines = out.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.ok(lines.some((l) => l.includes('"' + join(odd, 'two\\nlines.txt') + '"')));
    assert.ok(lines.some((l) => l.endsWith(join(odd, '-rf'))));
  });

  it('refuses a second process while the library is open, and recovers from a killed one', async () => {
    // A process that opens the library and then hangs, holding the lock.
    const holder = spawn(process.execPath, ['--input-type=module', '-e', `
      const { Vss } = await import(${JSON.stringify(join(process.cwd(), 'dist/src/index.js'))});
      new Vss({ dataDir: ${JSON.stringify(env.VSS_DATA_DIR)} }).openLibrary({ path: ${JSON.stringify(lib)} });
      process.stdout.write('open\\n');
      setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((res) => holder.stdout!.once('data', () => res()));
    try {
      const refused = await runCli(['sidecars', 'reconcile'], env);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, new RegExp(`library is in use by process ${holder.pid}`));
      // Read-only commands do not need the lock: they work beside a long-running holder.
      assert.equal((await runCli(['content', 'list'], env)).code, 0);
    } catch (err) {
      holder.kill('SIGKILL'); // never leave the holder running: the test file would never end
      throw err;
    }
    holder.kill('SIGKILL');
    await new Promise((res) => holder.once('close', res));
    assert.ok(existsSync(join(lib, '.sdlibrary.lock')), 'a killed process leaves its lock behind');
    assert.equal((await runCli(['sidecars', 'reconcile'], env)).code, 0, 'the stale lock is taken over');
  });
});

describe('cli: bad input', () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  after(() => tmp.cleanup());

  it('skips unreadable files and folders and FIFOs with reasons, keeps the rest, exits 0', async () => {
    const tree = join(tmp.path, 'tree');
    mkdirSync(join(tree, 'locked'), { recursive: true });
    writeFileSync(join(tree, 'ok.txt'), 'fine');
    writeFileSync(join(tree, 'secret.txt'), 'no');
    writeFileSync(join(tree, 'locked', 'inside.txt'), 'hidden');
    execFileSync('mkfifo', [join(tree, 'pipe')]);
    chmodSync(join(tree, 'secret.txt'), 0o000);
    chmodSync(join(tree, 'locked'), 0o000);
    // Root reads everything: run the CLI as an unprivileged user so permissions bite.
    const asRoot = process.getuid?.() === 0;
    const spawnOpts = asRoot ? { uid: 65534, gid: 65534 } : {};
    if (asRoot) {
      for (const p of [tmp.path, tree]) chmodSync(p, 0o777);
      mkdirSync(env.VSS_DATA_DIR, { recursive: true });
      chmodSync(env.VSS_DATA_DIR, 0o777);
    }
    const libDir = join(tmp.path, 'libs');
    mkdirSync(libDir);
    chmodSync(libDir, 0o777);
    assert.equal((await runCli(['library', 'create', 'B', '--path', libDir], env, spawnOpts)).code, 0);
    const r = await runCli(['location', 'add', tree, '--json'], env, spawnOpts);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as IndexJson;
    const reasons = Object.fromEntries(res.skipped.map((s) => [s.path, s.reason]));
    assert.match(reasons[join(tree, 'secret.txt')] ?? '', /permission denied/);
    assert.match(reasons[join(tree, 'locked')] ?? '', /cannot be read.*permission denied/);
    assert.match(reasons[join(tree, 'pipe')] ?? '', /not a regular file/);
    assert.equal(res.contents, 1);
    const warnings = r.stderr.trim().split('\n');
    assert.equal(warnings.length, 3);
    for (const w of warnings) assert.match(w, /^vss: warning: skipped /);

    // Once readable, a rescan picks them up; nothing indexed before is lost meanwhile.
    chmodSync(join(tree, 'secret.txt'), 0o644);
    chmodSync(join(tree, 'locked'), 0o755);
    rmSync(join(tree, 'pipe'));
    const again = JSON.parse((await runCli(['location', 'rescan', String(res.location_id), '--json'], env, spawnOpts)).stdout) as IndexJson;
    assert.equal(again.skipped_total, 0);
    assert.equal(again.files, 3);
    assert.equal(again.contents, 3);
  });

  it('exits 1 with a clear line when the location folder is gone', async () => {
    const gone = join(tmp.path, 'gone');
    mkdirSync(gone);
    const env2 = { VSS_DATA_DIR: join(tmp.path, 'data2') };
    await runCli(['library', 'create', 'G', '--path', tmp.path], env2);
    const add = json<IndexJson>(await runCli(['location', 'add', gone, '--json'], env2));
    rmSync(gone, { recursive: true });
    const r = await runCli(['location', 'rescan', String(add.location_id)], env2);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^vss: error: location folder is not reachable/);
  });

  it('leaves a consistent library when killed mid-index, and the next rescan completes it', async () => {
    // In memory: 10,000 files made on this VM's disk took 9 of the test's 10 s (memory-dir.ts).
    const mem = memoryTempDir('vss-cli-kill-');
    after(mem.cleanup);
    const tree = join(mem.path, 'many');
    const FILES = 10_000;
    for (let d = 0; d < FILES / 250; d++) {
      mkdirSync(join(tree, `d${d}`), { recursive: true });
      for (let f = 0; f < 250; f++) writeFileSync(join(tree, `d${d}`, `f${f}.txt`), `file ${d}/${f} ${'x'.repeat(f)}`);
    }
    const env3 = { VSS_DATA_DIR: join(tmp.path, 'data3') };
    const lib = json<Created>(await runCli(['library', 'create', 'K', '--path', tmp.path, '--json'], env3)).path;
    const db = new Database(join(lib, 'database.db'), { readonly: true });
    // Another process's library, read through its stores on a read-only connection (location 1: the only one).
    const { entries } = new Stores(db, 'the-reader');
    try {
      const child = spawn(process.execPath, [VSS_BIN, 'location', 'add', tree, '--json'], { env: { ...process.env, ...env3 }, stdio: 'ignore' });
      // Kill it once some, but not all, of the work is committed: its folders listed, its files
      // not yet (a first scan writes a file's row once it is read, up to 50,000 a commit, so a
      // kill "at its first files" could come after the last: one commit was the whole scan).
      const deadline = Date.now() + 20_000;
      while (entries.count(1) <= 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGKILL');
      await new Promise((res) => child.once('close', res));
      const files = entries.files(1).files;
      assert.ok(entries.count(1) > 1 && files < FILES, `killed mid-way (${entries.count(1)} rows, ${files} of ${FILES} files)`);
    } finally {
      db.close();
    }
    const r = json<IndexJson>(await runCli(['location', 'rescan', '1', '--json'], env3));
    assert.equal(r.files, FILES);
    assert.equal(r.contents, FILES);
    const check = new Database(join(lib, 'database.db'), { readonly: true });
    try {
      // Read on purpose: the database file's own check, which no store makes.
      assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
      const { entries } = new Stores(check, 'the-reader');
      assert.equal(entries.unidentified(1).files, 0);
      assert.equal(entries.files(1).files, FILES);
    } finally {
      check.close();
    }
  });
});
