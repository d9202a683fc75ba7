import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO, VSS_BIN, tempDir } from '../helpers.js';
// The CLI in this process for the libraries the tests read (test/support/cli-here.ts): what each
// loads is not looked at; every command whose loads are checked runs in a process of its own.
import { cliHere } from '../support/cli-here.js';

/** Packages that are engines: loading any of them costs start-up time a light command must not pay. */
const ENGINES = ['@aws-sdk/client-s3', 'sharp', 'tesseract.js', 'pdfjs-dist', 'onnxruntime-node', '@huggingface/transformers', '@napi-rs/whisper', '@ffmpeg-installer', '@ffprobe-installer', 'exiftool-vendored', 'heic-decode', 'chokidar'];
const RECORDER = join(REPO, 'dist', 'test', 'support', 'record-imports.js');
/**
 * What a daemon loads at the first use, not to start (each a tenth of a second of CPU or more, at
 * every start): the engines, the XML, HTML and file-type parsers, the countries' borders, tus,
 * fastify's schema compilers (vss's routes declare no schema) and the sender of files.
 */
const LOADED_AT_FIRST_USE = [
  '@aws-sdk/client-s3', 'sharp', 'tesseract.js', 'pdfjs-dist', 'onnxruntime-node', '@huggingface/transformers', '@napi-rs/whisper', 'exiftool-vendored',
  'heic-decode', '@rapideditor/country-coder', 'htmlparser2', 'saxes', 'file-type', '@tus/server', '@tus/file-store', 'ajv', '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler', '@fastify/send',
];

/**
 * Run the CLI with every module it loads recorded (its ES modules listed at its exit: test/support/record-imports.ts);
 * returns the loaded URLs. The compiled files
 * run (VSS_UNBUNDLED), whose module graph is what these tests read; with BUNDLED, the bundle
 * bin/vss runs after `npm run build` (dist/cli/main.cjs: vss's modules are in that one file, and what is left
 * out of it — the CommonJS engines — is loaded from node_modules as before).
 */
function loaded(args: string[], env: Record<string, string>, out: string, bundled = false): { urls: string[]; code: number | null; stderr: string } {
  rmSync(out, { force: true });
  writeFileSync(out, '');
  const r = spawnSync(process.execPath, ['--import', RECORDER, VSS_BIN, ...args], {
    env: { ...process.env, ...env, VSS_RECORD_IMPORTS: out, VSS_RECORD_IMPORTS_LIVE: undefined, VSS_LOG_LEVEL: undefined, VSS_LIBRARY: undefined, VSS_UNBUNDLED: bundled ? undefined : '1' } as NodeJS.ProcessEnv,
    encoding: 'utf8',
  });
  const urls = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  // The list made at the exit holds the recorder itself (an ES module): without it, the list is of CommonJS files alone.
  assert.ok(urls.some((u) => u.endsWith('/dist/test/support/record-imports.js')), `the ES modules were listed at the exit: ${r.stderr}`);
  return { urls, code: r.status, stderr: r.stderr };
}

function enginesIn(urls: string[], packages = ENGINES): string[] {
  // Code, not a package.json read for a version.
  return packages.filter((e) => urls.some((u) => u.includes(`/node_modules/${e}/`) && /\.(c|m)?js$|\.node$/.test(u)));
}

