import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GeneratorError } from '../types.js';
import { runInWorker } from './run-in-worker.js';

const GREEDY = new URL('../../../test/support/greedy-thread.js', import.meta.url);

test('a thread that allocates without end dies at its heap limit with a permanent reason', async () => {
  const before = process.memoryUsage().rss;
  await assert.rejects(
    runInWorker(GREEDY, 'growForever', null, { signal: new AbortController().signal, timeoutMs: 120_000, maxHeapMb: 64 }),
    (err: unknown) => {
      assert.ok(err instanceof GeneratorError, String(err));
      assert.equal(err.permanent, true);
      assert.match(err.message, /ran out of memory \(limit 64 MiB\)/);
      return true;
    },
  );
  // The thread's heap went with it: this process did not keep hundreds of MiB.
  const grown = (process.memoryUsage().rss - before) / (1024 * 1024);
  assert.ok(grown < 200, `the process grew by ${grown.toFixed(0)} MiB`);
});
