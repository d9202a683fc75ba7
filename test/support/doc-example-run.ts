import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, type Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO, VSS_BIN } from '../helpers.js';
import { describeProcess, killRecorded, survivorsAfter } from '../process-tree.js';
import { examplesOf, runElsewhere, type Placeholder } from './doc-examples.js';
import { freePort } from './free-port.js';
import { docPages } from './readme.js';

/**
 * The runner of the README's and the guide's examples (what they are, the sandbox and the
 * annotations: doc-examples.ts): a page a story, its blocks in bash in a sandbox of its own, and
 * everything it started stopped after.
 */

/** How long one block may take (a deep index of a few photos, a pairing). */
const BLOCK_MS = 90_000;
/** How long a placeholder waits for the output it stands for. */
const PLACEHOLDER_MS = 30_000;
/** How long one page may take, all its blocks. */
export const PAGE_MS = 240_000;

/** What a test gives a page's sandbox beyond the usual: environment, and a stop for what it started. */
export interface PagePreparation {
  env?: Record<string, string>;
  stop?: () => Promise<void>;
}

/**
 * A bucket, `s3://my-photos`, on an S3 server of the page's own on loopback (s3rver), a photo
 * under camera-uploads/ already: the page reaches it through the AWS SDK's standard chain as a
 * reader reaches theirs — its keys and region in the environment, and `AWS_ENDPOINT_URL` sending
 * the SDK there rather than to AWS (also `$AWS_ENDPOINT_URL` for a page that names another
 * service's endpoint, and `$S3_KEYS` for one that exports keys of its own).
 */
async function bucketOnLoopback(home: string): Promise<PagePreparation> {
  const { startS3 } = await import('./s3-server.js');
  const s3 = await startS3(join(home, '..', 's3'), ['my-photos']);
  try {
    // What the reader's phone uploaded there before: a photo under camera-uploads/ (buckets.md indexes it where it is).
    const [{ PutObjectCommand, S3Client }, { default: sharp }] = await Promise.all([import('@aws-sdk/client-s3'), import('sharp')]);
    const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: s3.env.AWS_REGION!, credentials: { accessKeyId: s3.env.AWS_ACCESS_KEY_ID!, secretAccessKey: s3.env.AWS_SECRET_ACCESS_KEY! } });
    const photo = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 30, g: 110, b: 200 } } }).jpeg().toBuffer();
    await client.send(new PutObjectCommand({ Bucket: 'my-photos', Key: 'camera-uploads/beach.jpg', Body: photo }));
    client.destroy();
  } catch (err) {
    await s3.stop();
    throw err;
  }
  const keys = `AWS_ACCESS_KEY_ID=${s3.env.AWS_ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY=${s3.env.AWS_SECRET_ACCESS_KEY}`;
  return { env: { ...s3.env, AWS_ENDPOINT_URL: s3.endpoint, S3_KEYS: keys }, stop: () => s3.stop() };
}

/** What a page needs from outside the sandbox, by page (none: nothing). */
const PREPARATIONS: Record<string, (home: string) => Promise<PagePreparation>> = {
  'docs/guide/files-and-trash.md': bucketOnLoopback,
  'docs/guide/buckets.md': bucketOnLoopback,
};

/** A block as it ran. */
export interface BlockRun {
  line: number;
  ms: number;
}

/** A machine of a page: its HOME (its data dir the default there), and the shell state its blocks carry on. */
interface Machine {
  env: Record<string, string>;
  state: string;
}

/** A page's sandbox: its folders, its environment and what it started. */
interface Sandbox {
  root: string;
  home: string;
  env: Record<string, string>;
  machines: Map<string, Machine>;
  mark: string;
  /** Everything the page's blocks printed, in order (background blocks as they print). */
  output: { text: string };
  /** By a placeholder's pattern: where the match it last stood for ended (a match stands in once). */
  used: Map<string, number>;
  background: ChildProcess[];
}

/**
 * A HOME as a desktop's is, its usual folders there and empty, whose vss data dir keeps loopback to
 * listen on and a free home-network port, as `--listen` and `--lan-port` keep them.
 */
