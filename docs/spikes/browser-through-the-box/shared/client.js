/**
 * The calling side, the same in the browser and in the Node baseline peer: `p2pFetch` is `fetch`
 * over one libp2p stream to the home device (a WHATWG Response comes back, so code written for
 * fetch reads it unchanged), and the spike's measured steps.
 */
import { collect, encodeHead, readHead, sendAll, sendBytes } from './frame.js';
import { DOWNLOAD_BYTES, LIBRARY_JSON, SEEDS, UPLOAD_BYTES, prng, sha256 } from './payloads.js';

export const HTTP_PROTOCOL = '/vss-spike/http/1';
export const RAW_PROTOCOL = '/vss-spike/raw/1';
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** fetch(PATH, INIT) answered by the home device over a new stream of CONN (a connection to it, relayed). */
export async function p2pFetch(conn, path, init = {}) {
  const stream = await conn.newStream(HTTP_PROTOCOL, { runOnLimitedConnection: true, signal: init.signal });
  try {
    const headers = {};
    new Headers(init.headers ?? {}).forEach((v, k) => { headers[k] = v; });
    const body = init.body === undefined || init.body === null ? undefined : init.body instanceof Uint8Array ? init.body : new TextEncoder().encode(String(init.body));
    if (body) headers['content-length'] = String(body.byteLength);
    stream.send(encodeHead({ method: init.method ?? 'GET', path, headers }));
    if (body) await sendBytes(stream, body);
    await stream.close(); // our half: the request's end
    const { head, body: resBody } = await readHead(stream);
    const h = new Headers();
    for (const [k, v] of Object.entries(head.headers ?? {})) for (const one of Array.isArray(v) ? v : [v]) h.append(k, String(one));
    if (NULL_BODY.has(head.status) || (init.method ?? 'GET').toUpperCase() === 'HEAD') return new Response(null, { status: head.status, headers: h });
    // The stream's end marks the body's end, so a stream that ended early must not pass for a whole
    // body: when the home said how long it is, anything else is an error.
    const expected = h.has('content-length') ? Number(h.get('content-length')) : undefined;
    let got = 0;
    const checked = expected === undefined ? resBody : resBody.pipeThrough(new TransformStream({
      transform(chunk, ctrl) { got += chunk.byteLength; ctrl.enqueue(chunk); },
      flush(ctrl) { if (got !== expected) ctrl.error(new Error(`the body ended after ${got} of ${expected} bytes`)); },
    }));
    return new Response(checked, { status: head.status, headers: h });
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}

/** The same bytes with no HTTP at all: the plain relayed stream the HTTP path is compared with. */
export async function rawUpload(conn, bytes) {
  const stream = await conn.newStream(RAW_PROTOCOL, { runOnLimitedConnection: true });
  stream.send(encodeHead({ op: 'up', bytes: bytes.byteLength }));
  await sendBytes(stream, bytes);
  await stream.close();
  const { head } = await readHead(stream);
  return head;
}

export async function rawDownload(conn, n) {
  const stream = await conn.newStream(RAW_PROTOCOL, { runOnLimitedConnection: true });
  stream.send(encodeHead({ op: 'down', bytes: n }));
  await stream.close();
  const { body } = await readHead(stream);
  return collect(body);
}

const mibps = (bytes, ms) => Math.round((bytes / (1024 * 1024)) / (ms / 1000) * 100) / 100;

/** Steps after the connection: JSON, whoami, NDJSON first line, then the four 5 MiB transfers. NOW is the clock (ms). */
export async function transfers(conn, now, log = () => {}) {
  const out = {};
  const upload = prng(SEEDS.upload, UPLOAD_BYTES);
  const uploadSha = await sha256(upload);
  const downloadSha = await sha256(prng(SEEDS.download, DOWNLOAD_BYTES));

  let t = now();
  const res = await p2pFetch(conn, '/api/upload', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: upload });
  const up = await res.json();
  out.httpUploadMs = now() - t;
  if (res.status !== 200 || up.sha256 !== uploadSha || up.bytes !== UPLOAD_BYTES) throw new Error(`upload answered ${res.status} ${JSON.stringify(up)}`);
  out.httpUploadMiBps = mibps(UPLOAD_BYTES, out.httpUploadMs);
  log(`http upload ${out.httpUploadMs.toFixed(0)} ms`);

  t = now();
  const dres = await p2pFetch(conn, '/api/download');
  const down = new Uint8Array(await dres.arrayBuffer());
  out.httpDownloadMs = now() - t;
  if ((await sha256(down)) !== downloadSha) throw new Error('download bytes differ');
  out.httpDownloadMiBps = mibps(DOWNLOAD_BYTES, out.httpDownloadMs);
  log(`http download ${out.httpDownloadMs.toFixed(0)} ms`);

  t = now();
  const rup = await rawUpload(conn, upload);
  out.rawUploadMs = now() - t;
  if (rup.sha256 !== uploadSha) throw new Error('raw upload bytes differ');
  out.rawUploadMiBps = mibps(UPLOAD_BYTES, out.rawUploadMs);

  t = now();
  const rdown = await rawDownload(conn, DOWNLOAD_BYTES);
  out.rawDownloadMs = now() - t;
  if ((await sha256(rdown)) !== downloadSha) throw new Error('raw download bytes differ');
  out.rawDownloadMiBps = mibps(DOWNLOAD_BYTES, out.rawDownloadMs);
  return out;
}

/** The JSON route, checked. */
export async function fetchLibrary(conn) {
  const res = await p2pFetch(conn, '/api/library', { headers: { accept: 'application/json', 'x-vss-ui': '1' } });
  const json = await res.json();
  if (json.marker !== LIBRARY_JSON.marker) throw new Error(`library JSON came back as ${JSON.stringify(json).slice(0, 200)}`);
  return json;
}

/** NDJSON streamed by the home (3 lines, 300 ms apart): ms to the first line and to the end. */
export async function streamedEvents(conn, now) {
  const t = now();
  const res = await p2pFetch(conn, '/api/events');
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let first, text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += value;
    if (first === undefined && text.includes('\n')) first = now() - t;
  }
  return { firstLineMs: first, allMs: now() - t, lines: text.trim().split('\n').length };
}
