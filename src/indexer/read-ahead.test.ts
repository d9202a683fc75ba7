import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { batchEarly, EARLY_BATCH_PAGES, pagesAhead } from './read-ahead.js';

/** What a page costs each thread, in any one unit of time. */
interface Costs {
  /** The reading thread: read, hash and type a page's files. */
  read: number;
  /** The writing thread: a page fetched and handed out, and its answer gathered. */
  handOut: number;
  gather: number;
  /** A batch made: a commit's own cost, and each page's writes. */
  commit: number;
  write: number;
}

/**
 * A batch is made when it holds this many pages (identification's 50,000 files), or once it is
 * old: its age limit (2 s) is the reading of a hundred pages or more (a page takes milliseconds).
 */
const FULL = 200;

/**
 * The identification loop (identification.ts) on simulated time: one reading thread answering the
 * pages handed out in order, and the writing thread handing out pages, gathering their answers and
 * making batches, as read-ahead.ts says. Its end, and each thread's own work.
 */
function pipeline(pages: number, c: Costs, age: number | undefined): { end: number; reading: number; writing: number } {
  const answeredAt: number[] = [];
  let now = 0;
  let readerFree = 0;
  let writing = 0;
  let pending = 0;
  let since = 0;
  const busy = (t: number) => { now += t; writing += t; };
  const flush = () => {
    if (pending === 0) return;
    busy(c.commit + c.write * pending);
    pending = 0;
  };
  const gather = () => {
    busy(c.gather);
    if (pending === 0) since = now;
    pending++;
    if (pending >= FULL || (age !== undefined && now - since >= age)) flush();
  };
  const inFlight: number[] = [];
  for (let p = 0; p < pages; p++) {
    busy(c.handOut);
    readerFree = Math.max(now, readerFree) + c.read;
    answeredAt[p] = readerFree;
    inFlight.push(p);
    while (inFlight.length >= pagesAhead(pending, 1)) {
      const next = inFlight.shift()!;
      if (batchEarly(pending, answeredAt[next]! <= now)) flush();
      now = Math.max(now, answeredAt[next]!);
      gather();
    }
  }
  for (const next of inFlight) {
    if (batchEarly(pending, answeredAt[next]! <= now, true)) flush();
    now = Math.max(now, answeredAt[next]!);
    gather();
  }
  flush();
  return { end: now, reading: pages * c.read, writing };
}

describe('identification keeps its reading thread ahead of its writes', () => {
  it('runs at the pace of the busier thread: no longer than its work, plus filling the pipe, two commits and one full batch', () => {
    const cost = fc.double({ min: 0.01, max: 20, noNaN: true });
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 1000 }), cost, fc.double({ min: 0, max: 5, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }),
      fc.double({ min: 0, max: 100, noNaN: true }), cost, fc.option(fc.double({ min: 100, max: 1000, noNaN: true }), { nil: undefined }),
      (pages, read, handOut, gather, commit, write, ageInPages) => {
        const c: Costs = { read, handOut, gather, commit, write };
        const age = ageInPages === undefined ? undefined : ageInPages * read;
        const { end, reading, writing } = pipeline(pages, c, age);
        const bound = Math.max(reading, writing) + read + handOut + gather + 2 * commit + write * FULL;
        assert.ok(end <= bound * (1 + 1e-9), `${pages} pages, ${JSON.stringify(c)}, age ${age}: ${end} against ${bound} (reading ${reading}, writing ${writing})`);
      },
    ), { numRuns: 2000 });
  });

  it('at the costs measured at 100k small files (a page read 15.8, handed out and gathered 2.4, written 8.6, a commit 12), as fast as the reading', () => {
    const { end, reading } = pipeline(400, { read: 15.8, handOut: 1.2, gather: 1.2, commit: 12, write: 8.6 }, 8000);
    assert.ok(end < reading * 1.15, `${end} against the reading's ${reading}`);
  });

  it('makes what it gathered while the last pages are read: it ends within half an early batch of the reading when the reading is the floor', () => {
    const c: Costs = { read: 15.8, handOut: 1.2, gather: 1.2, commit: 12, write: 8.6 };
    const { end, reading } = pipeline(400, c, 8000);
    // Before, the last batch was made whole after the reading ended: 7,022 against 6,320. What is
    // left is what was gathered while the reading thread ran ahead, the pages ahead all answered.
    assert.ok(end <= reading + c.commit + (EARLY_BATCH_PAGES / 2) * c.write, `${end} against the reading's ${reading}`);
  });
});
