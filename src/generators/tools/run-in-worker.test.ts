import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GeneratorError } from '../types.js';
import { decoderBudget, runInWorker } from './run-in-worker.js';

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

test("a decoder's time ends before its job's, however late in the job it starts", () => {
  const now = 1_000_000;
  // Started at once: four fifths of the job's time.
  assert.equal(decoderBudget({ timeoutMs: 4_000, deadline: now + 4_000 }, now), 3_200);
  // Started 1.5 s into a 4 s job (a loaded machine): it still ends 0.8 s before the job does.
  assert.equal(decoderBudget({ timeoutMs: 4_000, deadline: now + 2_500 }, now), 1_700);
  for (let spent = 0; spent <= 3_000; spent += 250) {
    const deadline = now + 4_000 - spent;
    assert.ok(now + decoderBudget({ timeoutMs: 4_000, deadline }, now) <= deadline - 500, `spent ${spent} ms`);
  }
  // No deadline (a generator called directly): the job's time counts from now.
  assert.equal(decoderBudget({ timeoutMs: 10_000 }, now), 8_000);
});