async function seedHome(home: string): Promise<void> {
  for (const d of ['Desktop', 'Documents', 'Downloads', 'Pictures', 'Videos']) mkdirSync(join(home, d), { recursive: true });
  const dataDir = join(home, '.local', 'share', 'vss');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'device-settings.json'), `${JSON.stringify({ listen: ['/ip4/127.0.0.1/tcp/0'], lan: { on: false, port: await freePort() } })}\n`);
}

/** The machine NAME of SB ('this': the reader's), made at its first block. */
async function machine(sb: Sandbox, name: string): Promise<Machine> {
  const had = sb.machines.get(name);
  if (had) return had;
  const home = name === 'this' ? sb.home : join(sb.root, 'machines', name);
  mkdirSync(home, { recursive: true });
  await seedHome(home);
  const m = { env: { ...sb.env, HOME: home, VSS_DATA_DIR: join(home, '.local', 'share', 'vss') }, state: join(sb.root, `shell-state-${name}.sh`) };
  sb.machines.set(name, m);
  return m;
}

function sandbox(extra: Record<string, string>): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'vss-doc-examples-'));
  const home = join(root, 'home');
  const bin = join(root, 'bin');
  for (const d of [home, bin, join(root, 'tmp')]) mkdirSync(d, { recursive: true });
  // `vss` as a reader has it after `npm link` (a link to the checkout's launcher); `xdg-open` (what `vss ui --open` runs on Linux) opens nothing.
  symlinkSync(VSS_BIN, join(bin, 'vss'));
  writeFileSync(join(bin, 'xdg-open'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(bin, 'xdg-open'), 0o755);
  // The reader's clone, where a page takes photos an npm package ships (people.md: face-api's group photos); only read.
  symlinkSync(REPO, join(home, 'vss'));
  const mark = randomUUID();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Nothing of the test runner's own vss, desktop, AWS or npm settings reaches the reader's shell.
    if (v === undefined || /^(VSS_|XDG_|AWS_|npm_|BROWSER$|DISPLAY$|WAYLAND_)/.test(k)) continue;
    env[k] = v;
  }
  Object.assign(env, {
    HOME: home, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, TMPDIR: join(root, 'tmp'),
    VSS_DATA_DIR: join(home, '.local', 'share', 'vss'), VSS_LAN_ADDRESSES: '127.0.0.1', VSS_TEST_MARK: mark,
    ...(process.env.VSS_STRICT_TX ? { VSS_STRICT_TX: process.env.VSS_STRICT_TX } : {}),
    ...extra,
  });
  return { root, home, env, mark, machines: new Map(), output: { text: '' }, used: new Map(), background: [] };
}

/** A drive's mount point as a reader writes it (`/media/backup`, `/mnt/usb`): the path, and the mount point's own folder. */
const DRIVE = /(?<![\w.~/-])\/(media|mnt)\/([\w.-]+)/g;

/** CODE with each drive it names moved into the sandbox, the drive's folder made (see above). */
function onDrives(code: string, root: string): string {
  return code.replace(DRIVE, (_, top: string, name: string) => {
    const dir = join(root, 'drives', top, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  });
}

/** The value a placeholder stands for, waiting (bounded) for output that may still come. */
async function valueOf(p: Placeholder, sb: Sandbox, at: string): Promise<string> {
  if ('env' in p) {
    const v = sb.env[p.env];
    assert.ok(v !== undefined, `${at}: \`${p.text}\` is $${p.env}, which this page's test does not set`);
    return v;
  }
  const deadline = Date.now() + PLACEHOLDER_MS;
  const key = String(p.regex);
  for (;;) {
    const all = [...sb.output.text.matchAll(p.regex)].filter((m) => m.index >= (sb.used.get(key) ?? 0));
    const last = all[all.length - 1];
    if (last) {
      sb.used.set(key, last.index + last[0].length);
      return last[1] ?? last[0];
    }
    if (Date.now() > deadline) throw new Error(`${at}: \`${p.text}\` stands for ${p.regex}, which nothing the page printed matched:\n${tail(sb.output.text)}`);
    await sleep(100);
  }
}

function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** Every data dir in the sandbox a daemon ran for (its pid file or socket is there). */
function daemonDataDirs(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries: Dirent[];
    try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return; }
    if (entries.some((e) => e.name === 'daemon.pid' || e.name === 'daemon.sock')) found.push(dir);
    // Not through a link (`~/vss` is the checkout), nor into a library (`*.sdlibrary`): a data dir is a plain folder, or under ~/.local.
    if (depth < 8) for (const e of entries) if (e.isDirectory() && (!e.name.includes('.') || e.name === '.local')) walk(join(dir, e.name), depth + 1);
  };
  walk(root, 0);
  return found;
}

