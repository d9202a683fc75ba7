/**
 * The one face-model process of this vss process: started on the first picture, kept while
 * pictures come (loading the nets and warming the wasm kernels costs a second; a process per
 * picture would double the time), asked one picture at a time, and ended when idle for a while,
 * when it has grown past its memory mark (the wasm heap only grows), or when a request is
 * cancelled mid-picture (wasm cannot be interrupted). Its memory is capped by the kernel like the
 * decoders' (run-in-child.ts) and it is tied to this process (core/child-lifetime.ts).
 *
 * A model that cannot load is one clear reason for every request of the next minute, not a
 * process started again for each picture; the jobs are tried again later (a load can fail for the
 * moment: a busy machine's timeout, memory), while a model missing from the install is refused
 * before any of this (faces-generator.ts `availability`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { prepareToTie, tieToThisProcess } from '../../core/child-lifetime.js';
import { abortReason } from '../tools/run-tool.js';
import { GeneratorError } from '../types.js';
import type { ChildMessage, DetectRequest, RawFace } from './face-protocol.js';

const ENTRY = fileURLToPath(new URL('./face-child.js', import.meta.url));
const CAPPED = process.platform !== 'win32';

export interface FaceEngineOptions {
  /** The process's data cap, MiB (the kernel fails an allocation past it). */
  maxMemoryMb: number;
  /** Ended after this long without a picture. */
  idleMs: number;
  /** Ended (and started afresh on the next picture) once its resident set passed this, MiB. */
  recycleRssMb: number;
  /** The most time loading the model may take. */
  loadTimeoutMs: number;
}

export const DEFAULT_FACE_ENGINE: FaceEngineOptions = {
  maxMemoryMb: 2048,
  idleMs: 30_000,
  recycleRssMb: 900,
  loadTimeoutMs: 60_000,
};

/** How long a model that failed to load is not tried again. */
const LOAD_FAILURE_HOLD_MS = 60_000;

export interface FacesAnswer {
  faces: RawFace[];
  /** The model's own time for this picture. */
  ms: number;
  /** The model process's peak resident set so far, KiB. */
  rssKiB: number;
}

interface Running {
  child: ChildProcess;
  ready: Promise<void>;
  untie: () => void;
  stderr: string;
}

let running: Running | undefined;
let queue: Promise<unknown> = Promise.resolve();
let idleTimer: NodeJS.Timeout | undefined;
let loadFailure: { message: string; at: number } | undefined;
let nextId = 1;
let options = DEFAULT_FACE_ENGINE;
let peakRssKiB = 0;

/** Change the engine's limits (tests, benchmarks); a running process keeps its own until it ends. */
export function configureFaceEngine(o: Partial<FaceEngineOptions>): void {
  options = { ...options, ...o };
}

/** The largest resident set the model process reported in this process, KiB. */
export function faceEnginePeakRssKiB(): number {
  return peakRssKiB;
}

/** The pid of the model process, while one runs (tests check it is gone). */
export function faceEnginePid(): number | undefined {
  return running?.child.pid;
}

/** The faces in a picture of WIDTH × HEIGHT RGB PIXELS; one picture at a time across the process. */
export function detectFaces(pixels: Uint8Array, width: number, height: number, signal: AbortSignal): Promise<FacesAnswer> {
  const turn = queue.then(() => detectNow(pixels, width, height, signal));
  queue = turn.catch(() => undefined);
  return turn;
}

/** End the model process now (a daemon stopping, a test's end). */
export function stopFaceEngine(): void {
  if (running) end(running);
}

async function detectNow(pixels: Uint8Array, width: number, height: number, signal: AbortSignal): Promise<FacesAnswer> {
  if (signal.aborted) throw new GeneratorError(`not started: ${abortReason(signal)}`, { permanent: true });
  if (loadFailure && Date.now() - loadFailure.at < LOAD_FAILURE_HOLD_MS) throw new GeneratorError(loadFailure.message, { permanent: false });
  clearTimeout(idleTimer);
  const r = (running ??= start());
  // While an answer is owed the process keeps vss alive (a caller with nothing else pending would otherwise just end); idle, it never does.
  hold(r, true);
  try {
    await withAbort(r.ready, signal, () => end(r));
  } catch (err) {
    if (err instanceof LoadError) loadFailure = { message: err.message, at: Date.now() };
    throw err instanceof GeneratorError ? err : new GeneratorError((err as Error).message, { permanent: false });
  }
  const id = nextId++;
  const answer = new Promise<FacesAnswer>((resolve, reject) => {
    const onMessage = (m: ChildMessage) => {
      if (m.type === 'faces' && m.id === id) finish(() => resolve({ faces: m.faces, ms: m.ms, rssKiB: m.rssKiB }));
      else if (m.type === 'error' && m.id === id) finish(() => reject(new GeneratorError(`the face model failed on this picture: ${m.message}`, { permanent: true })));
    };
    const onClose = () => finish(() => reject(new GeneratorError(deathReason(r), { permanent: false })));
    const finish = (fn: () => void) => {
      r.child.off('message', onMessage);
      r.child.off('close', onClose);
      fn();
    };
    r.child.on('message', onMessage);
    r.child.on('close', onClose);
    r.child.send({ type: 'detect', id, width, height, pixels } satisfies DetectRequest, (err) => {
      if (err) finish(() => reject(new GeneratorError(`the face model could not be reached: ${err.message}`, { permanent: false })));
    });
  });
  try {
    const a = await withAbort(answer, signal, () => end(r));
    peakRssKiB = Math.max(peakRssKiB, a.rssKiB);
    if (a.rssKiB / 1024 > options.recycleRssMb) end(r);
    return a;
  } finally {
    hold(r, false);
    if (running) idleTimer = setTimeout(stopFaceEngine, options.idleMs).unref();
  }
}

