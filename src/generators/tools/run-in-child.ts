/**
 * Call an export of a module in a process of its own whose memory the kernel caps: for decoders
 * whose memory follows the input rather than the output and cannot be bounded from outside
 * (pdfjs inflates a content stream whole, into ArrayBuffers a worker thread's heap limit does not
 * count: a 400 KB PDF of deflated zeros took one thread to 12 GiB). In the child an allocation
 * past the cap fails (RangeError in JS, an aborted process in native code) and the rest of the
 * machine never sees it; the child's stderr (V8's own reports, which a thread would print on
 * ours) stays ours to read, never the user's terminal.
 *
 * The cap is RLIMIT_DATA (`ulimit -d`, set by /bin/sh just before it becomes node): every private
 * writable mapping — malloc, V8's heap, ArrayBuffers, WASM memory as it grows — counts, address
 * space merely reserved does not. Linux enforces it; on a system without /bin/sh (Windows) the
 * child runs uncapped, as the decoders did in threads before.
 *
 * The child is killed on timeout or abort (its own process group), and tied to this process so it
 * never outlives vss (core/child-lifetime.ts); it also leaves when the IPC channel closes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareToTie, tieToThisProcess } from '../../core/child-lifetime.js';
import { GeneratorError } from '../types.js';
import { DECODER_MEMORY_ENV } from './decoder-memory.js';
import { abortReason } from './run-tool.js';
import { unspillBytes } from './spilled-bytes.js';

export interface ChildCallOptions {
  signal: AbortSignal;
  /** Kill the child after this long: the failure is permanent (the input keeps a decoder busy). */
  timeoutMs: number;
  /** The child's memory cap, MiB: its data (heap, buffers, native allocations) never exceeds it. */
  maxMemoryMb: number;
}

/** What the child sends back (decoder-child.ts). */
/** MAXRSSKIB: its peak resident set, the program's own mapped code included; ANONKIB: its data (anonymous memory) when it answered, where the system says. */
export type ChildReply<T> = ({ ok: true; value: T } | { ok: false; message: string; permanent: boolean }) & { maxRssKiB: number; anonKiB?: number };

const ENTRY = fileURLToPath(new URL('./decoder-child.js', import.meta.url));
const STDERR_KEEP = 8 * 1024;
const CAPPED = process.platform !== 'win32';

/** The largest resident set a decoder child reported in this process (KiB): for tests and benchmarks. */
let peakChildRssKiB = 0;
export function decoderChildPeakRssKiB(): number {
  return peakChildRssKiB;
}

/** The most data (anonymous memory) a decoder child held when it answered (KiB): what its cap bounds, without the code it maps (which a loaded machine's page cache makes vary). */
let peakChildAnonKiB = 0;
export function decoderChildPeakAnonKiB(): number {
  return peakChildAnonKiB;
}

/**
 * `exportName(arg)` from MODULE, in a fresh child process capped at `maxMemoryMb`. ARG and the
 * result travel by structured clone (typed arrays and Buffers included; the result's large ones
 * through files, see spilled-bytes.ts).
 */
export function runInChild<T>(module: URL, exportName: string, arg: unknown, options: ChildCallOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (options.signal.aborted) {
      reject(new GeneratorError(`not started: ${abortReason(options.signal)}`, { permanent: true }));
      return;
    }
    const mb = Math.max(64, Math.ceil(options.maxMemoryMb));
    const node = [process.execPath, `--max-old-space-size=${mb}`, ENTRY];
    // A hard limit below ours (set by the user or a service manager) is stricter still: kept.
    const [command, args] = CAPPED
      ? ['/bin/sh', ['-c', 'ulimit -d "$1" 2>/dev/null; shift; exec "$@"', 'vss-decoder', String(mb * 1024), ...node]]
      : [node[0]!, node.slice(1)];
    const spillDir = mkdtempSync(join(tmpdir(), 'vss-decoder-'));
    prepareToTie();
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
      detached: CAPPED,
      env: { ...process.env, [DECODER_MEMORY_ENV]: String(mb) },
    });
    const untie = tieToThisProcess(child.pid, { group: CAPPED });
    let stderr = '';
    child.stdout!.resume();
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      try {
        fn();
      } finally {
        rmSync(spillDir, { recursive: true, force: true });
      }
      // Still running (answered, or stuck): its whole group goes; once reaped, its pid is not ours to signal.
      if (child.exitCode === null && child.signalCode === null) kill(child.pid);
    };
    const timer = setTimeout(() => finish(() => reject(new GeneratorError(`took longer than ${Math.round(options.timeoutMs / 1000)} s`, { permanent: true }))), options.timeoutMs);
    const onAbort = () => finish(() => reject(new GeneratorError(`stopped: ${abortReason(options.signal)}`, { permanent: true })));
    options.signal.addEventListener('abort', onAbort, { once: true });
    child.on('message', (reply: ChildReply<T>) => {
      peakChildRssKiB = Math.max(peakChildRssKiB, reply.maxRssKiB || 0);
      peakChildAnonKiB = Math.max(peakChildAnonKiB, reply.anonKiB ?? 0);
      if (reply.ok) {
        finish(() => {
          try {
            resolve(unspillBytes<T>(reply.value));
          } catch (err) {
            reject(new GeneratorError(`the decoder's answer could not be read: ${(err as Error).message}`, { permanent: false, cause: err }));
          }
        });
      }
      else finish(() => reject(new GeneratorError(reply.message, { permanent: reply.permanent })));
    });
    child.on('error', (err) => {
      untie();
      finish(() => reject(new GeneratorError(`the decoder process could not run: ${err.message}`, { permanent: false, cause: err })));
    });
    child.on('exit', () => untie());
    // 'close', not 'exit': by then its pipes are read to the end, an answer sent just before it left included.
    child.on('close', (code, signal) => finish(() => reject(new GeneratorError(deathReason(code, signal, stderr, mb), { permanent: true }))));
    child.send({ module: module.href, exportName, arg, spillDir }, (err) => {
      if (err) finish(() => reject(new GeneratorError(`the decoder process could not be reached: ${err.message}`, { permanent: false, cause: err })));
    });
  });
}

/** Why a child ended without an answer: its memory (V8 or native code gave up at the cap), or what it said last. */
function deathReason(code: number | null, signal: NodeJS.Signals | null, stderr: string, mb: number): string {
  if (/out of memory|allocation failed|Reached heap limit|std::bad_alloc/i.test(stderr)) return `ran out of memory (limit ${mb} MiB)`;
  const last = stderr.trim().split(/\r?\n/).filter((l) => l.trim() !== '').pop()?.slice(0, 300);
  return `the decoder process ended (${signal ?? `code ${code}`})${last ? `: ${last}` : ''}`;
}

function kill(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(CAPPED ? -pid : pid, 'SIGKILL');
  } catch { /* gone already */ }
}
