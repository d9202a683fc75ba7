import { readdirSync } from 'node:fs';
import type { OutgoingHttpHeader, ServerResponse } from 'node:http';

/**
 * What a paired browser that may not view the library is never told (issue 57, N5): no path of
 * this machine and no library's name. It is not a list of fields each route leaves out: the
 * server's hook hands such a browser's response to `answerUnseen`, and every header and body
 * written to it — by fastify, by tus, by the daemon's own PATCH, an error from deep inside
 * included — passes through `blindText` on its way out. A path under the browser's own uploads
 * folder is told from there (`2024/05/IMG_1.jpg`: where its own file landed), the folder itself
 * never; any other absolute path reads `…`, as does a library's name.
 */
export interface Unseen {
  /** The browser's own uploads folder, if it has one. */
  own: string | null;
  /** Paths told as `…` wherever they appear (the data dir, the home folder, each library's folder), with what follows them in a name. */
  paths: readonly string[];
  /** Names told as `…` where they stand as words (every library's). */
  names: readonly string[];
}

const HIDDEN = '…';
/** The rest of a path after a known start: up to a quote, a line's end, or a separator of a message's parts. */
const TAIL = String.raw`[^'"\n\r\t,;:]*`;
/** The most an answer to such a browser holds (they are small JSON and text): past it the response is cut. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** The top-level folders of this machine (`/tmp`, `/home`, `/Users`, …): an absolute path begins with one; `/api/…` and `/ui/…` (this server's routes) do not. */
let roots: Set<string> | undefined;
const rootNames = (): Set<string> => (roots ??= new Set((() => {
  try {
    return readdirSync('/');
  } catch {
    return [];
  }
})()));

const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** TEXT as such a browser may read it. */
export function blindText(text: string, u: Unseen): string {
  let out = text;
  if (u.own) {
    // Its own files' places, from its folder; the folder itself is a path of this machine.
    out = out.split(`${u.own}/`).join('');
    out = out.split(u.own).join(HIDDEN);
  }
  for (const p of [...u.paths].filter((x) => x.length > 1).sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(`${escaped(p)}(?=$|/|['"\\s,;:])${TAIL}`, 'g'), HIDDEN);
  }
  // Any other absolute path: its first folder is one of this machine's top-level ones.
  out = out.replace(new RegExp(`(?<![\\w.~/\\-${HIDDEN}])/([^\\s/'"]+)(?:/${TAIL}|(?=$|['"\\s,;:]))`, 'gu'), (whole, first: string) => (rootNames().has(first) ? HIDDEN : whole));
  for (const name of [...u.names].filter((x) => x.trim() !== '').sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}_])${escaped(name)}(?![\\p{L}\\p{N}_])`, 'gu'), HIDDEN);
  }
  return out;
}

/** A JSON VALUE with each string blinded (keys are the API's own words). */
function blindJson(value: unknown, u: Unseen): unknown {
  if (typeof value === 'string') return blindText(value, u);
  if (Array.isArray(value)) return value.map((v) => blindJson(v, u));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, blindJson(v, u)]));
  return value;
}

/** A header's value blinded; tus's Upload-Metadata holds base64 values, each looked into. */
function blindHeader(name: string, value: OutgoingHttpHeader, u: Unseen): OutgoingHttpHeader {
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) return value.map((v) => blindText(v, u));
  if (name.toLowerCase() !== 'upload-metadata') return blindText(value, u);
  return value.split(',').map((pair) => {
    const [key, b64] = pair.trim().split(' ');
    if (b64 === undefined) return pair;
    return `${key} ${Buffer.from(blindText(Buffer.from(b64, 'base64').toString('utf8'), u)).toString('base64')}`;
  }).join(',');
}

/** BODY as such a browser may read it: JSON by its values, text as text; anything else (no route sends such a browser bytes) as it is. */
function blindBody(body: Buffer, type: string, u: Unseen): Buffer {
  if (body.length === 0) return body;
  if (/json/i.test(type)) {
    try {
      return Buffer.from(JSON.stringify(blindJson(JSON.parse(body.toString('utf8')), u)));
    } catch {
      // Not JSON after all: blinded as text.
    }
  }
  if (type === '' || /^text\/|json|xml/i.test(type)) return Buffer.from(blindText(body.toString('utf8'), u));
  return body;
}

/** Headers as `writeHead` takes them (an object, a flat list of names and values, or a list of pairs), set on RES. */
function setAll(res: ServerResponse, headers: unknown): void {
  if (Array.isArray(headers)) {
    const pairs: Array<[string, string]> = Array.isArray(headers[0])
      ? (headers as Array<[string, string]>)
      : Array.from({ length: Math.floor(headers.length / 2) }, (_, i) => [String(headers[2 * i]), String(headers[2 * i + 1])] as [string, string]);
    const byName = new Map<string, string[]>();
    for (const [k, v] of pairs) byName.set(k, [...(byName.get(k) ?? []), v]);
    for (const [k, vs] of byName) res.setHeader(k, vs.length === 1 ? vs[0]! : vs);
  } else if (headers && typeof headers === 'object') {
    for (const [k, v] of Object.entries(headers)) if (v !== undefined) res.setHeader(k, v as OutgoingHttpHeader);
  }
}

/**
 * RES, the response to a browser that may not view the library: whatever is written to it is held
 * until its end, then sent blinded (U), with its length made right.
 */
export function answerUnseen(res: ServerResponse, u: Unseen): void {
  const { writeHead, write, end } = res;
  let status: number | undefined;
  let message: string | undefined;
  const parts: Buffer[] = [];
  let held = 0;
  const hold = (chunk: unknown, encoding?: unknown): void => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const b = Buffer.isBuffer(chunk) ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk) : Buffer.from(String(chunk), typeof encoding === 'string' ? encoding as BufferEncoding : 'utf8');
    held += b.length;
    parts.push(b);
    // Never an answer this large to such a browser: cut rather than send what was not looked at.
    if (held > MAX_ANSWER_BYTES) res.destroy();
  };
  res.writeHead = function (this: ServerResponse, code: number, ...rest: unknown[]) {
    status = code;
    for (const r of rest) {
      if (typeof r === 'string') message = r;
      else setAll(res, r);
    }
    return res;
  } as typeof res.writeHead;
  res.write = function (this: ServerResponse, chunk: unknown, encoding?: unknown, cb?: unknown) {
    hold(chunk, encoding);
    const done = typeof encoding === 'function' ? encoding : cb;
    if (typeof done === 'function') queueMicrotask(() => done());
    return true;
  } as typeof res.write;
  res.end = function (this: ServerResponse, chunk?: unknown, encoding?: unknown, cb?: unknown) {
    hold(chunk, encoding);
    const done = [chunk, encoding, cb].find((x): x is () => void => typeof x === 'function');
    // Cut (too large, or its connection gone): nothing more is sent.
    if (res.destroyed) {
      done?.();
      return res;
    }
    const body = blindBody(Buffer.concat(parts), String(res.getHeader('content-type') ?? ''), u);
    for (const name of res.getHeaderNames()) res.setHeader(name, blindHeader(name, res.getHeader(name)!, u));
    if (res.hasHeader('content-length')) res.setHeader('content-length', body.length);
    res.writeHead = writeHead;
    res.write = write;
    res.end = end;
    const code = status ?? res.statusCode;
    if (message !== undefined) res.writeHead(code, blindText(message, u));
    else res.writeHead(code);
    return done ? res.end(body, done) : res.end(body);
  } as typeof res.end;
}
