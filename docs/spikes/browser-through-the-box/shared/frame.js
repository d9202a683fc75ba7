/**
 * HTTP over one libp2p stream (protocol /vss-spike/http/1), the same code in the browser and in Node.
 *
 *   request  = uvarint(len) JSON{ method, path, headers }  body bytes…  <half-close>
 *   response = uvarint(len) JSON{ status, headers }        body bytes…  <half-close>
 *
 * One stream per request: the stream's end marks the body's end (no Content-Length or chunking
 * needed, bodies stream both ways), and the head is a JSON object both sides parse with what the
 * platform has. Reading honours backpressure: the libp2p stream is paused while the consumer's
 * queue is full, so yamux stops granting the sender window.
 */

const MAX_HEAD = 64 * 1024;
const SEND_CHUNK = 64 * 1024;
const enc = new TextEncoder();
const dec = new TextDecoder();

function uvarint(n) {
  const out = [];
  while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n >>>= 7; }
  out.push(n);
  return Uint8Array.from(out);
}

/** The head's bytes: its length as an unsigned varint, then the JSON. */
export function encodeHead(head) {
  const json = enc.encode(JSON.stringify(head));
  if (json.byteLength > MAX_HEAD) throw new Error(`head of ${json.byteLength} bytes is over ${MAX_HEAD}`);
  const len = uvarint(json.byteLength);
  const out = new Uint8Array(len.byteLength + json.byteLength);
  out.set(len, 0);
  out.set(json, len.byteLength);
  return out;
}

/**
 * Everything STREAM receives, as a WHATWG ReadableStream of Uint8Array (present in browsers and
 * Node 18+): the libp2p stream is paused while more than HIGHWATER bytes wait unread.
 */
export function readableOf(stream, highWater = 1024 * 1024) {
  let done = false;
  return new ReadableStream({
    start(ctrl) {
      const finish = (err) => {
        if (done) return;
        done = true;
        if (err) ctrl.error(err); else ctrl.close();
      };
      stream.addEventListener('message', (evt) => {
        if (done) return;
        const d = evt.data;
        ctrl.enqueue(d instanceof Uint8Array ? d : d.subarray());
        if (ctrl.desiredSize !== null && ctrl.desiredSize <= 0 && stream.readStatus === 'readable') stream.pause();
      });
      stream.addEventListener('end', () => finish());
      stream.addEventListener('close', (evt) => finish(evt.error));
      if (stream.readableEnded) finish();
    },
    pull() {
      if (stream.readStatus === 'paused') stream.resume();
    },
    cancel() {
      stream.abort(new Error('reader cancelled'));
    },
  }, { highWaterMark: highWater, size: (c) => c.byteLength });
}

/**
 * Read the head off STREAM: { head, body } where body is a ReadableStream of the bytes after it.
 * Throws if the stream ends before a whole head came.
 */
export async function readHead(stream) {
  const reader = readableOf(stream).getReader();
  let buf = new Uint8Array(0);
  for (;;) {
    // Enough for the varint and the JSON?
    let len = 0, shift = 0, i = 0, complete = false;
    for (; i < buf.byteLength && i < 4; i++) {
      len |= (buf[i] & 0x7f) << shift;
      shift += 7;
      if ((buf[i] & 0x80) === 0) { complete = true; i++; break; }
    }
    if (complete && len > MAX_HEAD) throw new Error(`head of ${len} bytes is over ${MAX_HEAD}`);
    if (complete && buf.byteLength >= i + len) {
      const head = JSON.parse(dec.decode(buf.subarray(i, i + len)));
      const rest = buf.subarray(i + len);
      const body = new ReadableStream({
        start(ctrl) { if (rest.byteLength > 0) ctrl.enqueue(rest); },
        async pull(ctrl) {
          const { done, value } = await reader.read();
          if (done) ctrl.close(); else ctrl.enqueue(value);
        },
        cancel(reason) { return reader.cancel(reason); },
      }, { highWaterMark: 0 });
      return { head, body };
    }
    const { done, value } = await reader.read();
    if (done) throw new Error(`the stream ended after ${buf.byteLength} bytes, before a whole head`);
    const joined = new Uint8Array(buf.byteLength + value.byteLength);
    joined.set(buf, 0);
    joined.set(value, buf.byteLength);
    buf = joined;
  }
}

/** Send BYTES on STREAM in slices, waiting for 'drain' whenever the stream asks for it. */
export async function sendBytes(stream, bytes) {
  for (let off = 0; off < bytes.byteLength; off += SEND_CHUNK) {
    if (!stream.send(bytes.subarray(off, Math.min(off + SEND_CHUNK, bytes.byteLength)))) await stream.onDrain();
  }
}

/** Send every chunk of SOURCE (async iterable or ReadableStream of Uint8Array) on STREAM. */
export async function sendAll(stream, source) {
  if (source && typeof source.getReader === 'function') {
    const reader = source.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await sendBytes(stream, value);
    }
    return;
  }
  for await (const chunk of source) await sendBytes(stream, chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk));
}

/** Read a whole ReadableStream into one Uint8Array. */
export async function collect(body) {
  const reader = body.getReader();
  const parts = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    n += value.byteLength;
  }
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.byteLength; }
  return out;
}
