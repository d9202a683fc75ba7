// `npm test`'s runner (after the build): every compiled test file, four at a time (most wait on
// daemons, sockets and child processes, not the two cores), each in a process
// of its own (node:test's run()), the slowest known first so the last minutes are not one long
// file running alone; TAP on stdout and each file's time in dist/test-times.json
// (test/support/file-times.ts, read by `npm run test:times`).
// The quick unit files (beside the code, and the web app's in test/web/; not named in
// test/slow-first.txt) share a few processes instead, one after the other, each file's tests in a
// suite of its own (its top-level hooks are that suite's): loading the modules a unit file tests
// costs about as much CPU as its tests, and a group loads each module once. A file that changes
// its process (its environment, its globals, its folder, its listeners, its exit) or measures it
// keeps a process of its own; so does every file with --alone. The architecture checks (test/architecture/)
// share one process of their own too: each parses all of src/, and there the trees are parsed once.
// --cpu counts each test file's CPU: the file's process and all it starts (daemons, the CLI,
// browsers, tools, detached ones too) in a cpuacct cgroup of its own (cgroup v1, as root; the
// preload scripts/test-cpu-preload.cjs), printed by CPU after the TAP and kept in
// dist/test-cpu.json; the machine may be shared: a cgroup counts only its own processes.
//   node scripts/run-tests.mjs [--concurrency N] [--alone] [--cpu] [FILE_SUBSTRING…]
// The slowest files are named in test/slow-first.txt (`npm run test:times -- --save` writes it
// from the last full run); a file not named there runs after them, in name order.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from 'node:test';
import { tap } from 'node:test/reporters';
import { PassThrough, Readable } from 'node:stream';

const repo = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
let concurrency = 4;
let alone = false;
let cpu = false;
const only = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--concurrency') concurrency = Number(args[++i]);
  else if (args[i] === '--alone') alone = true;
  else if (args[i] === '--cpu') cpu = true;
  else only.push(args[i]);
}
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error('usage: node scripts/run-tests.mjs [--concurrency N] [--alone] [--cpu] [FILE_SUBSTRING…]');
  process.exit(2);
}
if (cpu && !process.env.VSS_TEST_CPU_CGROUP) process.exit(runCounted());
if (process.env.VSS_TEST_CPU_CGROUP) process.env.VSS_TEST_CPU_RUNNER = String(process.pid);

/**
 * --cpu: this runner again, in a cgroup of its own, with the preload its test files inherit; then
 * each file's CPU from its cgroup, the most first. Returns the run's exit code.
 */
function runCounted() {
  const top = '/sys/fs/cgroup/cpuacct';
  const root = join(top, `vss-tests-${process.pid}`);
  mkdirSync(root);
  writeFileSync(join(root, 'cgroup.procs'), String(process.pid));
  const started = Date.now();
  const child = spawnSync(process.execPath, ['--require', join(repo, 'scripts/test-cpu-preload.cjs'), fileURLToPath(import.meta.url), ...args.filter((a) => a !== '--cpu')], {
    stdio: 'inherit',
    env: { ...process.env, VSS_TEST_CPU_CGROUP: root },
  });
  const seconds = (dir, name) => Number(readFileSync(join(dir, name), 'utf8')) / 1e9;
  const files = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => {
    const dir = join(root, d.name);
    return { file: d.name.replace(/__/g, '/'), cpu: seconds(dir, 'cpuacct.usage'), user: seconds(dir, 'cpuacct.usage_user'), sys: seconds(dir, 'cpuacct.usage_sys') };
  }).sort((a, b) => b.cpu - a.cpu);
  writeFileSync(join(top, 'cgroup.procs'), String(process.pid));
  const total = seconds(root, 'cpuacct.usage');
  const wall = (Date.now() - started) / 1000;
  const inFiles = files.reduce((s, f) => s + f.cpu, 0);
  writeFileSync(join(repo, 'dist/test-cpu.json'), JSON.stringify({ at: new Date().toISOString(), only, wall, total, files }, null, 1) + '\n');
  process.stdout.write(`# CPU by test file (each file's processes in a cgroup of their own): ${total.toFixed(1)} s in all, ${inFiles.toFixed(1)} s in ${files.length} files, ${wall.toFixed(0)} s wall\n`);
  for (const f of files.slice(0, 40)) process.stdout.write(`# ${f.cpu.toFixed(1).padStart(7)} s  (user ${f.user.toFixed(1)}, sys ${f.sys.toFixed(1)})  ${f.file}\n`);
  // A cgroup a process still runs in (a daemon left behind) stays, and says so.
  for (const d of [...files.map((f) => f.file.replace(/\//g, '__')), '']) {
    try {
      rmdirSync(join(root, d));
    } catch (err) {
      process.stdout.write(`# ${join(root, d)} kept: ${err.code} (a process left in it)\n`);
    }
  }
  return child.status ?? 1;
}

/** Every *.test.js under DIR. */
function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return testFiles(p);
    return name.endsWith('.test.js') ? [p] : [];
  });
}

const all = [...testFiles(join(repo, 'dist/src')), ...testFiles(join(repo, 'dist/test'))]
  .map((p) => relative(repo, p))
  .filter((f) => only.length === 0 || only.some((s) => f.includes(s)))
  .sort();