describe('light commands load no engine', () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const out = join(tmp.path, 'imports.txt');
  before(async () => {
    mkdirSync(join(tmp.path, 'folder'));
    writeFileSync(join(tmp.path, 'folder', 'a.txt'), 'hello');
    assert.equal((await cliHere(['library', 'create', 'L', '--path', tmp.path], env)).code, 0);
    assert.equal((await cliHere(['location', 'add', join(tmp.path, 'folder'), '--mode', 'content'], env)).code, 0);
    // A photo whose thumbnail `jobs run` makes: sharp is loaded at the first image, so it loads there.
    mkdirSync(join(tmp.path, 'photos'));
    writeFileSync(join(tmp.path, 'photos', 'dot.png'), Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'));
    assert.equal((await cliHere(['location', 'add', join(tmp.path, 'photos'), '--mode', 'deep', '--generate', 'thumb=grid@1x'], env)).code, 0);
  });
  after(() => tmp.cleanup());

  it('the recorder sees what a heavy command loads (so an empty list below means something)', async () => {
    const r = loaded(['jobs', 'run', '--until-idle'], env, out);
    assert.equal(r.code, 0, r.stderr);
    // `jobs run` loads the engine of the job it runs (sharp, for the photo's thumbnail).
    assert.ok(enginesIn(r.urls).includes('sharp'), 'jobs run loads sharp');
    assert.ok(r.urls.length > 100);
    // Another photo, so that the bundle's `jobs run` has a thumbnail to make too.
    const sharp = (await import('sharp')).default;
    writeFileSync(join(tmp.path, 'photos', 'red.png'), await sharp({ create: { width: 2, height: 2, channels: 3, background: '#f00' } }).png().toBuffer());
    assert.equal((await cliHere(['location', 'rescan', join(tmp.path, 'photos')], env)).code, 0);
    const b = loaded(['jobs', 'run', '--until-idle'], env, out, true);
    assert.equal(b.code, 0, b.stderr);
    assert.ok(b.urls.some((u) => u.includes('/dist/cli/main.cjs')), 'the bundle ran');
    assert.ok(enginesIn(b.urls).includes('sharp'), 'the bundle loads sharp from node_modules');
  });

  for (const args of [
    ['library', 'list'], ['library', 'current'], ['content', 'list', '--json'], ['location', 'list'],
    ['sidecars', 'list', '--json'], ['jobs', 'list', '--json'], ['models', 'list'], ['library', 'policy'], ['actions', 'list'], ['--help'],
  ]) {
    it(`vss ${args.join(' ')}`, () => {
      const r = loaded(args, env, out);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.urls.some((u) => u.includes('/dist/src/cli/main.js')), 'the CLI ran under the recorder');
      assert.deepEqual(enginesIn(r.urls), []);
      // The bundle keeps the engines where they were: out of a light command.
      const b = loaded(args, env, out, true);
      assert.equal(b.code, 0, b.stderr);
      assert.ok(b.urls.some((u) => u.includes('/dist/cli/main.cjs')), 'the bundle ran under the recorder');
      assert.deepEqual(enginesIn(b.urls), []);
    });
  }
});

/**
 * The command line parses with next to nothing loaded, and a read the daemon serves loads its
 * client, not the domain (issue 43): no store, no database, no library.
 */
