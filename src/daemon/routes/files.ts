import { lstatSync, type Stats } from 'node:fs';
import { Readable } from 'node:stream';
import { send } from '../send-file.js';
import type sendTypes from '@fastify/send';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sidecarAddress, UUID_RE, VssError, type LibraryApi } from '../../api/index.js';
import { OPERATIONS } from '../../api/remote/protocol.js';
import type { DaemonCore } from '../daemon-core.js';
import type { RemoteOriginal } from '../../sync/library/get-original.js';
import { readWhole, WHOLE_READ_MAX_BYTES } from './read-whole.js';
import { fileRoute } from './file-route.js';
import { registerBrowseThumb } from './browse-thumb.js';

/**
 * Files by address (DESIGN §12): a ready sidecar's file and a content's original. The core API
 * finds and checks the file (`sidecars.file`, `content.original`); these routes only check the
 * address, stream the bytes with @fastify/send (Range, HEAD) and answer conditionals on the
 * checksum. Nothing in a request becomes a path: the path comes from the library.
 *
 *   GET /api/libraries/{library_id}/sidecars/{content_uuid}/{kind}/{variant}[?v=<checksum>]
 *   GET /api/libraries/{library_id}/content/{content_uuid}[?v=<cas_id>]
 *
 * (`current` stands for the current library's id, as in every route of the local API.)
 *
 * The tail is a wildcard so that every malformed address (a `..`, an encoded slash, a NUL, an
 * over-long variant, a segment too many) reaches the checks below and gets a 400, rather than
 * the router's 404 or 414.
 */
export async function registerFileRoutes(app: FastifyInstance, core: DaemonCore): Promise<void> {
  registerBrowseThumb(app, core);
  app.get(fileRoute(OPERATIONS.sidecarFile.path), (req, reply) => answer(reply, async () => {
    const { lib, parts, v } = parse(req, core, 3, '/sidecars/{content_uuid}/{kind}/{variant}');
    const [contentUuid, kind, variant] = parts as [string, string, string];
    return serveSidecar(req, reply, lib, contentUuid, kind, variant, v);
  }));

  app.get(fileRoute(OPERATIONS.originalFile.path), (req, reply) => answer(reply, async () => {
    const { lib, parts, v } = parse(req, core, 1, '/content/{content_uuid}');
    return serveOriginal(req, reply, lib, parts[0]!, v);
  }));
}

/** A sidecar of CONTENTUUID (its address checked), ready here, fetched or made within a bound, streamed with Range and conditionals. */
export async function serveSidecar(req: FastifyRequest, reply: FastifyReply, lib: () => LibraryApi, contentUuid: string, kind: string, variant: string, v: string | undefined): Promise<FastifyReply> {
  let found = lib().sidecars.file(contentUuid, kind, variant);
  if (found.state !== 'ready') {
    // The resolver, as `vss sidecars get`: fetched from a paired device, else made here, within a bound.
    const gone = new AbortController();
    const onClose = (): void => { if (!reply.raw.writableFinished) gone.abort(); };
    reply.raw.on('close', onClose);
    const resolved = await lib().sidecars.get(contentUuid, kind, variant, { timeoutMs: RESOLVE_TIMEOUT_MS, signal: gone.signal })
      .finally(() => reply.raw.off('close', onClose));
    if (resolved.state === 'unavailable') return notFound(reply, resolved.reason, found.status);
    found = lib().sidecars.file(contentUuid, kind, variant);
    if (found.state !== 'ready') return notFound(reply, found.reason, found.status);
  }
  return serve(req, reply, { path: found.path, size: found.size, tag: found.checksum, mime: found.mime }, v, () => {
    // Gone between the check and the read: the same lookup marks it missing.
    const again = lib().sidecars.file(contentUuid, kind, variant);
    return again.state === 'ready' ? 'its file changed while it was being read' : again.reason;
  });
}

/** The original of CONTENTUUID: from this device, a bucket location, or streamed from a paired device that holds it, with Range. */
export async function serveOriginal(req: FastifyRequest, reply: FastifyReply, lib: () => LibraryApi, contentUuid: string, v: string | undefined): Promise<FastifyReply> {
  const found = lib().content.original(contentUuid);
  if (found.state !== 'ready') {
    // Held here only in a bucket location: the range asked for streams from the bucket.
    const inBucket = await lib().content.bucketOriginal(contentUuid);
    if (inBucket) return serveRemote(req, reply, inBucket, v);
    // Held only by another device (DESIGN §15): the range asked for streams from it, kept nowhere.
    const remote = lib().sync.remoteOriginal(contentUuid);
    if ('unavailable' in remote) return notFound(reply, `${found.reason}; ${remote.unavailable}`);
    return serveRemote(req, reply, remote, v);
  }
  return serve(req, reply, { path: found.path, size: found.size, tag: found.cas_id, mime: found.mime, checked: found.facts }, v, () => 'its file changed or went away while it was being read');
}

/** The table's path with its address parts (from `:uuid` on) as one wildcard: `/api/libraries/:lib/content/*`. */

