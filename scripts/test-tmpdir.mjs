// The test run's temporary folder in memory (scripts/run-tests.mjs): a folder of its own in
// /dev/shm, a tmpfs, handed to every test file's process (and all it starts) as TMPDIR, and removed
// when the run ends. The tests make and remove hundreds of thousands of files and libraries; on a
// disk each costs kernel time, and on an ext4 without a journal (this project's VMs: the kernel then
// passes over every inode freed in the last minutes at each new file, `recently_deleted`) a file
// made cost 0.2–1 ms of CPU, against 0.02 ms in memory. Measured on the whole suite: docs/benchmarks.md.
// Not when TMPDIR is set already (the user's choice), with VSS_TEST_TMPDIR=disk, off Linux, or
// with too little memory free for the run's largest files.
import { existsSync, mkdirSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

const SHM = '/dev/shm';
const TMPFS_MAGIC = 0x01021994;
/** Room the run may need in memory at once (the largest test files are a few GiB, sparse ones most of them). */
const ROOM = 6 * 1024 ** 3;
const PREFIX = 'vss-test-run-';

/** The run's folder in memory, made, with its removal; undefined: the tests keep the system's temporary folder. */
export function memoryTestTmpdir() {
  if (process.env.TMPDIR || process.env.VSS_TEST_TMPDIR === 'disk' || process.platform !== 'linux') return undefined;
  try {
    const fs = statfsSync(SHM);
    if (fs.type !== TMPFS_MAGIC || fs.bavail * fs.bsize < ROOM) return undefined;
    removeStale();
    const path = join(SHM, `${PREFIX}${process.pid}`);
    mkdirSync(path, { mode: 0o700 });
    return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
  } catch {
    return undefined;
  }
}

/** Folders of runs whose runner is gone (killed: nothing removed them): memory held for nothing. */
function removeStale() {
  for (const name of readdirSync(SHM)) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length));
    if (Number.isInteger(pid) && pid > 0 && !existsSync(`/proc/${pid}`)) rmSync(join(SHM, name), { recursive: true, force: true });
  }
}
