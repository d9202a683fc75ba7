import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SerialRuns } from './serial-runs.js';

test('a run asked for while one is under way makes it go again, and its caller waits for that', async () => {
  const runs = new SerialRuns();
  const log: string[] = [];
  let release!: () => void;
  let n = 0;
  const once = async () => {
    const i = ++n;
    log.push(`start ${i}`);
    if (i === 1) await new Promise<void>((res) => { release = res; });
    log.push(`end ${i}`);
    return false;
  };
  const first = runs.run('peer', once);
  await new Promise((res) => setImmediate(res));
  const second = runs.run('peer', once);
  let secondDone = false;
  void second.then(() => { secondDone = true; });
  await new Promise((res) => setImmediate(res));
  assert.equal(secondDone, false, 'the second caller waits: its run has not happened yet');
  release();
  await Promise.all([first, second]);
  assert.deepEqual(log, ['start 1', 'end 1', 'start 2', 'end 2'], 'one at a time, and the asked run went');
  assert.equal(runs.isRunning('peer'), false);
});

test('nothing starts once stopped', async () => {
  const runs = new SerialRuns();
  runs.stop();
  let ran = false;
  await runs.run('peer', async () => { ran = true; return false; });
  assert.equal(ran, false);
});
