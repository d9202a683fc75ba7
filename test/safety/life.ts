/**
 * A device's process, in the one process the safety model runs in: its life. Everything a device
 * runs (its job work, its library link, the handlers serving its peers, the calls the model makes
 * of its API) runs within its life (an AsyncLocalStorage context, which follows every callback,
 * timer and promise started from it), and every operation with an effect outside memory — a write
 * to a disk, a statement that writes to its database, a request to the bucket, a message to a
 * peer — is counted against the life it runs in.
 *
 * A kill -9 is the end of a life: from that moment no code of it has any effect again. Its every
 * operation throws `Killed` (a promise rejects with it, a callback is called with it) before it
 * reaches the disk, the database or the network, so what it was doing unwinds with nothing done,
 * as if the process were gone; its database is then closed raw (an open transaction rolls back).
 * A life can be set to die at its Nth operation (`dieAt`): a kill at a point inside a job.
 *
 * What the operating system finishes for a dead process finishes here too: a write already handed
 * to the kernel lands, a request already sent to the bucket is answered. The world waits for
 * those (`settled`) before the device starts again, so nothing of the dead life lands after its
 * next life began.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import Database from 'better-sqlite3';

const MARK = '[killed -9]';

/** What a dead life's code meets at its next operation: the process is gone. */
export class Killed extends Error {
  constructor(what: string) {
    super(`${MARK} ${what}: the process was killed`);
    this.name = 'Killed';
  }
}

/** Whether ERR (or what caused it) is a dead life's `Killed`, however the code wrapped it. */
export function isKilled(err: unknown, depth = 0): boolean {
  if (depth > 6 || err === null || typeof err !== 'object') return false;
  if (err instanceof Killed) return true;
  const e = err as { message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.message === 'string' && e.message.includes(MARK)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isKilled(x, depth + 1))) return true;
  return isKilled(e.cause, depth + 1);
}

const lives = new AsyncLocalStorage<Life>();

export class Life {
  /** Operations with an effect made in this life so far. */
  ops = 0;
  private dead = false;
  /** Operations left before it dies (null: it lives on). */
  private countdown: number | null = null;
  /** The world's hand inside this life's work: at its countdown, FN runs (outside every life) before the operation. */
  private hand: { left: number; fn: () => void } | null = null;
  /** Effects handed to the kernel or the bucket and not finished yet. */
  private pending = 0;
  private readonly waiters: Array<() => void> = [];
  private deathSeen: (() => void) | undefined;
  /** Resolves when it dies (at its countdown, or killed). */
  readonly died: Promise<void>;
  /** The operation it died at, in words. */
  diedAt = '';

