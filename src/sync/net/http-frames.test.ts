import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeHead, MAX_HEAD_BYTES, readableOf, readHead, requestHead, type FrameStream } from './http-frames.js';

/**
 * A stream as the framing sees one: libp2p's events, dispatched synchronously as libp2p does
 * (an abort says 'end' and 'close' at once, inside the call).
 */
class EventStream extends EventTarget {
  readStatus = 'readable';
  readableEnded = false;
  sent: Uint8Array[] = [];
  send(data: Uint8Array): boolean {
    this.sent.push(data);
    return true;
  }
  async onDrain(): Promise<void> {}
  async close(): Promise<void> {}
  abort(err: Error): void {
    this.end();
    this.dispatchEvent(Object.assign(new Event('close'), { error: err }));
  }
  pause(): void {
    this.readStatus = 'paused';
  }
  resume(): void {
    this.readStatus = 'readable';
  }
  receive(bytes: Uint8Array): void {
    this.dispatchEvent(Object.assign(new Event('message'), { data: bytes }));
  }
  end(): void {
    this.readableEnded = true;
    this.dispatchEvent(new Event('end'));
  }
}
/** The framing takes it as the stream it is. */
const framed = (s: EventStream) => s as unknown as FrameStream;

describe('HTTP over a stream (sync/net/http-frames.ts)', () => {
  it('reads a head and the body after it, across messages split anywhere', async () => {
    const s = new EventStream();
    const head = encodeHead({ method: 'POST', path: '/api/x?y=1', headers: { 'content-type': 'text/plain' } });
    const all = new Uint8Array([...head, ...new TextEncoder().encode('hello')]);
    const reading = readHead(framed(s), requestHead);
    for (let i = 0; i < all.length; i += 3) s.receive(all.subarray(i, i + 3));
    s.end();
    const { head: got, body } = await reading;
    assert.deepEqual(got, { method: 'POST', path: '/api/x?y=1', headers: { 'content-type': 'text/plain' } });
    assert.equal(await new Response(body).text(), 'hello');
  });

  it('refuses a head longer than its bound before reading it, and one not of this origin', async () => {
    const long = new EventStream();
    const reading = readHead(framed(long), requestHead);
    long.receive(Uint8Array.from([0xff, 0xff, 0x7f]));
    await assert.rejects(reading, new RegExp(`over ${MAX_HEAD_BYTES}`));
    const elsewhere = new EventStream();
    const r2 = readHead(framed(elsewhere), requestHead);
    elsewhere.receive(encodeHead({ method: 'GET', path: '//evil.example/x', headers: {} }));
    await assert.rejects(r2, /not one of this origin/);
  });

  it('a reader that goes away ends the stream without throwing into its event dispatch', async () => {
    const s = new EventStream();
    const reader = readableOf(framed(s)).getReader();
    s.receive(Uint8Array.from([1, 2, 3]));
    assert.deepEqual([...(await reader.read()).value!], [1, 2, 3]);
    // The abort says 'end' inside the cancel: closing a cancelled controller there threw, and ended the daemon.
    await reader.cancel();
    assert.equal(s.readableEnded, true);
    s.receive(Uint8Array.from([4]));
  });
});