function hold(r: Running, on: boolean): void {
  const channel = r.child.channel as unknown as { ref?: () => void; unref?: () => void } | undefined;
  if (on) {
    r.child.ref();
    channel?.ref?.();
  } else {
    r.child.unref();
    channel?.unref?.();
  }
}

class LoadError extends GeneratorError {
  constructor(message: string) {
    super(message, { permanent: false });
  }
}

function start(): Running {
  const mb = Math.max(256, Math.ceil(options.maxMemoryMb));
  const node = [process.execPath, `--max-old-space-size=${Math.min(mb, 1024)}`, ENTRY];
  const [command, args] = CAPPED
    ? ['/bin/sh', ['-c', 'ulimit -d "$1" 2>/dev/null; shift; exec "$@"', 'vss-faces', String(mb * 1024), ...node]]
    : [node[0]!, node.slice(1)];
  prepareToTie();
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced', detached: CAPPED });
  const r: Running = { child, ready: Promise.resolve(), untie: tieToThisProcess(child.pid, { group: CAPPED }), stderr: '' };
  child.stderr!.on('data', (chunk: Buffer) => {
    r.stderr = (r.stderr + chunk.toString('utf8')).slice(-4096);
  });
  // The process does not keep vss alive: an idle CLI ends, and the tie ends the model with it.
  child.unref();
  (child.stderr as unknown as { unref?: () => void }).unref?.();
  (child.channel as unknown as { unref?: () => void } | undefined)?.unref?.();
  r.ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      end(r);
      reject(new LoadError(`the face model did not load within ${Math.round(options.loadTimeoutMs / 1000)} s`));
    }, options.loadTimeoutMs);
    const onMessage = (m: ChildMessage) => {
      if (m.type === 'ready') done(resolve);
      else if (m.type === 'error' && m.id === null) done(() => reject(new LoadError(m.message)));
    };
    const onClose = () => done(() => reject(new LoadError(deathReason(r))));
    const done = (fn: () => void) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('close', onClose);
      fn();
    };
    child.on('message', onMessage);
    child.on('close', onClose);
    child.on('error', (err) => done(() => reject(new LoadError(`the face model process could not start: ${err.message}`))));
  });
  r.ready.catch(() => undefined);
  child.on('close', () => {
    r.untie();
    if (running === r) running = undefined;
  });
  return r;
}

/** Keep a request's wait from outliving its cancel: the process is ended (it cannot be interrupted). */
async function withAbort<T>(p: Promise<T>, signal: AbortSignal, onAbort: () => void): Promise<T> {
  if (signal.aborted) {
    onAbort();
    throw new GeneratorError(`stopped: ${abortReason(signal)}`, { permanent: true });
  }
  let off = () => undefined as void;
  const aborted = new Promise<never>((_, reject) => {
    const h = () => {
      onAbort();
      reject(new GeneratorError(`stopped: ${abortReason(signal)}`, { permanent: true }));
    };
    signal.addEventListener('abort', h, { once: true });
    off = () => signal.removeEventListener('abort', h);
  });
  try {
    return await Promise.race([p, aborted]);
  } finally {
    off();
  }
}

function end(r: Running): void {
  if (running === r) running = undefined;
  clearTimeout(idleTimer);
  const pid = r.child.pid;
  if (pid !== undefined && r.child.exitCode === null && r.child.signalCode === null) {
    try {
      process.kill(CAPPED ? -pid : pid, 'SIGKILL');
    } catch { /* gone already */ }
  }
}

function deathReason(r: Running): string {
  const { exitCode: code, signalCode: signal } = r.child;
  if (/out of memory|allocation failed|Reached heap limit|bad_alloc|Aborted/i.test(r.stderr)) return `the face model ran out of memory (limit ${options.maxMemoryMb} MiB)`;
  const last = r.stderr.trim().split(/\r?\n/).filter((l) => l.trim() !== '').pop()?.slice(0, 300);
  return `the face model process ended (${signal ?? `code ${code}`})${last ? `: ${last}` : ''}`;
}
