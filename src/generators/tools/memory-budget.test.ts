import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { GeneratorError } from '../types.js';
import { MemoryBudget } from './memory-budget.js';

const never = new AbortController().signal;

/** Whether P has settled by now (after pending callbacks ran). */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  await tick();
  return done;
}

test('decodes that fit run side by side; one that does not waits for the memory', async () => {
  const budget = new MemoryBudget(100);
  const a = await budget.acquire(40, never);
  const b = await budget.acquire(40, never);
  const c = budget.acquire(40, never);
  assert.equal(await settled(c), false, '120 of 100 bytes were handed out');
  a();
  const releaseC = await c;
  b();
  releaseC();
});

test('in order of arrival: a small request does not overtake a big one that waits', async () => {
  const budget = new MemoryBudget(100);
  const a = await budget.acquire(60, never);
  const big = budget.acquire(80, never);
  const small = budget.acquire(10, never);
  assert.equal(await settled(small), false, 'the small request overtook the waiting big one');
  a();
  const releaseBig = await big;
  (await small)();
  releaseBig();
});

test('a decode larger than the whole budget runs, alone', async () => {
  const budget = new MemoryBudget(100);
  const other = await budget.acquire(10, never);
  const huge = budget.acquire(500, never);
  assert.equal(await settled(huge), false);
  other();
  (await huge)();
});

test('a cancelled job stops waiting, and those behind it move on', async () => {
  const budget = new MemoryBudget(100);
  const a = await budget.acquire(90, never);
  const ac = new AbortController();
  const cancelled = budget.acquire(50, ac.signal);
  const next = budget.acquire(5, never);
  ac.abort(new Error('cancelled by the user'));
  await assert.rejects(cancelled, (err: unknown) => err instanceof GeneratorError && err.permanent && /cancelled by the user/.test(err.message));
  (await next)();
  a();
});
