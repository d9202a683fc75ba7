// Preloaded (--require) into the test files' processes by `node scripts/run-tests.mjs --cpu`:
// node:test's run() starts each file with its runner's own execArgv, so this runs in every test
// file's process, and in no daemon or child it starts unless that child is given the same flags.
// A process whose parent is the runner is a test file's: it moves itself into a cpuacct cgroup of
// its own (cgroup v1, /sys/fs/cgroup/cpuacct/…), named by its file, before it loads anything, so
// every process it starts (daemons, the CLI, Chromium, ffmpeg, detached ones too) counts there.
'use strict';
const { mkdirSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = process.env.VSS_TEST_CPU_CGROUP;
const runner = process.env.VSS_TEST_CPU_RUNNER;
if (root && runner && String(process.ppid) === runner && process.argv[1]) {
  const repo = join(__dirname, '..');
  const dir = join(root, relative(repo, process.argv[1]).replace(/[^\w.-]+/g, '__'));
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cgroup.procs'), String(process.pid));
  } catch (err) {
    process.stderr.write(`test-cpu-preload: ${dir}: ${err.message}\n`);
  }
}