/** The addresses a data dir's running daemon listens on that are not loopback (it would be seen on the LAN). */
function listeningBeyondLoopback(dataDir: string): string[] {
  try {
    const ready = JSON.parse(readFileSync(join(dataDir, 'daemon.json'), 'utf8')) as { listen?: string[] };
    return (ready.listen ?? []).filter((a) => !/^\/ip4\/127\.|^\/ip6\/::1\//.test(a));
  } catch {
    return [];
  }
}

/** Stop what a page started: background blocks, every data dir's daemon; returns what still ran (killed now), and where a daemon listened beyond loopback. */
async function stopAll(sb: Sandbox): Promise<{ left: string[]; beyondLoopback: string[] }> {
  for (const child of sb.background) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
    }
  }
  const dataDirs = daemonDataDirs(sb.root);
  const beyondLoopback = dataDirs.flatMap((d) => listeningBeyondLoopback(d).map((a) => `${d}: ${a}`));
  for (const dir of dataDirs) await run(sb, 'vss daemon stop >/dev/null 2>&1 || true', { ...sb.env, VSS_DATA_DIR: dir }, sb.home).done(30_000);
  const left = await survivorsAfter(sb.mark, [], 15_000);
  killRecorded(left);
  return { left: left.map(describeProcess), beyondLoopback };
}

/** SCRIPT started in bash, in its own process group, its output added to the page's; `done` waits for it, bounded (then its group is killed). */
function run(sb: Sandbox, script: string, env: Record<string, string>, cwd: string): { child: ChildProcess; done: (ms: number) => Promise<{ code: number | null; timedOut: boolean }> } {
  const child = spawn('bash', ['-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout!.on('data', (d: Buffer) => (sb.output.text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (sb.output.text += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    child,
    done: async (ms) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
      }, ms);
      const code = await closed;
      clearTimeout(timer);
      return { code, timedOut };
    },
  };
}

/**
 * A bash function that writes what a terminal keeps between two commands to STATE: its variables
 * (exported or not: `T=$(…)` in one block is `$T` in the next), its aliases and its folder; not
 * bash's own read-only or changing variables.
 */
const KEEP_STATE = `__vss_keep() {
  { for __vss_v in $(compgen -v); do
      case "$__vss_v" in __vss_*|BASH*|FUNCNAME|LINENO|RANDOM|SRANDOM|SECONDS|PIPESTATUS|GROUPS|HISTCMD|DIRSTACK|EPOCH*|PWD|OLDPWD|SHLVL|_|PPID|UID|EUID|OPT*|COLUMNS|LINES|SHELLOPTS|HOSTNAME|HOSTTYPE|MACHTYPE|OSTYPE|COMP_*|MAILCHECK|IFS|PS[0-9]) continue ;; esac
      __vss_d=$(declare -p "$__vss_v" 2>/dev/null) || continue
      [[ $__vss_d =~ ^declare\\ -[a-zA-Z-]*r ]] && continue
      printf '%s\\n' "$__vss_d"
    done
    alias -p; printf 'cd %q\\n' "$PWD"; } > STATE
}`;

/** The script a block runs as: the state its machine's earlier blocks left, the block, then (KEEP) its state kept for the next. */
function scriptOf(code: string, state: string, keep: boolean): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    'set -e -o pipefail',
    'shopt -s expand_aliases',
    `[ -f ${q(state)} ] && . ${q(state)}`,
    // The line that failed, said once, for the test's message (set -e ends the block there).
    `trap 'echo "example: exit $? at line $LINENO of the block: $BASH_COMMAND" >&2' ERR`,
    ...(keep ? [KEEP_STATE.replace('STATE', q(state)), 'trap __vss_keep EXIT'] : []),
    code,
  ].join('\n');
}

