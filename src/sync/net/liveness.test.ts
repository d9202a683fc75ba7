import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from '@libp2p/interface';
import { dropIfDead, heardSince, silentFor, watchHearing } from './liveness.js';

/**
 * A stand-in for libp2p's connection, as far as liveness looks at it: its raw connection's
 * messages, its status, a stream's negotiation that answers (or never does), and its abort.
 */
function connection(answer: 'never' | 'unsupported'): { conn: Connection; raw: EventTarget; aborted: () => boolean; hear: () => void } {
  const raw = new EventTarget();
  let aborted = false;
  const conn = {
    maConn: raw,
    status: 'open',
    newStream: (_p: string, o: { signal: AbortSignal }) => new Promise((_res, rej) => {
      if (answer === 'unsupported') return setTimeout(() => rej(Object.assign(new Error('no'), { name: 'UnsupportedProtocolError' })), 10);
      // AbortSignal.timeout's timer does not keep the process up: this one does, until it fires.
      const up = setTimeout(() => undefined, 10_000);
      o.signal.addEventListener('abort', () => { clearTimeout(up); rej(o.signal.reason as Error); }, { once: true });
    }),
    abort: () => { aborted = true; },
  } as unknown as Connection;
  return { conn, raw, aborted: () => aborted, hear: () => raw.dispatchEvent(new Event('message')) };
}

describe('liveness: a connection is dead when it is silent, not when it is slow', () => {
  it('a replaced connection that neither answers nor says anything is closed', async () => {
    const c = connection('never');
    assert.equal(watchHearing(c.conn), true);
    await dropIfDead(c.conn, 150);
    assert.equal(c.aborted(), true);
  });

  it('one whose answer waits behind a transfer, its bytes still arriving, is kept', async () => {
    const c = connection('never');
    watchHearing(c.conn);
    const bytes = setInterval(c.hear, 20);
    try {
      await dropIfDead(c.conn, 150);
    } finally {
      clearInterval(bytes);
    }
    assert.equal(c.aborted(), false);
  });

  it('one that answers, even "no such protocol", is kept', async () => {
    const c = connection('unsupported');
    watchHearing(c.conn);
    await dropIfDead(c.conn, 150);
    assert.equal(c.aborted(), false);
  });

  it('says how long a connection has heard nothing; one it cannot watch is never silent, and never heard', () => {
    const c = connection('never');
    watchHearing(c.conn);
    const t = Date.now();
    assert.ok(silentFor(c.conn, t + 30_000) >= 30_000);
    c.hear();
    assert.ok(silentFor(c.conn, Date.now()) < 1_000);
    assert.equal(heardSince(c.conn, t - 1), true);
    const unwatched = { status: 'open' } as unknown as Connection;
    assert.equal(watchHearing(unwatched), false);
    assert.equal(silentFor(unwatched, t + 60_000), 0);
    assert.equal(heardSince(unwatched, 0), false);
  });
});
