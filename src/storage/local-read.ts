import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { errnoCode } from '../core/errors.js';
import { PathRefusedError } from '../library/confine.js';
import { factsOf, READ_FLAGS } from './local-disk.js';
import type { NodeFacts } from './port.js';

/**
 * PATH opened to read at once, in this thread, refused as `openLocalRange` refuses (a symlink,
 * FIFO or folder): its descriptor (the caller closes it) and what it is.
 */
export function openRegularNow(path: string): { fd: number; facts: NodeFacts } {
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (err) {
    if (errnoCode(err) === 'ELOOP') throw new PathRefusedError(path, 'is a symlink: vss never follows one');
    throw err;
  }
  try {
    const facts = factsOf(fstatSync(fd));
    if (facts.kind !== 'file') throw new PathRefusedError(path, 'is not a regular file');
    return { fd, facts };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/**
 * A local file open to read at once, in this thread: the small-file read of content hashing,
 * which a worker thread does a hundred thousand times a scan, where a thread-pool round trip per
 * read would cost more than the read. The same syscalls as a bare read (open, fstat, reads,
 * fstat, close) and the same refusals as `openLocalRange`: a symlink, FIFO or folder at PATH.
 */
export class LocalFileNow {
  private constructor(private readonly fd: number, readonly facts: NodeFacts) {}

  static open(path: string): LocalFileNow {
    const { fd, facts } = openRegularNow(path);
    return new LocalFileNow(fd, facts);
  }

  /** Fill BUF from POSITION 0 on, as far as the file goes: the bytes read (fewer when the file is shorter). */
  readInto(buf: Uint8Array): number {
    let got = 0;
    while (got < buf.length) {
      const n = readSync(this.fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return got;
  }

  /** Whether the file's size or time changed since it was opened (its reader refuses what it read then). */
  changedSinceOpen(): boolean {
    const st = fstatSync(this.fd);
    return st.size !== this.facts.size || st.mtimeMs !== this.facts.mtimeMs;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/**
 * Whether PATH is a folder of this device, reached through a symlink or not: a folder a user named
 * to copy into may be one (its own name is the user's choice; vss never follows a link below it).
 */
export function isLocalFolder(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** Why PATH cannot be written into as a folder ('does not exist', 'is not a folder'), or undefined when it can. */
export function localFolderProblem(path: string): string | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  if (st === undefined) return 'does not exist (make it first, e.g. mkdir -p)';
  return st.isDirectory() ? undefined : 'is not a folder';
}
