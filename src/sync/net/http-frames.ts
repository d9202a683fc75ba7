/**
 * HTTP over one libp2p stream (`/vss/http/1`, issue 46 item 4): how a browser away from home asks
 * its home device, end to end through the relay box. Platform-neutral (WHATWG streams,
 * TextEncoder): the web app frames its requests with the same code.
 *
 *   request  = uvarint(len) JSON{ method, path, headers }  body bytes…  <half-close>
 *   response = uvarint(len) JSON{ status, headers }        body bytes…  <half-close>
 *
 * One stream a request: the stream's end marks the body's end, bodies stream both ways, and yamux
 * already multiplexes streams. Reading honours backpressure (the stream is paused while the
 * reader's queue is full, so yamux stops granting the sender window); a head is bounded before
 * it is read. A stream that ends early looks like a whole body: the reader checks content-length.
 */

/** A head above this is refused before it is buffered. */
export const MAX_HEAD_BYTES = 16 * 1024;
const SEND_CHUNK = 64 * 1024;
const enc = new TextEncoder();
const dec = new TextDecoder();

export interface RequestHead {
  method: string;
  path: string;
  headers: Record<string, string>;
}

export interface ResponseHead {
  status: number;
  headers: Record<string, string | string[]>;
}

/** The part of a libp2p (v3) stream the framing uses. */
export interface FrameStream {
  send(data: Uint8Array): boolean;
  onDrain(options?: { signal?: AbortSignal }): Promise<void>;
  close(options?: { signal?: AbortSignal }): Promise<void>;
  abort(err: Error): void;
  pause(): void;
  resume(): void;
  readonly readStatus: string;
  addEventListener(type: 'message', fn: (evt: { data: Uint8Array | { subarray(): Uint8Array } }) => void): void;
  addEventListener(type: 'close', fn: (evt: { error?: Error }) => void): void;
  addEventListener(type: 'end', fn: () => void): void;
  readonly readableEnded: boolean;
}

function uvarint(n: number): Uint8Array {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Uint8Array.from(out);
}

/** A head's bytes: its length as an unsigned varint, then the JSON. */
export function encodeHead(head: RequestHead | ResponseHead): Uint8Array {
  const json = enc.encode(JSON.stringify(head));
  if (json.byteLength > MAX_HEAD_BYTES) throw new Error(`a head of ${json.byteLength} bytes is over ${MAX_HEAD_BYTES}`);
  const len = uvarint(json.byteLength);
  const out = new Uint8Array(len.byteLength + json.byteLength);
  out.set(len, 0);
  out.set(json, len.byteLength);
  return out;
}

/** Everything STREAM receives, as a ReadableStream: the stream is paused while more than HIGHWATER bytes wait unread. */
export function readableOf(stream: FrameStream, highWater = 1024 * 1024): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(ctrl) {
      const finish = (err?: Error) => {
        if (done) return;
        done = true;
        // Never a throw into libp2p's event dispatch (it would end the process).
        try {
          if (err) ctrl.error(err);
          else ctrl.close();
        } catch { /* the reader went away meanwhile */ }
      };
      stream.addEventListener('message', (evt) => {
        if (done) return;
        const d = evt.data;
        try {
          ctrl.enqueue(d instanceof Uint8Array ? d : d.subarray());
        } catch {
          return;
        }
        if (ctrl.desiredSize !== null && ctrl.desiredSize <= 0 && stream.readStatus === 'readable') stream.pause();
      });
      // 'end' once what came before the remote's half-close was delivered; 'close' always, an error with it when reset.
      stream.addEventListener('end', () => finish());
      stream.addEventListener('close', (evt) => finish(evt.error));
      if (stream.readableEnded) finish();
    },
    pull() {
      if (stream.readStatus === 'paused') stream.resume();
    },
    cancel() {
      // The reader went away (a download given up): the stream goes too, both ways.
      done = true;
      stream.abort(new Error('the reader went away'));
    },
  }, { highWaterMark: highWater, size: (c) => c.byteLength });
}