  constructor(readonly name: string) {
    this.died = new Promise((r) => (this.deathSeen = r));
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** Run FN within this life: what it starts is this life's. */
  run<T>(fn: () => T): T {
    return lives.run(this, fn);
  }

  /** Die at the Nth operation from now (0: the next), unless it has ended otherwise; null: not. */
  dieAt(n: number | null): void {
    this.countdown = n;
  }

  /**
   * Just before its Nth operation from now (0: the next), FN runs — another program acting in the
   * middle of what this life does (a write to a file it is copying), outside every life; null: not.
   */
  handAt(n: number | null, fn: () => void = () => undefined): void {
    this.hand = n === null ? null : { left: n, fn };
  }

  /** Die now (kill -9): nothing of it has an effect again. */
  die(at = 'killed while idle'): void {
    if (this.dead) return;
    this.dead = true;
    this.countdown = null;
    this.diedAt = at;
    this.deathSeen?.();
  }

  /** Resolves once every effect it had handed on has finished (at most MS). */
  async settled(ms = 10_000): Promise<void> {
    if (this.pending === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((r) => this.waiters.push(r)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${this.name}: what it had under way when it died did not finish within ${ms / 1000} s`)), ms);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** An operation with an effect, WHAT: refused when dead, and the one it dies at when its countdown ends. */
  act(what: string): void {
    if (this.dead) throw new Killed(what);
    this.ops++;
    if (this.hand !== null && --this.hand.left < 0) {
      const { fn } = this.hand;
      this.hand = null;
      lives.exit(fn);
    }
    if (this.countdown !== null && --this.countdown < 0) {
      this.die(what);
      throw new Killed(what);
    }
  }

  /** Any operation at all: refused when dead. */
  check(what: string): void {
    if (this.dead) throw new Killed(what);
  }

  /** An effect handed on (a write in flight, a request sent); call the result when it has finished. */
  handedOn(): () => void {
    this.pending++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.pending === 0) for (const w of this.waiters.splice(0)) w();
    };
  }
}

/** The life running now (undefined: the model's own code, which lives as long as the test). */
export function currentLife(): Life | undefined {
  return lives.getStore();
}

/** fs functions that change what a disk holds (the rest only read): each is one operation. */
const WRITES = new Set([
  'appendFile', 'chmod', 'chown', 'copyFile', 'cp', 'fchmod', 'fchown', 'fdatasync', 'fsync', 'ftruncate', 'futimes', 'lchmod', 'lchown', 'link', 'lutimes',
  'mkdir', 'mkdtemp', 'rename', 'rm', 'rmdir', 'symlink', 'truncate', 'unlink', 'utimes', 'write', 'writeFile', 'writev',
]);
const writes = (name: string) => WRITES.has(name.replace(/Sync$/, ''));
/** `open` writes when its flags do. */
const opensToWrite = (flags: unknown) => typeof flags === 'number' ? (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC)) !== 0 : typeof flags === 'string' && /[wa+]/.test(flags);

function effect(name: string, args: readonly unknown[]): boolean {
  const base = name.replace(/Sync$/, '');
  return writes(name) || (base === 'open' && opensToWrite(args[1]));
}

let installed = false;

/**
 * Make every operation with an effect answer to the life it runs in, for the rest of the process
 * (idempotent; a dead life's timers may still fire after its world closed): the fs module's
 * functions (sync, callback and promise, and a FileHandle's methods), better-sqlite3's statements,
 * node:http's requests (the bucket), and what a dead life's code throws as it unwinds (`Killed`),
 * which is no failure of the process that is still alive (uncaught exceptions and unhandled
 * rejections of `Killed` are dropped; the rest go to the listeners that were there).
 */
export async function installLives(): Promise<void> {
  if (installed) return;
  const patch = <T extends object>(o: T, key: string, make: (orig: (...a: unknown[]) => unknown) => (...a: unknown[]) => unknown) => {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (!d || typeof d.value !== 'function' || !d.writable) return;
    const orig = d.value as (...a: unknown[]) => unknown;
    const wrapped = make(orig);
    // What hangs on the function itself (realpathSync.native, a promisify.custom) stays reachable.
    for (const k of Reflect.ownKeys(orig)) {
      if (k === 'length' || k === 'name' || k === 'prototype') continue;
      Object.defineProperty(wrapped, k, Object.getOwnPropertyDescriptor(orig, k)!);
    }
    (o as Record<string, unknown>)[key] = wrapped;
  };

  // The fs module: sync functions throw, callback ones call back with Killed, promise ones reject.
  for (const key of Object.keys(fs)) {
    if (key === 'promises' || /^[A-Z]/.test(key) || key.startsWith('_') || key === 'watch' || key === 'watchFile' || key === 'unwatchFile') continue;
    if (key === 'createReadStream' || key === 'createWriteStream' || key === 'exists') continue; // they go through open/read/write below
    if (key.endsWith('Sync')) {
      patch(fs, key, (orig) => function (this: unknown, ...a) {
        const life = lives.getStore();
        if (life) (effect(key, a) ? life.act(`fs.${key}`) : life.check(`fs.${key}`));
        return orig.apply(this, a);
      });
    } else {
      patch(fs, key, (orig) => function (this: unknown, ...a) {
        const life = lives.getStore();
        if (!life) return orig.apply(this, a);
        const cb = a[a.length - 1];
        try {
          effect(key, a) ? life.act(`fs.${key}`) : life.check(`fs.${key}`);
        } catch (err) {
          if (typeof cb === 'function') return void process.nextTick(cb as (e: Error) => void, err);
          throw err;
        }
        if (typeof cb !== 'function') return orig.apply(this, a);
        const done = life.handedOn();
        a[a.length - 1] = function (this: unknown, ...r: unknown[]) {
          done();
          return (cb as (...x: unknown[]) => unknown).apply(this, r);
        };
        return orig.apply(this, a);
      });
    }
  }
  const promised = (key: string) => (orig: (...a: unknown[]) => unknown) => function (this: unknown, ...a: unknown[]) {
    const life = lives.getStore();
    if (!life) return orig.apply(this, a);
    try {
      effect(key, a) ? life.act(`fs.promises.${key}`) : life.check(`fs.promises.${key}`);
    } catch (err) {
      return Promise.reject(err);
    }
    const done = life.handedOn();
    return (orig.apply(this, a) as Promise<unknown>).finally(done);
  };
  for (const key of Object.keys(fs.promises)) {
    if (key === 'constants' || key === 'watch') continue;
    patch(fs.promises, key, promised(key));
  }
  const handle = await fs.promises.open(process.execPath, 'r');
  const handleProto = Object.getPrototypeOf(handle) as object;
  await handle.close();
  for (const key of Object.getOwnPropertyNames(handleProto)) {
    if (key === 'constructor' || key === 'getAsyncId' || key === 'readableWebStream' || key === 'createReadStream' || key === 'createWriteStream' || key === 'readLines') continue;
    patch(handleProto, key, promised(key));
  }
  syncBuiltinESMExports();

  // The database: a statement that writes is an operation; any other use of a dead life's database is refused.
  const probe = new Database(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('SELECT 1')) as object;
  probe.close();
  patch(statement, 'run', (orig) => function (this: unknown, ...a) {
    lives.getStore()?.act('a database write');
    return orig.apply(this, a);
  });
  for (const key of ['get', 'all', 'iterate']) {
    patch(statement, key, (orig) => function (this: unknown, ...a) {
      lives.getStore()?.check('a database read');
      return orig.apply(this, a);
    });
  }
  patch(Database.prototype, 'exec', (orig) => function (this: unknown, ...a) {
    lives.getStore()?.act('a database write');
    return orig.apply(this, a);
  });
  patch(Database.prototype, 'prepare', (orig) => function (this: unknown, ...a) {
    lives.getStore()?.check('a database statement');
    return orig.apply(this, a);
  });

  // The bucket: a request is an operation, handed on until the bucket has answered it.
  patch(http, 'request', (orig) => function (this: unknown, ...a) {
    const life = lives.getStore();
    if (!life) return orig.apply(this, a);
    life.act('a request to the bucket');
    const req = orig.apply(this, a) as http.ClientRequest;
    const done = life.handedOn();
    req.once('response', done);
    req.once('error', done);
    req.once('close', done);
    return req;
  });

  // What a dead life throws as it unwinds is no failure of the living.
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    const bus = process as unknown as NodeJS.EventEmitter;
    const before = bus.listeners(event) as Array<(...a: unknown[]) => void>;
    bus.removeAllListeners(event);
    const filter = (err: unknown, ...rest: unknown[]) => {
      if (isKilled(err)) return;
      if (before.length === 0) {
        console.error(event === 'unhandledRejection' ? 'Unhandled rejection:' : 'Uncaught exception:', err);
        process.exit(70);
      }
      for (const l of before) l.call(process, err, ...rest);
    };
    bus.on(event, filter);
  }
  installed = true;
}