/** How long a request for a sidecar that is not here waits for the resolver (fetch, or make it). */
const RESOLVE_TIMEOUT_MS = 15_000;
/** Served for a year without asking again when the URL names the bytes; else revalidated on every use. */
const CACHE_IMMUTABLE = 'private, max-age=31536000, immutable';
/** `bytes=` and one or more ranges (`a-b`, `a-`, `-n`); anything else is not a Range to honour. */
const BYTE_RANGES = /^bytes=\s*(\d+-\d*|-\d+)(\s*,\s*(\d+-\d*|-\d+))*\s*$/i;
const CACHE_REVALIDATE = 'private, no-cache';
const VERSION_RE = /^[0-9a-f]{1,128}$/;
/** Headers of every file answer: no sniffing, and a user's HTML or SVG opened from here runs in a sandbox, never as the web UI's origin. */
const SAFE_HEADERS = { 'x-content-type-options': 'nosniff', 'content-security-policy': 'sandbox' };

interface Parsed {
  /** The open library, reached only after every part of the address was checked. */
  lib: () => LibraryApi;
  parts: string[];
  v: string | undefined;
}

/** Check every part of the address and the query before anything is opened or read. */
function parse(req: FastifyRequest, core: DaemonCore, segments: number, shape: string): Parsed {
  const params = req.params as { lib: string; '*': string };
  if (params.lib !== 'current' && !UUID_RE.test(params.lib)) throw new VssError('USAGE', `invalid library id ${JSON.stringify(params.lib)}`);
  const parts = params['*'].split('/');
  if (parts.length !== segments) throw new VssError('USAGE', `not a file address: ${JSON.stringify(params['*'])} (the address is ${shape})`);
  if (segments === 3) sidecarAddress(parts[0]!, parts[1]!, parts[2]!);
  else if (!UUID_RE.test(parts[0]!)) throw new VssError('USAGE', `invalid content uuid ${JSON.stringify(parts[0])}`);
  const query = req.query as Record<string, unknown>;
  for (const key of Object.keys(query)) if (key !== 'v') throw new VssError('USAGE', `unknown query parameter ${JSON.stringify(key)} (only v=<checksum> is taken)`);
  const v = query.v;
  if (v !== undefined && (typeof v !== 'string' || !VERSION_RE.test(v))) throw new VssError('USAGE', 'v must be the checksum the file is served with (hex)');
  return { lib: () => core.library(params.lib === 'current' ? undefined : { id: params.lib }), parts, v };
}

interface ServedFile {
  path: string;
  size: number;
  /** What identifies the bytes: the ETag, and the `v` that makes a URL immutable. */
  tag: string;
  mime: string;
  /**
   * The file the core checked (its device and inode), where it is a location's: the file opened
   * must be that one, since a folder on its way swapped for a symlink meanwhile would lead the
   * open to another, which the path's own lstat would not tell.
   */
  checked?: { dev: number; inode: number };
}

/**
 * Stream FILE: If-Match / If-None-Match / If-Range against its tag here (send's own validators
 * are mtime-based, so they are off), Range and HEAD by @fastify/send; a small file's plain GET
 * from one checked read. GONE says why, when the
 * file is no longer what was checked by the time send opens it.
 */
async function serve(req: FastifyRequest, reply: FastifyReply, file: ServedFile, v: string | undefined, gone: () => string): Promise<FastifyReply> {
  const etag = `"${file.tag}"`;
  reply.headers({ ...SAFE_HEADERS, etag, 'cache-control': v === file.tag ? CACHE_IMMUTABLE : CACHE_REVALIDATE, 'accept-ranges': 'bytes' });
  const ifMatch = req.headers['if-match'];
  if (ifMatch !== undefined && !matches(ifMatch, etag, false)) return error(reply, 412, 'PRECONDITION_FAILED', 'the file is not the one If-Match names');
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined && matches(ifNoneMatch, etag, true)) return reply.code(304).send();

  const headers: Record<string, string | string[] | undefined> = { range: req.headers.range };
  // A range of a representation the client no longer has would splice two files: send it whole.
  const ifRange = req.headers['if-range'];
  if (ifRange !== undefined && ifRange !== etag) delete headers.range;
  // RFC 9110 §14.2: a Range header that is not a byte range set is ignored (200 with the whole file).
  if (typeof headers.range === 'string' && !BYTE_RANGES.test(headers.range)) delete headers.range;
  if (req.method === 'GET' && headers.range === undefined && file.size <= WHOLE_READ_MAX_BYTES) {
    // A small file whole (a thumbnail): one read and one buffer cost a fraction of a stream.
    const bytes = readWhole(file.path, file.size, file.checked);
    if (bytes === null) return notFound(reply, gone());
    return reply.code(200).header('content-type', file.mime).header('content-length', bytes.length).send(bytes);
  }
  let result: sendTypes.SendResult;
  try {
    result = await send({ headers, method: req.method } as unknown as Parameters<typeof send>[0], urlPathOf(file.path), {
      etag: false, lastModified: false, cacheControl: false, contentType: false, dotfiles: 'allow', index: false, acceptRanges: true,
      onFile: (path: string, st: Stats) => {
        // send follows symlinks; the core checked a regular file of this size, and it must still be that one.
        const l = lstatSync(path, { throwIfNoEntry: false });
        if (!l?.isFile() || l.ino !== st.ino || st.size !== file.size) throw new FileChangedError();
        if (file.checked && (st.dev !== file.checked.dev || st.ino !== file.checked.inode)) throw new FileChangedError();
      },
    });
  } catch (err) {
    if (err instanceof FileChangedError) return notFound(reply, gone());
    throw err;
  }
  if (result.type === 'error') {
    result.stream.destroy();
    if (result.statusCode === 416) {
      return error(reply.header('content-range', result.headers['Content-Range']), 416, 'RANGE_NOT_SATISFIABLE', `the file has ${file.size} bytes: ${String(req.headers.range)} is outside it`);
    }
    if (result.statusCode === 404) return notFound(reply, gone());
    return error(reply, 500, 'INTERNAL', `could not read the file (${result.statusCode})`);
  }
  return reply.code(result.statusCode).headers(result.headers).header('content-type', file.mime).send(result.stream);
}