const slowFirstFile = join(repo, 'test/slow-first.txt');
const slowFirst = existsSync(slowFirstFile) ? readFileSync(slowFirstFile, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')) : [];
const rank = new Map(slowFirst.map((f, i) => [f, i]));

/** Processes the quick unit files share. */
const GROUPS = 6;
/** What makes a test file keep a process of its own: it changes or measures the process it runs in (or its globals). */
const OWN_PROCESS = /process\.env(\.\w+|\[[^\]]+\])\s*=(?!=)|globalThis\.\w+\s*=(?!=)|delete process\.env|process\.(chdir|exit|on|once|umask|setMaxListeners|memoryUsage|exitCode)\b|\bmemoryUsage\(|getHeapStatistics/;
// A whole run's groups keep their names (test/slow-first.txt ranks them); a run of some files
// writes its own, so that it never rewrites those of a whole run going on beside it.
const groupsRel = only.length === 0 ? join('dist', 'test-groups') : join('dist', `test-groups-${process.pid}`);
const groupsDir = join(repo, groupsRel);
rmSync(groupsDir, { recursive: true, force: true });
const ownsProcess = (f) => OWN_PROCESS.test(readFileSync(join(repo, f), 'utf8'));
const quick = alone ? [] : all.filter((f) => (f.startsWith('dist/src/') || f.startsWith('dist/test/web/')) && !rank.has(f) && !ownsProcess(f));
/** Checks that read the same files share one process of their own: the architecture checks each parse all of src/, once a process (test/architecture/parsed.ts). */
const SHARED = { architecture: 'dist/test/architecture/' };
const groups = [];
/** Each grouped file, and its group's file: every one must report, or the run fails (a group's process may end early). */
const membersOf = new Map();
/** GROUP's file (dist/test-groups/GROUP.test.js): MEMBERS one after the other, each file's tests in a suite of its own. */
function writeGroup(group, members, what) {
  mkdirSync(groupsDir, { recursive: true });
  const file = join(groupsRel, `${group}.test.js`);
  writeFileSync(join(repo, file), [
    `// Made by scripts/run-tests.mjs: ${members.length} ${what} in one process, one after the other.`,
    "import { describe } from 'node:test';",
    ...members.map((m) => `describe(${JSON.stringify(m)}, async () => { await import(${JSON.stringify(`../../${m}`)}); });`),
    '',
  ].join('\n'));
  groups.push(file);
  for (const m of members) membersOf.set(m, join(repo, file));
}
if (quick.length > 1) {
  const n = Math.min(GROUPS, Math.ceil(quick.length / 2));
  for (let g = 0; g < n; g++) writeGroup(`unit-${g + 1}`, quick.filter((_, i) => i % n === g), 'quick unit files');
}
for (const [group, dir] of Object.entries(SHARED)) {
  const members = alone ? [] : all.filter((f) => f.startsWith(dir) && !rank.has(f) && !ownsProcess(f));
  if (members.length > 1) writeGroup(group, members, `files of ${dir}`);
}
const grouped = new Set(membersOf.keys());
const files = [...all.filter((f) => !grouped.has(f)), ...groups].sort((a, b) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity) || (a < b ? -1 : a > b ? 1 : 0));
if (files.length === 0) {
  console.error('no test files found: build first (npm run build)');
  process.exit(1);
}

// forceExit: a file ends once its tests (and their after hooks) have, though a timer is left behind
// (the safety model's dead lives keep theirs, as a process killed -9 would not): not at the timeout.
const stream = run({ files: files.map((f) => join(repo, f)), concurrency, timeout: 600_000, forceExit: true });
const toTap = new PassThrough({ objectMode: true });
const toTimes = new PassThrough({ objectMode: true });
let failed = false;
// What failed, said again after the TAP: CI keeps only the end of what a run prints.
const failures = [];
const reported = new Set();
stream.on('data', (event) => {
  if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && membersOf.get(event.data.name) === event.data.file) reported.add(event.data.name);
  if (event.type === 'test:fail' && !event.data.todo && !event.data.skip) {
    failed = true;
    const err = event.data.details?.error;
    const cause = err?.cause ?? err;
    const message = String(cause?.message ?? cause ?? '').split('\n').slice(0, 6).join(' | ').slice(0, 600);
    failures.push(`${event.data.file ? relative(repo, event.data.file) : '?'}: ${event.data.name}: ${message}`);
  }
  toTap.write(event);
  toTimes.write(event);
});
stream.on('end', () => { toTap.end(); toTimes.end(); });

const { default: fileTimes } = await import(join(repo, 'dist/test/support/file-times.js'));
const timesDone = (async () => {
  let out = '';
  for await (const chunk of fileTimes(toTimes)) out += chunk;
  writeFileSync(join(repo, 'dist/test-times.json'), out);
})();
const tapDone = new Promise((resolve, reject) => {
  Readable.from(tap(toTap)).on('error', reject).on('end', resolve).pipe(process.stdout, { end: false });
});
await Promise.all([tapDone, timesDone]);
for (const m of membersOf.keys()) {
  if (reported.has(m)) continue;
  failed = true;
  failures.push(`${relative(repo, membersOf.get(m))}: ${m}: never reported (its group's process ended first)`);
}
if (only.length > 0) rmSync(groupsDir, { recursive: true, force: true });
if (failures.length > 0) {
  process.stdout.write(`# ${failures.length} failed (a suite counts with its test):\n`);
  for (const f of failures.slice(0, 40)) process.stdout.write(`# FAILED ${f.replace(/\n/g, ' ')}\n`);
}
process.exitCode = failed ? 1 : 0;