/**
 * Run PAGE's examples as one story in a sandbox of its own (see above), PREPARE giving what the
 * page needs from outside (a server on loopback). Returns each block's time; throws with the block
 * that failed, or when something the page started is left running.
 */
export async function runPage(path: string, prepare: ((home: string) => Promise<PagePreparation>) | undefined = PREPARATIONS[path]): Promise<BlockRun[]> {
  const page = docPages().find((p) => p.path === path);
  assert.ok(page, `no page ${path}`);
  const examples = examplesOf(page).filter((e) => e.notRun === undefined && runElsewhere(e) === undefined);
  const sb = sandbox({ EXAMPLE_LISTEN: `/ip4/127.0.0.1/tcp/${await freePort()}` });
  let prepared: PagePreparation = {};
  const runs: BlockRun[] = [];
  let failure: Error | undefined;
  try {
    prepared = prepare ? await prepare(sb.home) : {};
    Object.assign(sb.env, prepared.env ?? {});
    for (const ex of examples) {
      const at = `${ex.page}:${ex.line}`;
      let code = ex.code;
      for (const p of ex.placeholders) {
        const word = new RegExp(`(?<![\\w])${p.text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?![\\w])`, 'g');
        assert.ok(word.test(code), `${at}: the block has no \`${p.text}\` for its annotation to stand for`);
        const value = await valueOf(p, sb, at);
        code = code.replace(word, () => value);
      }
      code = onDrives(code, sb.root);
      const m = await machine(sb, ex.machine);
      const started = Date.now();
      sb.output.text += `\n~~~ ${at}${ex.machine !== 'this' ? ` (on ${ex.machine})` : ''}${ex.background ? ' (in the background)' : ''}\n`;
      const block = run(sb, scriptOf(code, m.state, !ex.background), { ...m.env, ...(prepared.env ?? {}) }, m.env.HOME!);
      if (ex.background) {
        sb.background.push(block.child);
        runs.push({ line: ex.line, ms: 0 });
        continue;
      }
      const before = sb.output.text.length;
      const r = await block.done(BLOCK_MS);
      runs.push({ line: ex.line, ms: Date.now() - started });
      if (r.code !== 0 || r.timedOut) {
        throw new Error(`${at}: the block ${r.timedOut ? `ran over ${BLOCK_MS / 1000} s` : `exited ${r.code}`}:\n${code}\n--- what it printed:\n${tail(sb.output.text.slice(before), 60)}`);
      }
    }
  } catch (err) {
    failure = err as Error;
  } finally {
    const { left, beyondLoopback } = await stopAll(sb);
    await prepared.stop?.();
    // With VSS_TEST_KEEP the sandbox stays, and what the page printed with it.
    writeFileSync(join(sb.root, 'output.txt'), sb.output.text);
    if (!process.env.VSS_TEST_KEEP) rmSync(sb.root, { recursive: true, force: true });
    if (!failure && beyondLoopback.length > 0) failure = new Error(`${path}: a daemon listened beyond loopback: ${beyondLoopback.join('; ')}`);
    if (!failure && left.length > 0) failure = new Error(`${path}: left running after the page (killed now): ${left.join('; ')}`);
  }
  if (failure) throw failure;
  return runs;
}

/** Whether this machine can run the examples: bash, and /proc to find what a page left running. */
export const EXAMPLES_SKIP = existsSync('/proc/self/environ') && existsSync('/bin/bash') ? false : 'the examples run in bash and are checked through /proc (Linux)';

/** The blocks' time together, in seconds, for what a test says. */
export function seconds(runs: readonly BlockRun[]): string {
  return `${(runs.reduce((s, r) => s + r.ms, 0) / 1000).toFixed(1)} s`;
}

/**
 * The test of PAGE: its story run (runPage), each block's time said. The test files of test/guide/
 * call `it` themselves, so that each file's tests are told as its own (npm test's times, its order).
 */
export function pageTest(page: string): (t: TestContext) => Promise<void> {
  return async (t) => {
    const runs = await runPage(page);
    t.diagnostic(`${page}: ${runs.length} blocks in ${seconds(runs)} (${runs.map((r) => `line ${r.line}: ${(r.ms / 1000).toFixed(1)} s`).join(', ')})`);
  };
}
