import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HybridClock, MAX_DRIFT_MS, parseStamp } from './hlc.js';

const A = 'aaaaaaaa-0000-4000-8000-000000000000';
const B = 'bbbbbbbb-0000-4000-8000-000000000000';

test('stamps sort as text in the order they were given, also within one millisecond', () => {
  let now = 1_700_000_000_000;
  const clock = new HybridClock(A, undefined, () => now);
  const stamps = [clock.tick(), clock.tick(), clock.tick()];
  now += 5;
  stamps.push(clock.tick());
  assert.deepEqual([...stamps].sort(), stamps);
  assert.equal(new Set(stamps).size, 4);
  assert.deepEqual(parseStamp(stamps[1]!), { ms: 1_700_000_000_000, counter: 1, device: A });
});

test('a clock that went back, or a restart from the last stamp, still moves forward', () => {
  let now = 2_000;
  const clock = new HybridClock(A, undefined, () => now);
  const first = clock.tick();
  now = 1_000;
  const second = clock.tick();
  assert.ok(second > first);
  const again = new HybridClock(A, second, () => now);
  assert.ok(again.tick() > second);
});

test('a peer\'s newer stamp pulls the clock along; one absurdly far ahead does not', () => {
  const now = 1_000_000;
  const a = new HybridClock(A, undefined, () => now);
  const b = new HybridClock(B, undefined, () => now + 60_000);
  const fromB = b.tick();
  a.observe(fromB);
  assert.ok(a.tick() > fromB, 'A\'s next change sorts after what it saw from B, though A\'s clock is a minute behind');
  const wild = `${String(now + MAX_DRIFT_MS + 1).padStart(13, '0')}-000000-${B}`;
  a.observe(wild);
  assert.ok(a.tick() < wild);
  a.observe('not a stamp');
});

test('stamps of the same instant are ordered by device', () => {
  const a = new HybridClock(A, undefined, () => 5).tick();
  const b = new HybridClock(B, undefined, () => 5).tick();
  assert.ok(a < b);
  assert.equal(parseStamp('1-2-3'), undefined);
});