/** One byte range of a file of SIZE bytes (`a-b`, `a-`, `-n`), or null when the header asks for none or for several (then the whole file). */
function singleRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const m = header === undefined ? null : /^bytes=\s*(\d*)-(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/**
 * A content's original held by another device: HEAD from its facts, GET of the whole file or of
 * one range streamed from the device as it comes. The same tags and conditionals as a local file.
 */
async function serveRemote(req: FastifyRequest, reply: FastifyReply, file: RemoteOriginal, v: string | undefined): Promise<FastifyReply> {
  const etag = `"${file.casId}"`;
  reply.headers({ ...SAFE_HEADERS, etag, 'cache-control': v === file.casId ? CACHE_IMMUTABLE : CACHE_REVALIDATE, 'accept-ranges': 'bytes' });
  const ifMatch = req.headers['if-match'];
  if (ifMatch !== undefined && !matches(ifMatch, etag, false)) return error(reply, 412, 'PRECONDITION_FAILED', 'the file is not the one If-Match names');
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined && matches(ifNoneMatch, etag, true)) return reply.code(304).send();
  const ifRange = req.headers['if-range'];
  const range = ifRange !== undefined && ifRange !== etag ? null : singleRange(req.headers.range, file.size);
  if (range === 'unsatisfiable') {
    return error(reply.header('content-range', `bytes */${file.size}`), 416, 'RANGE_NOT_SATISFIABLE', `the file has ${file.size} bytes: ${String(req.headers.range)} is outside it`);
  }
  const { start, end } = range ?? { start: 0, end: file.size - 1 };
  reply.code(range ? 206 : 200).header('content-type', file.mime).header('content-length', Math.max(0, end - start + 1));
  if (range) reply.header('content-range', `bytes ${start}-${end}/${file.size}`);
  if (req.method === 'HEAD' || file.size === 0) return reply.send();
  const gone = new AbortController();
  reply.raw.once('close', () => gone.abort());
  return reply.send(Readable.from(file.read(start, end - start + 1, gone.signal)));
}

class FileChangedError extends Error {}

/** send takes a URL path (it decodes it); a file's name may hold `%`, `#`, `?` or spaces. */
function urlPathOf(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** Whether a list of entity tags (`*`, or `"a", W/"b"`) names ETAG; WEAK lets a W/ tag match (If-None-Match does). */
function matches(list: string, etag: string, weak: boolean): boolean {
  if (list.trim() === '*') return true;
  return list.split(',').some((t) => {
    const tag = t.trim();
    return tag === etag || (weak && tag === `W/${etag}`);
  });
}

/** Run a route, answering the core's usage and not-found errors as 400 and 404 (the server answers the rest). */
export async function answer(reply: FastifyReply, route: () => Promise<FastifyReply>): Promise<FastifyReply> {
  try {
    return await route();
  } catch (err) {
    if (err instanceof VssError && err.code === 'USAGE') return error(reply, 400, 'USAGE', err.message);
    if (err instanceof VssError && err.code === 'NOT_FOUND') return error(reply, 404, 'NOT_FOUND', err.message);
    throw err;
  }
}

function notFound(reply: FastifyReply, message: string, status?: string): FastifyReply {
  return error(reply, 404, 'NOT_FOUND', message, status);
}

/** The API's error body, `{error: {code, message}}`, with a sidecar's status where it has one. */
function error(reply: FastifyReply, code: number, name: string, message: string, status?: string): FastifyReply {
  reply.removeHeader('etag');
  reply.removeHeader('cache-control');
  reply.removeHeader('accept-ranges');
  return reply.code(code).header('cache-control', 'no-store').type('application/json; charset=utf-8')
    .send({ error: { code: name, message, ...(status !== undefined ? { status } : {}) } });
}