/** The head off STREAM and the bytes after it; throws when the stream ends before a whole head, or it is too long. */
export async function readHead<H>(stream: FrameStream, check: (v: unknown) => H): Promise<{ head: H; body: ReadableStream<Uint8Array> }> {
  const reader = readableOf(stream).getReader();
  let buf = new Uint8Array(0);
  for (;;) {
    let len = 0;
    let shift = 0;
    let i = 0;
    let complete = false;
    for (; i < buf.byteLength && i < 4; i++) {
      len |= (buf[i]! & 0x7f) << shift;
      shift += 7;
      if ((buf[i]! & 0x80) === 0) {
        complete = true;
        i++;
        break;
      }
    }
    if ((complete && len > MAX_HEAD_BYTES) || (!complete && buf.byteLength >= 4)) {
      await reader.cancel();
      throw new Error(`a head over ${MAX_HEAD_BYTES} bytes`);
    }
    if (complete && buf.byteLength >= i + len) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(dec.decode(buf.subarray(i, i + len)));
      } catch {
        await reader.cancel();
        throw new Error('a head that is not JSON');
      }
      const head = check(parsed);
      const rest = buf.subarray(i + len);
      const body = new ReadableStream<Uint8Array>({
        start(ctrl) {
          if (rest.byteLength > 0) ctrl.enqueue(rest);
        },
        async pull(ctrl) {
          const { done, value } = await reader.read();
          if (done) ctrl.close();
          else ctrl.enqueue(value);
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
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

/** Send BYTES on STREAM in slices, waiting whenever it asks to drain. */
export async function sendBytes(stream: FrameStream, bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
  for (let off = 0; off < bytes.byteLength; off += SEND_CHUNK) {
    if (!stream.send(bytes.subarray(off, Math.min(off + SEND_CHUNK, bytes.byteLength)))) await stream.onDrain(signal ? { signal } : {});
  }
}

/** Send every chunk of SOURCE on STREAM. */
export async function sendAll(stream: FrameStream, source: AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>, signal?: AbortSignal): Promise<void> {
  if ('getReader' in source) {
    const reader = source.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      await sendBytes(stream, value, signal);
    }
  }
  for await (const chunk of source) await sendBytes(stream, typeof chunk === 'string' ? enc.encode(chunk) : chunk, signal);
}

/** A request head as a peer sent it, checked: a method, a path on this origin, string headers (bounded by the head's size). */
export function requestHead(v: unknown): RequestHead {
  const o = v as Partial<Record<keyof RequestHead, unknown>> | null;
  if (typeof o !== 'object' || o === null) throw new Error('a request head that is not an object');
  if (typeof o.method !== 'string' || !/^[A-Z]{3,7}$/.test(o.method)) throw new Error('a request head without its method');
  if (typeof o.path !== 'string' || !o.path.startsWith('/') || o.path.startsWith('//') || o.path.length > 8192) throw new Error('a request head whose path is not one of this origin');
  const headers: Record<string, string> = {};
  if (o.headers !== undefined) {
    if (typeof o.headers !== 'object' || o.headers === null || Array.isArray(o.headers)) throw new Error('request headers that are not an object');
    for (const [k, val] of Object.entries(o.headers)) {
      if (typeof val !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/.test(k)) throw new Error(`a request header that is not one: ${JSON.stringify(k.slice(0, 60))}`);
      headers[k.toLowerCase()] = val;
    }
  }
  return { method: o.method, path: o.path, headers };
}

/** A response head as the home sent it, checked. */
export function responseHead(v: unknown): ResponseHead {
  const o = v as Partial<Record<keyof ResponseHead, unknown>> | null;
  if (typeof o !== 'object' || o === null || typeof o.status !== 'number' || !Number.isInteger(o.status) || o.status < 100 || o.status > 599) throw new Error('a response head without its status');
  const headers: Record<string, string | string[]> = {};
  if (typeof o.headers === 'object' && o.headers !== null) {
    for (const [k, val] of Object.entries(o.headers)) {
      if (typeof val === 'string') headers[k.toLowerCase()] = val;
      else if (Array.isArray(val) && val.every((x) => typeof x === 'string')) headers[k.toLowerCase()] = val as string[];
    }
  }
  return { status: o.status, headers };
}

/** Statuses whose answer has no body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export interface P2pFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string | ReadableStream<Uint8Array>;
  signal?: AbortSignal;
}

/**
 * `fetch(PATH, INIT)` answered by a device over a new stream OPEN gives (a connection to it,
 * through the relay box): a WHATWG Response, so code written for fetch reads it unchanged. When
 * the answer says its length, a body that ends short is an error, never a whole answer.
 */
export async function p2pFetch(open: () => Promise<FrameStream>, path: string, init: P2pFetchInit = {}): Promise<Response> {
  const stream = await open();
  try {
    const method = (init.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
    stream.send(encodeHead({ method, path, headers }));
    if (typeof init.body === 'string') await sendBytes(stream, enc.encode(init.body), init.signal);
    else if (init.body instanceof Uint8Array) await sendBytes(stream, init.body, init.signal);
    else if (init.body) await sendAll(stream, init.body, init.signal);
    // Our half closed: the request's end.
    await stream.close(init.signal ? { signal: init.signal } : {});
    const { head, body } = await readHead(stream, responseHead);
    const h = new Headers();
    for (const [k, v] of Object.entries(head.headers)) for (const one of Array.isArray(v) ? v : [v]) h.append(k, one);
    if (NULL_BODY.has(head.status) || method === 'HEAD') {
      void body.cancel().catch(() => undefined);
      return new Response(null, { status: head.status, headers: h });
    }
    const expected = h.has('content-length') ? Number(h.get('content-length')) : undefined;
    let got = 0;
    const checked = expected === undefined ? body : body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctrl) {
        got += chunk.byteLength;
        ctrl.enqueue(chunk);
      },
      flush(ctrl) {
        if (got !== expected) ctrl.error(new Error(`the answer ended after ${got} of its ${expected} bytes`));
      },
    }));
    return new Response(checked, { status: head.status, headers: h });
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}
