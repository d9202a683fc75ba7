import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { pidAlive } from '../../../test/helpers.js';
import { GeneratorError } from '../types.js';
import { decoderChildPeakAnonKiB, decoderChildPeakRssKiB, runInChild } from './run-in-child.js';

const CALLS = new URL('../../../test/support/decoder-calls.js', import.meta.url);
const signal = new AbortController().signal;
const LINUX = process.platform === 'linux' ? false : 'the memory cap is RLIMIT_DATA, enforced by Linux';

function permanent(reason: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof GeneratorError, String(err));
    assert.equal(err.permanent, true);
    assert.match(err.message, reason);
    return true;
  };
}


test('the answer and its bytes come back from a process of its own, which then ends', async () => {
  const r = await runInChild<{ text: string; bytes: Uint8Array; pid: number }>(CALLS, 'echo', { text: 'hello' }, { signal, timeoutMs: 30_000, maxMemoryMb: 256 });
  assert.equal(r.text, 'hello');
  assert.equal(r.bytes.length, 1024 * 1024);
  assert.ok(r.bytes.every((b) => b === 7));
  assert.notEqual(r.pid, process.pid);
  for (let i = 0; i < 50 && pidAlive(r.pid); i++) await new Promise((res) => setTimeout(res, 20));
  assert.equal(pidAlive(r.pid), false, 'the child is gone');
});

test('buffers past the cap fail in the child, which never holds much more than the cap', { skip: LINUX }, async () => {
  const t0 = Date.now();
  await assert.rejects(runInChild(CALLS, 'growBuffers', null, { signal, timeoutMs: 60_000, maxMemoryMb: 200 }), permanent(/Array buffer allocation failed/));
  assert.ok(Date.now() - t0 < 20_000, `took ${Date.now() - t0} ms`);
  // Its data: the cap, and no more than a little past it (its whole resident set adds node's code and
  // libraries as mapped, which varies with the machine's page cache: 343 MiB once under the suite's load).
  assert.ok(decoderChildPeakAnonKiB() > 0 && decoderChildPeakAnonKiB() < 260 * 1024, `a child held ${Math.round(decoderChildPeakAnonKiB() / 1024)} MiB of data (${Math.round(decoderChildPeakRssKiB() / 1024)} MiB resident)`);
});

test('a heap past the cap ends the child; the reason says so', async () => {
  await assert.rejects(runInChild(CALLS, 'growHeap', null, { signal, timeoutMs: 60_000, maxMemoryMb: 96 }), permanent(/ran out of memory \(limit 96 MiB\)/));
});

test('a call that never answers is killed at its time limit, or when aborted', async () => {
  await assert.rejects(runInChild(CALLS, 'hang', null, { signal, timeoutMs: 1_500, maxMemoryMb: 128 }), permanent(/took longer than 2 s/));
  const ac = new AbortController();
  const p = runInChild(CALLS, 'hang', null, { signal: ac.signal, timeoutMs: 60_000, maxMemoryMb: 128 });
  setTimeout(() => ac.abort(new Error('cancelled by the user')), 300);
  const t0 = Date.now();
  await assert.rejects(p, permanent(/stopped: cancelled by the user/));
  assert.ok(Date.now() - t0 < 2_000);
});

test('what the child prints on stderr stays with the caller', () => {
  // In a process of its own, so that its stderr can be read: the answer comes through, the noise does not.
  const script = `const { runInChild } = await import(${JSON.stringify(new URL('./run-in-child.js', import.meta.url).href)});
    const r = await runInChild(new URL(${JSON.stringify(CALLS.href)}), 'noisy', null, { signal: new AbortController().signal, timeoutMs: 30000, maxMemoryMb: 128 });
    process.stdout.write(r);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'done');
  assert.equal(r.stderr, '');
});
