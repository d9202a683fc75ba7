import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { chmodSync, existsSync, fchmodSync, fstatSync, futimesSync, linkSync, lutimesSync, readlinkSync, symlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { keptMode } from '../core/kept-mode.js';

/**
 * What a copy on a local disk keeps of its source besides the bytes, as `cp -a` does (a file
 * operation's copy, src/ops/transfer/run/here-target.ts): the permission bits (the one rule, `keptMode`),
 * access and modification times (a folder's once its contents are written), extended
 * attributes, symlinks as symlinks, FIFOs as FIFOs and a second name of a file as a hard link.
 * Holes are kept by the copy itself (local-verified-copy.ts). Paths are local and absolute, the
 * caller's checked ones: a copy's partial beside its place, its source in a location.
 */

/**
 * Give PATH (a copy, not yet in place) SRC's times, and its mode as `keptMode` says. Never
 * through a symlink: a symlink's own times are set, its mode means nothing on Linux.
 */
export function keepTimesAndMode(path: string, src: { atimeMs: number; mtimeMs: number; mode: number }, symlink = false): void {
  if (!symlink) chmodSync(path, keptMode(src.mode));
  lutimesSync(path, src.atimeMs / 1000, src.mtimeMs / 1000);
}

/**
 * As keepTimesAndMode, for the regular file open as FD (a copy's partial, read back through it):
 * no lookup of its path. Its mode is changed only where it is not the kept one already (MODE: the
 * file's mode now, where the caller looked; else looked at here; null: set without a look): the
 * kernel copy (libuv's copyfile) gives the copy its source's whole mode, so what is left is a
 * setuid, setgid or sticky bit to drop, or a source whose mode changed since it was looked at.
 */
export function keepTimesAndModeOf(fd: number, src: { atimeMs: number; mtimeMs: number; mode: number }, mode: number | null = fstatSync(fd).mode): void {
  const kept = keptMode(src.mode);
  if (mode === null || (mode & 0o7777) !== kept) fchmodSync(fd, kept);
  futimesSync(fd, src.atimeMs / 1000, src.mtimeMs / 1000);
}

/** Make PARTIAL a symlink with SRC's own text, byte for byte: never resolved, never followed. */
export function copySymlink(src: string, partial: string): void {
  symlinkSync(readlinkSync(src, { encoding: 'buffer' }), partial);
}

/** Whether the symlinks A and B hold the same text, byte for byte. */
export function sameSymlink(a: string, b: string): boolean {
  return readlinkSync(a, { encoding: 'buffer' }).equals(readlinkSync(b, { encoding: 'buffer' }));
}

/** Make PARTIAL another name of the file FIRST (a hard link: one file with two names stays one). */
export function linkAs(first: string, partial: string): void {
  linkSync(first, partial);
}

/** Remove what is at PATH (a partial never placed: a file, symlink or FIFO), if anything; never throws. */
export async function dropPartial(path: string): Promise<void> {
  await rm(path, { force: true }).catch(() => undefined);
}

/** Make a FIFO at PATH with MODE: Node has no mkfifo(3); coreutils' `mkfifo` is on every Linux vss runs on. */
export function makeFifo(path: string, mode: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('mkfifo', ['-m', (keptMode(mode)).toString(8), '--', path], { timeout: 30_000 }, (err, _out, stderr) => {
      if (!err) return resolve();
      const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'mkfifo is not installed' : String(stderr).trim() || err.message;
      reject(new NotKept(why));
    });
  });
}

/** Something of a source that could not be made at the destination: the item is skipped with this reason. */
export class NotKept extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'NotKept';
  }
}

/**
 * Node has no call for extended attributes and vss depends on no native module for them, so they
 * are copied by Python's standard library (os.listxattr/getxattr/setxattr), one process per
 * operation run fed with a batch at a time. Each pair answers null (all kept, or none there) or
 * which names could not be set and why. A system without python3 keeps no xattrs, and the job
 * says so (`XattrCopier.unavailable`).
 */
const XATTR_SCRIPT = `
import sys, os, json, errno
def one(s, d):
    try:
        names = os.listxattr(s, follow_symlinks=False)
    except OSError as e:
        if e.errno in (errno.ENOTSUP, errno.EOPNOTSUPP): return None
        return 'could not be read: ' + e.strerror
    bad = []
    for n in names:
        try:
            os.setxattr(d, n, os.getxattr(s, n, follow_symlinks=False), follow_symlinks=False)
        except OSError as e:
            bad.append(n + ' (' + e.strerror + ')')
    return ', '.join(bad) if bad else None
for line in sys.stdin:
    sys.stdout.write(json.dumps([one(s, d) for s, d in json.loads(line)]) + '\\n')
    sys.stdout.flush()
`;

/**
 * `VSS_PYTHON` where set; else the system's own Python where Linux has one; else whichever
 * `python3` the PATH finds. A version manager's shim on the PATH (pyenv's is a shell script that
 * asks which Python to run) costs ~0.2 s of CPU each start against ~0.01 s, and every copy or move
 * starts one. The helper needs only the standard library (hence also -S: no site packages).
 */
const NO_PYTHON = 'python3 is not installed (vss copies extended attributes through it)';

function python(): string {
  return process.env.VSS_PYTHON || (process.platform === 'linux' && existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

export class XattrCopier {
  private child: ChildProcessByStdio<Writable, Readable, null> | undefined;
  private failed: string | undefined;
  private readonly waiting: Array<{ resolve: (r: Array<string | null>) => void; reject: (e: Error) => void }> = [];
  private buffered = '';

  /** Why no xattr is kept at all in this run (python3 missing or its helper stopped), or undefined. */
  get unavailable(): string | undefined {
    return this.failed;
  }

  /** Copy the xattrs of each [source, copy] pair; answers per pair null or what was not kept. */
  async copy(pairs: ReadonlyArray<readonly [string, string]>): Promise<Array<string | null>> {
    if (pairs.length === 0 || this.failed) return pairs.map(() => null);
    const child = this.start();
    if (!child) return pairs.map(() => null);
    try {
      return await new Promise<Array<string | null>>((resolve, reject) => {
        this.waiting.push({ resolve, reject });
        child.stdin.write(JSON.stringify(pairs) + '\n');
      });
    } catch {
      return pairs.map(() => null);
    }
  }

  close(): void {
    this.child?.stdin.end();
    this.child = undefined;
  }

  private start(): ChildProcessByStdio<Writable, Readable, null> | undefined {
    if (this.child) return this.child;
    const fail = (why: string) => {
      this.failed ??= why;
      this.child = undefined;
      for (const w of this.waiting.splice(0)) w.reject(new Error(why));
    };
    const py = python();
    // A Python named by its path that is not there is known by a stat: a spawn that fails forks the whole process first (every copy, on a system without one).
    if (isAbsolute(py) && !existsSync(py)) {
      fail(NO_PYTHON);
      return undefined;
    }
    const child = spawn(py, ['-I', '-S', '-c', XATTR_SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'] });
    child.on('error', (err) => fail((err as NodeJS.ErrnoException).code === 'ENOENT' ? NO_PYTHON : `its helper failed: ${err.message}`));
    // Stopped other than by close(): nothing more is sent to it (a write would go nowhere and never be answered).
    child.on('exit', () => { if (this.child === child) fail('its helper stopped'); });
    child.stdin.on('error', () => undefined);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.buffered += chunk;
      for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        const w = this.waiting.shift();
        try {
          w?.resolve(JSON.parse(line) as Array<string | null>);
        } catch (err) {
          w?.reject(err as Error);
        }
      }
    });
    this.child = child;
    return child;
  }
}
