import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LibraryLock } from './lock.js';
import { LibraryLockedError } from '../core/errors.js';
import { tempDir } from '../../test/helpers.js';

describe('LibraryLock', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('refuses a second holder while the first lives, and frees on release', () => {
    const path = join(tmp.path, 'a.lock');
    const first = LibraryLock.acquire(path);
    assert.throws(() => LibraryLock.acquire(path), LibraryLockedError);
    first.release();
    assert.equal(existsSync(path), false);
    LibraryLock.acquire(path).release();
  });

  it('takes over a lock left by a dead process', () => {
    const path = join(tmp.path, 'b.lock');
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const pid = Number(dead.stdout.trim());
    writeFileSync(path, JSON.stringify({ pid, hostname: hostname(), procStart: null, acquiredAt: 'then' }));
    const lock = LibraryLock.acquire(path);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
    lock.release();
  });

  it('takes over a torn (empty) lock file', () => {
    const path = join(tmp.path, 'c.lock');
    writeFileSync(path, '');
    LibraryLock.acquire(path).release();
  });

  it('takes over a lock whose PID now belongs to another process', () => {
    const path = join(tmp.path, 'd.lock');
    // Our own parent is alive, but its start time does not match the one recorded.
    writeFileSync(path, JSON.stringify({ pid: process.ppid, hostname: hostname(), procStart: '1', acquiredAt: 'then' }));
    if (!existsSync(`/proc/${process.ppid}/stat`)) return; // no procfs: PID reuse cannot be told apart
    LibraryLock.acquire(path).release();
  });

  it('does not take a lock from another machine', () => {
    const path = join(tmp.path, 'e.lock');
    writeFileSync(path, JSON.stringify({ pid: 1, hostname: 'some-other-host', procStart: null, acquiredAt: 'then' }));
    assert.throws(() => LibraryLock.acquire(path), /another machine/);
  });
});
