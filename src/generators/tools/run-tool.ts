import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { prepareToTie, tieToThisProcess } from '../../core/child-lifetime.js';
import { crashPoint } from '../../core/crash-point.js';
import { GeneratorError } from '../types.js';

export interface RunToolOptions {
  signal: AbortSignal;
  /** Kill the tool after this long; the failure is transient (retried with backoff up to the job's attempts): a loaded machine is as likely the cause as the input. */
  timeoutMs: number;
  /** Most stdout kept; more is a failure (a tool may not flood memory). Default 64 MiB. */
  maxStdoutBytes?: number;
  /** Run at lower CPU priority so the machine stays usable (default true). */
  nice?: boolean;
}

export interface ToolResult {
  stdout: Buffer;
  stderr: string;
}

const STDERR_KEEP = 16 * 1024;

/**
 * Run an external tool in its own process group with a timeout, killing the whole group on
 * timeout or abort so no child outlives its job, and tied to this process so none outlives vss
 * either (core/child-lifetime.ts). A non-zero exit is a permanent failure carrying the tail of
 * stderr as the reason.
 */
export function runTool(command: string, args: readonly string[], options: RunToolOptions): Promise<ToolResult> {
  const maxStdout = options.maxStdoutBytes ?? 64 * 1024 * 1024;
  const name = command.split(/[\\/]/).pop() ?? command;
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) {
      reject(new GeneratorError(`${name} not started: ${abortReason(options.signal)}`, { permanent: true }));
      return;
    }
    const useNice = options.nice !== false && process.platform !== 'win32';
    const ownGroup = process.platform !== 'win32';
    prepareToTie();
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: ownGroup });
    const untie = tieToThisProcess(child.pid, { group: ownGroup });
    crashPoint(`tool-running:${name}`);
    if (useNice && child.pid !== undefined) {
      // Lower priority so interactive work stays smooth while tools run.
      try { setPriority(child.pid, 10); } catch { /* the child may have exited already */ }
    }
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let failure: GeneratorError | undefined;
    const kill = (why: GeneratorError) => {
      failure ??= why;
      killGroup(child.pid);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxStdout) kill(new GeneratorError(`${name} wrote more than ${maxStdout} bytes`, { permanent: true }));
      else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    const timer = setTimeout(() => kill(new GeneratorError(`${name} took longer than ${seconds(options.timeoutMs)}`, { permanent: false })), options.timeoutMs);
    const onAbort = () => kill(new GeneratorError(`${name} stopped: ${abortReason(options.signal)}`, { permanent: true }));
    options.signal.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      untie();
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
    };
    child.on('error', (e) => {
      done();
      reject(new GeneratorError(`${name} could not run: ${e.message}`, { permanent: false, cause: e }));
    });
    child.on('close', (code, sig) => {
      done();
      if (failure) reject(failure);
      else if (code !== 0) reject(new GeneratorError(`${name} failed (${code ?? sig}): ${lastLines(err)}`, { permanent: true }));
      else resolve({ stdout: Buffer.concat(out), stderr: err });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 'SIGKILL');
  } catch {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}

export function abortReason(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  if (r instanceof Error) return r.message;
  return typeof r === 'string' ? r : 'cancelled';
}

function lastLines(text: string): string {
  const lines = text.trim().split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.slice(-3).join(' | ').slice(0, 600) || 'no message';
}

/** A time limit as people say it: "0.3 s", "45 s". */
function seconds(ms: number): string {
  return ms < 10_000 ? `${Number((ms / 1000).toFixed(1))} s` : `${Math.round(ms / 1000)} s`;
}
