import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface, type Interface } from 'node:readline';

/** Past this many files in a batch, one flush of the whole filesystem beats a flush per file. */
const SYNCFS_FROM = 16;
const FLUSHES_IN_FLIGHT = 16;
const SYNCFS_TIMEOUT_MS = 10 * 60_000;

/**
 * Flush the bytes of FILES (all on one filesystem, written by us, not yet renamed) to the disk,
 * before they are put in place. Many small files: one syncfs(2) of their filesystem (`sync -f`;
 * Node has no call for it), a single journal commit instead of one per file (RESEARCH-21: a
 * datasync per file made a copy of 10k small files 3.7x slower than `cp -r`). Few, or where
 * `sync -f` is not there: each file's own datasync, several at once.
 */
export async function flushAll(files: readonly string[]): Promise<void> {
  if (files.length === 0) return;
  if (files.length >= SYNCFS_FROM && process.platform === 'linux' && (await syncfs(files[0]!))) return;
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const fh = await open(files[next++]!, 'r+');
      try { await fh.datasync(); } finally { await fh.close(); }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FLUSHES_IN_FLIGHT, files.length) }, worker));
}

let noSyncfs = false;

/**
 * A small shell that runs `sync -f` for each path it reads, answering `ok` or `no`: a daemon of a
 * few hundred MiB forking for every flush spent ~80 ms of CPU on each fork, a shell of a few hundred
 * KiB forks in well under one. Idle, it keeps nothing up (unref'd); it ends when its input does:
 * with this process, however that ends (a kill -9 included), it goes too.
 */
interface Syncer {
  child: ChildProcessByStdio<Writable, Readable, null>;
  lines: Interface;
  /** Answers awaited, in the order their paths were written. */
  waiting: Array<(ok: boolean) => void>;
}

let syncer: Syncer | undefined;

const SYNC_LOOP = 'while IFS= read -r p; do if sync -f -- "$p" 2>/dev/null; then echo ok; else echo no; fi; done';

function startSyncer(): Syncer {
  const child = spawn('sh', ['-c', SYNC_LOOP], { stdio: ['pipe', 'pipe', 'ignore'] });
  const s: Syncer = { child, lines: createInterface({ input: child.stdout }), waiting: [] };
  s.lines.on('line', (line) => s.waiting.shift()?.(line === 'ok'));
  const gone = (): void => {
    if (syncer === s) syncer = undefined;
    for (const w of s.waiting.splice(0)) w(false);
  };
  child.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') noSyncfs = true;
    gone();
  });
  child.on('exit', gone);
  child.stdin.on('error', gone);
  holdOpen(s, false);
  return s;
}

/** Keep this process up while a flush is awaited (HOLD), and not for the idle shell. */
function holdOpen(s: Syncer, hold: boolean): void {
  const how = hold ? 'ref' : 'unref';
  s.child[how]();
  for (const io of [s.child.stdin, s.child.stdout] as unknown as Array<{ ref?: () => void; unref?: () => void }>) io[how]?.();
}

/** Flushes asked for while one runs, by filesystem: each filesystem's are served together by the next one. */
const queued = new Map<number, { path: string; waiters: Array<(ok: boolean) => void> }>();
let draining = false;

/**
 * One syncfs of the filesystem holding ONFS, true once it is flushed. Asked while another runs, it
 * waits for the next, which serves every request of that filesystem made meanwhile (a group
 * commit: a few receivers placing at once share one flush rather than queue one each).
 */
function syncfs(onFs: string): Promise<boolean> {
  // A path the shell would read as two lines is flushed file by file instead.
  if (noSyncfs || onFs.includes('\n')) return Promise.resolve(false);
  let dev: number;
  try {
    dev = statSync(onFs).dev;
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const q = queued.get(dev);
    if (q) q.waiters.push(resolve);
    else queued.set(dev, { path: onFs, waiters: [resolve] });
    if (!draining) void drain();
  });
}

async function drain(): Promise<void> {
  draining = true;
  try {
    while (queued.size > 0) {
      const round = [...queued.values()];
      queued.clear();
      for (const r of round) {
        const ok = await syncOne(r.path);
        for (const w of r.waiters) w(ok);
      }
    }
  } finally {
    draining = false;
  }
}

/** `sync -f ONFS` by the shell. */
function syncOne(onFs: string): Promise<boolean> {
  const s = (syncer ??= startSyncer());
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      // A flush that hangs this long: the shell is let go (a new one serves the next), the files flushed one by one.
      s.child.kill('SIGKILL');
      resolve(false);
    }, SYNCFS_TIMEOUT_MS);
    timer.unref();
    if (s.waiting.length === 0) holdOpen(s, true);
    s.waiting.push((ok) => {
      clearTimeout(timer);
      if (s.waiting.length === 0) holdOpen(s, false);
      resolve(ok);
    });
    s.child.stdin.write(`${onFs}\n`);
  });
}
