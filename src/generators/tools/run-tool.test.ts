import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GeneratorError } from '../types.js';
import { runTool } from './run-tool.js';

describe('runTool', () => {
  it('kills a tool past its time limit and calls that a passing failure (retried with backoff)', async () => {
    const started = Date.now();
    const err = await runTool('/bin/sleep', ['30'], { signal: new AbortController().signal, timeoutMs: 300 }).then(
      () => assert.fail('sleep 30 cannot finish in 300 ms'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof GeneratorError);
    assert.match(err.message, /sleep took longer than 0.3 s/);
    assert.equal(err.permanent, false);
    assert.ok(Date.now() - started < 10_000, 'the tool was killed, not waited for');
  });

  it('calls a non-zero exit permanent: the same input fails the same way', async () => {
    const err = await runTool('/bin/sh', ['-c', 'echo broken input >&2; exit 3'], { signal: new AbortController().signal, timeoutMs: 10_000 }).then(
      () => assert.fail('exit 3 is a failure'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof GeneratorError);
    assert.match(err.message, /sh failed \(3\): broken input/);
    assert.equal(err.permanent, true);
  });
});