describe('the command line loads only what the command asked uses', () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const out = join(tmp.path, 'imports.txt');
  const own = (urls: string[]) => [...new Set(urls.filter((u) => u.includes('/dist/src/')).map((u) => u.replace(/.*\/dist\/src\//, '')))];
  const DOMAIN = /^(store|db|library|locations|indexer\/(?!types\.js)|sidecars\/manager|jobs\/queue|sync\/peer|guardian|ops\/(?!file-op-request))/;
  before(async () => {
    assert.equal((await cliHere(['library', 'create', 'L', '--path', tmp.path], env)).code, 0);
    mkdirSync(join(tmp.path, 'folder'));
    writeFileSync(join(tmp.path, 'folder', 'a.txt'), 'hello');
    assert.equal((await cliHere(['location', 'add', join(tmp.path, 'folder'), '--mode', 'content'], env)).code, 0);
  });
  after(async () => {
    spawnSync(process.execPath, [VSS_BIN, 'daemon', 'stop'], { env: { ...process.env, ...env } });
    tmp.cleanup();
  });

  for (const args of [['--version'], ['--help'], ['help', 'files'], []]) {
    it(`vss ${args.join(' ') || '(nothing)'} loads the command line and no more`, () => {
      const r = loaded(args, env, out);
      assert.ok(r.urls.some((u) => u.includes('/dist/src/cli/main.js')), 'the CLI ran under the recorder');
      const mods = own(r.urls);
      assert.deepEqual(mods.filter((m) => DOMAIN.test(m)), [], 'nothing of the domain');
      if (args[0] !== 'help') assert.ok(mods.length <= 16, `${mods.length} modules of vss: ${mods.join(' ')}`);
      assert.deepEqual(r.urls.filter((u) => u.includes('/node_modules/better-sqlite3/')), []);
    });
  }

  it('a daemon starts without what it loads at the first use (engines, parsers, tus, schema compilers), nor its launcher libp2p', () => {
    const recorded = (pid: number | undefined) => readFileSync(join(tmp.path, `imports-${pid}.txt`), 'utf8').split('\n').filter(Boolean);
    // The recorder in the daemon too (the CLI starting it passes its environment on), each process to its own file,
    // each import as it comes (LIVE): the daemon's is read while it runs.
    const started = spawnSync(process.execPath, [VSS_BIN, 'daemon', 'start'], {
      env: { ...process.env, ...env, VSS_UNBUNDLED: '1', NODE_OPTIONS: `--import=${RECORDER}`, VSS_RECORD_IMPORTS: join(tmp.path, 'imports-%p.txt'), VSS_RECORD_IMPORTS_LIVE: '1' }, encoding: 'utf8',
    });
    assert.equal(started.status, 0, started.stderr);
    const daemon = recorded((JSON.parse(readFileSync(join(env.VSS_DATA_DIR, 'daemon.json'), 'utf8')) as { pid: number }).pid);
    assert.ok(daemon.some((u) => u.endsWith('/dist/src/daemon/run-daemon.js')), 'the daemon ran under the recorder');
    assert.ok(daemon.some((u) => u.includes('/node_modules/fastify/')), 'the recorder sees what is required (fastify is CommonJS)');
    assert.deepEqual(enginesIn(daemon, LOADED_AT_FIRST_USE), []);
    // `daemon start` without --listen has no address to check: no multiaddr parser, no libp2p package.
    const launcher = recorded(started.pid);
    assert.ok(launcher.some((u) => u.endsWith('/dist/src/cli/commands/daemon.js')), 'the launcher ran under the recorder');
    assert.deepEqual(launcher.filter((u) => /\/node_modules\/(@libp2p|@multiformats|multiformats|@noble)\//.test(u)), []);
  });

  it('a read the daemon serves loads its client, not the domain', () => {
    // The daemon the test before started, or one started now.
    const started = spawnSync(process.execPath, [VSS_BIN, 'daemon', 'start'], { env: { ...process.env, ...env, VSS_UNBUNDLED: '1' }, encoding: 'utf8' });
    assert.ok(started.status === 0 || /already runs/.test(started.stderr), started.stderr);
    for (const args of [['tag', 'list'], ['content', 'list', '--json'], ['album', 'list']]) {
      const r = loaded(args, env, out);
      assert.equal(r.code, 0, r.stderr);
      const mods = own(r.urls);
      assert.ok(mods.includes('api/remote/remote-vss.js'), `${args.join(' ')} went to the daemon`);
      assert.deepEqual(mods.filter((m) => DOMAIN.test(m)), [], `${args.join(' ')}: nothing of the domain`);
      assert.deepEqual(r.urls.filter((u) => u.includes('/node_modules/better-sqlite3/')), [], args.join(' '));
    }
  });
});

/**
 * The bundle bin/vss runs starts from V8's code cache the build made (scripts/bundle-cli.mjs): a
 * cache V8 refuses (another bundle's, a Node whose V8 differs) would cost every start its compile
 * again, silently. And what it loads at its first use is required, not imported: Node 20 loses a
 * code-cached script's dynamic import (a bucket's SDK, exiftool, the LAN certificate).
 */
describe('the CLI bundle runs from its code cache', () => {
  const bundle = join(REPO, 'dist', 'cli', 'main.cjs');
  /** This process's environment without NODE_OPTIONS (its flags would make another cache). */
  const plainEnv = () => {
    const { NODE_OPTIONS: _flags, ...env } = process.env;
    return env;
  };

  /** Whether V8, under FLAGS, refuses CACHE for the bundle as it is: what a fresh process prints ('false': taken). */
  const rejected = (cache: string, flags: string[] = []) => spawnSync(process.execPath, [...flags, '-e', `
      const { readFileSync } = require('node:fs'); const vm = require('node:vm'); const Module = require('node:module');
      const f = ${JSON.stringify(bundle)};
      const s = new vm.Script(Module.wrap(readFileSync(f, 'utf8')), { filename: f, cachedData: readFileSync(${JSON.stringify(cache)}) });
      process.stdout.write(String(s.cachedDataRejected));
    `], { encoding: 'utf8', env: plainEnv() });

  it('the cache the build made is taken by V8 for the bundle as it is', () => {
    const r = rejected(bundle + '.cache');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'false');
  });

  it('a run under flags of its own (a heap limit) keeps its cache beside the plain one, and leaves that as it was', () => {
    const plain = readFileSync(bundle + '.cache');
    // A heap limit no other test uses; its cache, named by its flags as bin/vss names it, made anew by this run.
    const flag = '--max-old-space-size=229';
    const own = join(dirname(bundle), `main.cjs.${createHash('sha1').update(`${flag}\0`).digest('hex').slice(0, 12)}.cache`);
    rmSync(own, { force: true });
    const r = spawnSync(process.execPath, [flag, VSS_BIN, '--version'], { encoding: 'utf8', env: plainEnv() });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(readFileSync(bundle + '.cache').equals(plain), 'the plain cache is not replaced by one V8 would refuse a plain run');
    assert.ok(existsSync(own), 'the flagged run kept a cache of its own, named by its flags');
  });

  it('a command keeps a code cache of its own, made once by a run that succeeded, which V8 takes', () => {
    // Flags no other test uses: every cache of this test is named by them, so no run beside it touches one.
    const flag = '--max-old-space-size=231';
    const tag = createHash('sha1').update(`${flag}\0`).digest('hex').slice(0, 12);
    const base = join(dirname(bundle), `main.cjs.${tag}.cache`);
    const own = join(dirname(bundle), `main.cjs.models.${tag}.cache`);
    const typo = join(dirname(bundle), `main.cjs.modles.${tag}.cache`);
    for (const f of [base, own, typo]) rmSync(f, { force: true });
    const vss = (...args: string[]) => spawnSync(process.execPath, [flag, VSS_BIN, ...args], { encoding: 'utf8', env: plainEnv() });

    const first = vss('models', '--help');
    assert.equal(first.status, 0, first.stderr);
    assert.ok(existsSync(own), 'the command kept a cache named by it');
    assert.equal(existsSync(base), false, 'a command writes only its own');
    const accepted = rejected(own, [flag]);
    assert.equal(accepted.stdout, 'false', accepted.stderr);

    const made = readFileSync(own);
    assert.equal(vss('models', '--help').status, 0);
    assert.ok(readFileSync(own).equals(made), 'a run that found its cache leaves it as it was');

    const wrong = vss('modles');
    assert.equal(wrong.status, 2, wrong.stderr);
    assert.equal(existsSync(typo), false, 'a mistyped command makes no cache');
    for (const f of [base, own]) rmSync(f, { force: true });
  });

  it('requires no ES module from node_modules (its default export would be lost to the interop)', () => {
    // Relative to dist/cli/, wherever node_modules really is (a symlinked one is resolved).
    const required = [...readFileSync(bundle, 'latin1').matchAll(/require\("(\.[^"]*\/node_modules\/[^"]+)"\)/g)].map((m) => m[1]!);
    assert.ok(required.length > 10, 'the CommonJS packages are required from node_modules');
    const esm = required.filter((rel) => {
      const file = join(REPO, 'dist', 'cli', rel);
      if (file.endsWith('.mjs')) return true;
      for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
        if (existsSync(join(dir, 'package.json'))) return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: string }).type === 'module';
      }
      return false;
    });
    assert.deepEqual(esm, []);
  });

  it('holds no dynamic import and is ASCII (read as one byte a character)', () => {
    const text = readFileSync(bundle, 'latin1');
    // esbuild prints a string in double quotes: a single-quoted import(…) is a package's JSDoc comment.
    assert.deepEqual(text.match(/(?<![\w$.])import\((?!')/g) ?? [], []);
    assert.equal(/[^\x00-\x7f]/.test(text), false);
  });
});
