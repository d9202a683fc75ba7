import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pidAlive, tempDir, until } from '../../test/helpers.js';
import { flushAll } from './local-flush.js';

/** The pids of PID's children now. */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const HERE = fileURLToPath(new URL('./local-flush.js', import.meta.url));

describe('flushing a batch of files', () => {
  it('flushes many files by one syncfs through one shell kept for the next batch; a few by their own datasync', async () => {
    const tmp = tempDir('vss-flush-');
    try {
      const files = Array.from({ length: 40 }, (_, i) => join(tmp.path, `f${i}`));
      for (const f of files) writeFileSync(f, 'bytes to flush\n');
      // This process's shells (`sh -c`): its other children (helpers of other modules a test group loads) are not looked at.
      const shellsNow = () => childrenOf(process.pid).filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === 'sh';
        } catch {
          return false;
        }
      });
      await flushAll(files.slice(0, 3));
      await flushAll(files);
      const shells = shellsNow();
      await flushAll(files);
      assert.equal(shells.length, 1, 'one shell runs the flushes');
      assert.deepEqual(shellsNow(), shells, 'and it is the same shell the next time');
    } finally {
      tmp.cleanup();
    }
  });

  it('the shell ends with the process that started it, however it ends (kill -9)', async () => {
    const tmp = tempDir('vss-flush-kill-');
    try {
      for (let i = 0; i < 20; i++) writeFileSync(join(tmp.path, `f${i}`), 'x');
      const script = `import { flushAll } from ${JSON.stringify(HERE)}; import { readdirSync } from 'node:fs';
        const d = ${JSON.stringify(tmp.path)}; await flushAll(readdirSync(d).map((n) => d + '/' + n)); console.log('flushed'); setInterval(() => {}, 1000);`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`the flushing process ended first (${code})`)));
      });
      const shells = childrenOf(child.pid!);
      assert.equal(shells.length, 1, 'its shell runs');
      child.kill('SIGKILL');
      await until('its shell gone after the kill', 10_000, async () => (shells.every((pid) => !pidAlive(pid)) ? true : undefined), 50);
    } finally {
      tmp.cleanup();
    }
  });
});
