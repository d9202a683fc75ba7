import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { send } from '../send-file.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OPERATIONS, type ErrorBody } from '../../api/remote/protocol.js';
import { SIGNED_OUT, type SignedOutReason } from '../../api/remote/signed-out.js';
import { tokenMatches } from '../../api/remote/token.js';
import { VssError } from '../../core/errors.js';
import { DEFAULT_BROWSER_RIGHTS, rightsFrom, type BrowserRights, type BrowserDevices } from '../../device/browser-devices.js';
import { partyOf } from '../request-party.js';
import { isOwnerRequest, refusedOrigin, type Ticket, type UiSessions } from './session.js';
import { defaultWebDir } from './web-dir.js';
import { BRIDGE_PEER_HEADER } from '../p2p-http.js';

/** Who the web app's session is (`GET /api/ui/me`). */
export interface UiMe {
  /** Whether it is a browser with rights of its own (`browser.may`), not this machine's user, who may do everything. */
  view_only: boolean;
  browser: { id: string; name: string; may: BrowserRights } | null;
  /** A guest of a shared album (issue 61): which share, and what it allows; it sees that album only. */
  share?: { id: string; download: boolean; upload: boolean };
}

/** A pairing address as the daemon makes it: its ticket, the address that carries it (null before the servers listen), the certificate's fingerprint there. */
export interface PairTicket extends Ticket {
  /** The address the phone is likeliest to reach (or the one asked for); null before the servers listen. */
  url: string | null;
  /** Every address that carries the ticket, best first: the home network's IPv4 ones, the machine's `.local` name, IPv6. */
  urls: string[];
  /** Whether URL is on the home network (else on this machine's loopback: a phone cannot open it). */
  lan: boolean;
  tls_fingerprint: string | null;
}

/**
 * The web UI's app, served from dist/web (index.html and esbuild's hashed assets) under /ui/.
 * Every page answers by the session rules of session.ts: `/ui/?ticket=T` burns the ticket, starts
 * a session and sends the browser on to `/ui/` (the ticket leaves the address bar); the app and
 * its assets need the cookie, on requests from the app itself. The server's own hook keeps the
 * loopback and Host checks; `POST /api/ui/ticket` (bearer token only) hands out tickets.
 */
export interface UiOptions {
  /** The daemon's bearer token: the only credential that gets a ticket. */
  token: string;
  sessions: UiSessions;
  /**
   * Where a pairing address points (the web app on the home network when it is served there, else
   * on loopback) and the certificate's fingerprint there; known once the servers listen.
   */
  pairBase?: () => { urls: string[]; lan: boolean; fingerprint: string | null } | undefined;
  /**
   * Where a browser paired with NAME uploads to: DIR when given (checked: inside a location of
   * the current library), else a folder of its own in this device's first location; null when
   * there is nowhere (it may not upload then).
   */
  pairUploads?: (name: string | undefined, dir: string | undefined) => { library: string; dir: string } | null;
  /** Whether a request came over the home network (its sessions are that side's only). */
  viaLan?: (req: import('node:http').IncomingMessage) => boolean;
  /** The built app; default dist/web beside this module's dist/src (VSS_WEB_DIR overrides it, for tests and development). */
  webDir?: string;
  /**
   * Pairing away from home (issue 46 item 4): where a browser opens the web app on the relay box
   * this device holds a slot on (undefined: none serves browsers), and this device's peer id.
   */
  away?: { base(): { url: string } | undefined; peerId(): string; opened(forMs: number): void; paired(): void };
}

/** Whether URL is one of the UI's pages (which authenticate themselves), not the API. */
export function isUiPath(url: string): boolean {
  const path = url.split('?')[0]!;
  return path === '/ui' || path.startsWith('/ui/');
}

/**
 * The app's policy: its own scripts, styles and fonts only (no inline script, no eval; WebAssembly
 * compiled from the app's own bytes, which hashes a file before it is uploaded), images and
 * media from the daemon or from blobs it made, requests only to the daemon, and never in a frame.
 * React sets style props through the CSSOM, which style-src does not govern.
 */
export const APP_CSP = [
  "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", "img-src 'self' blob:", "media-src 'self' blob:",
  "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': APP_CSP,
  // The first address holds a ticket: no page of the app tells another site where it came from.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

/** esbuild's `[name]-[hash]` names: the bytes never change under such a name. */
const HASHED_NAME = /-[A-Za-z0-9]{8,}\.[a-z0-9]+$/;
/** One segment of a file of the app: no dot files, no `..`, nothing to decode. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const MAX_DEPTH = 4;

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', mjs: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8', map: 'application/json; charset=utf-8', svg: 'image/svg+xml', png: 'image/png', ico: 'image/x-icon',
  webp: 'image/webp', webmanifest: 'application/manifest+json', woff2: 'font/woff2', woff: 'font/woff', txt: 'text/plain; charset=utf-8', wasm: 'application/wasm',
};

export function registerUiRoutes(app: FastifyInstance, opts: UiOptions): void {
  const webDir = opts.webDir ?? defaultWebDir();
  const { sessions } = opts;
  app.route({
    method: OPERATIONS.uiTicket.method, url: OPERATIONS.uiTicket.path,
    handler: (req, reply) => {
      // The server's hook let in the token or a session; a session must not mint sessions for other browsers.
      const m = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
      if (!m || !tokenMatches(m[1]!, opts.token)) {
        const body: ErrorBody = { error: { code: 'FORBIDDEN', message: 'a web UI ticket is given for the daemon\'s bearer token only (run `vss ui`)' } };
        return reply.code(403).send(body);
      }
      return reply.header('cache-control', 'no-store').send(sessions.issueTicket());
    },
  });
  app.route({
    method: OPERATIONS.uiPair.method, url: OPERATIONS.uiPair.path,
    handler: (req, reply) => {
      // The daemon's token, or this machine's user in the web app (Devices: "Add a phone or browser");
      // never a paired browser, never a request from the network.
      if (!isOwnerRequest(req.headers, opts.token, sessions, opts.viaLan?.(req.raw) === true)) {
        const body: ErrorBody = { error: { code: 'FORBIDDEN', message: 'a pairing address is made on this machine only: `vss ui pair`, or Devices in the web app opened by `vss ui`' } };
        return reply.code(403).send(body);
      }
      const body = (req.body ?? {}) as { name?: unknown; uploads_to?: unknown; may?: unknown; away?: unknown; address?: unknown };
      for (const k of ['name', 'uploads_to', 'may', 'address'] as const) if (body[k] !== undefined && typeof body[k] !== 'string') throw new VssError('USAGE', `${k} must be a string`);
      const base = opts.pairBase?.();
      const chosen = body.address !== undefined && base ? chooseAddress(base.urls, body.address as string) : undefined;
      if (body.away !== undefined && typeof body.away !== 'boolean') throw new VssError('USAGE', 'away must be true or false');
      const awayBase = body.away === true ? opts.away?.base() : undefined;
      if (body.away === true && !awayBase) {
        throw new VssError('UNAVAILABLE', 'no relay box that serves browsers holds a slot for this device: pair it with a box started with `vss daemon start --relay --box-web PORT --box-cert F --box-key F`, and wait until `vss daemon status` lists an address through it');
      }
      const name = body.name as string | undefined;
      const may = body.may !== undefined ? rightsFrom(body.may as string) : { ...DEFAULT_BROWSER_RIGHTS };
      const uploadsTo = may.upload ? opts.pairUploads?.(name, body.uploads_to as string | undefined) ?? null : null;
      if (body.uploads_to !== undefined && !may.upload) throw new VssError('USAGE', '--uploads-to is for a browser that may upload');
      const ticket = sessions.issueTicket({ ...(name !== undefined ? { name } : {}), may, uploads_to: uploadsTo });
      if (awayBase) {
        // The fragment never leaves the browser: the box serves the page and never sees the ticket.
        opts.away!.opened(Date.parse(ticket.expires_at) - Date.now());
        const url = `${awayBase.url}#pair=${encodeURIComponent(ticket.ticket)}&home=${encodeURIComponent(opts.away!.peerId())}`;
        const away: PairTicket = { ...ticket, url, urls: [url], lan: false, tls_fingerprint: null };
        return reply.header('cache-control', 'no-store').send(away);
      }
      const urls = (base?.urls ?? []).map((u) => `${u}?ticket=${encodeURIComponent(ticket.ticket)}`);
      const url = chosen !== undefined ? urls[chosen]! : urls[0] ?? null;
      const answer: PairTicket = { ...ticket, url, urls, lan: base?.lan ?? false, tls_fingerprint: base?.fingerprint ?? null };
      return reply.header('cache-control', 'no-store').send(answer);
    },
  });
  app.route({
    method: OPERATIONS.uiPairAway.method, url: OPERATIONS.uiPairAway.path,
    handler: (req, reply) => {
      // The server's hook let only the bridge in here, with the peer id the browser's Noise session proved.
      const peer = req.headers[BRIDGE_PEER_HEADER];
      if (typeof peer !== 'string' || !opts.away) {
        const body: ErrorBody = { error: { code: 'FORBIDDEN', message: 'a browser pairs away from home through the relay box only' } };
        return reply.code(403).send(body);
      }
      const ticket = (req.body as { ticket?: unknown } | undefined)?.ticket;
      const made = typeof ticket === 'string' ? sessions.redeemAway(ticket, peer) : null;
      if (made === 'limited') return reply.code(429).send({ error: { code: 'UNAVAILABLE', message: 'too many pairings with addresses that were not live in the last minute: wait a minute' } } satisfies ErrorBody);
      if (made === null) return reply.code(401).send({ error: { code: 'UNAUTHORIZED', message: 'this pairing address was used already, has expired (five minutes after `vss ui pair --away` printed it), or is not from this device', reason: 'ticket' } } satisfies ErrorBody);
      opts.away.paired();
      const me: UiMe = { view_only: true, browser: { id: made.id, name: made.name, may: { ...made.may } } };
      return reply.header('cache-control', 'no-store').send(me);
    },
  });
  app.get(OPERATIONS.uiMe.path, (req, reply) => {
    const { lan, browser } = partyOf(req.raw);
    // A guest is told of its share, not of a browser device (its scope names the library and album by id: kept to the daemon).
    const me: UiMe = browser?.share
      ? { view_only: true, browser: null, share: { id: browser.share.id, download: browser.share.download, upload: browser.share.upload } }
      : { view_only: lan || browser !== null, browser };
    return reply.header('cache-control', 'no-store').send(me);
  });
  app.get('/ui', (req, reply) => reply.code(308).header('location', `/ui/${req.url.slice(3)}`).send());
  app.get('/ui/', (req, reply) => {
    const query = req.query as Record<string, unknown>;
    if (query.token !== undefined) return unauthorized(reply, 'ticket', 'Addresses with the daemon\'s token no longer sign in.');
    if (query.ticket !== undefined) {
      // The ticket is the credential here, whoever sent the browser (the desktop's opener sends no Sec-Fetch-Site of use).
      const secret = typeof query.ticket === 'string' ? sessions.redeem(query.ticket, opts.viaLan?.(req.raw) === true) : null;
      if (secret === 'limited') return page(reply, 429, 'Too many sign-ins', 'Too many sign-ins with addresses that were not live in the last minute: wait a minute, then open a new address.');
      if (secret === null) return unauthorized(reply, 'ticket');
      return reply.code(303).headers(PAGE_HEADERS).header('set-cookie', sessions.setCookie(secret, (req.raw.socket as { encrypted?: boolean }).encrypted === true, sessions.isBrowserDevice(secret))).header('cache-control', 'no-store').header('location', '/ui/').send();
    }
    return withSession(req, reply, true, () => file(req, reply, webDir, 'index.html'));
  });
  app.get('/ui/*', (req, reply) => withSession(req, reply, false, () => {
    const rest = (req.params as { '*': string })['*'];
    const parts = rest.split('/');
    if (parts.length > MAX_DEPTH || !parts.every((p) => SEGMENT.test(p) && !p.includes('..'))) return page(reply, 404, 'Not found', 'There is no such file in the web UI.');
    return file(req, reply, webDir, rest);
  }));

  /** FN's answer when the cookie holds a live session and the request comes from the app (or, for PAGE, from nowhere). */
  function withSession(req: FastifyRequest, reply: FastifyReply, isPage: boolean, fn: () => FastifyReply | Promise<FastifyReply>): FastifyReply | Promise<FastifyReply> {
    const refused = sessions.presented(req.headers.cookie) ? refusedOrigin(req.headers['sec-fetch-site'], isPage) : null;
    if (refused) return page(reply, 403, 'Refused', `${escapeHtml(refused)}. Open the web UI from its own address, typed or from <code>vss ui</code>, not from a link on another page.`);
    if (!sessions.authenticates(req.headers.cookie, opts.viaLan?.(req.raw) === true)) {
      // A guest of a shared album whose share ended is told so, in a guest's words (issue 61).
      if (sessions.endedShare(req.headers.cookie)) return page(reply, 401, 'This album is no longer shared', 'The link expired or was ended by the person who sent it. Ask them for a new one.', 'revoked');
      return unauthorized(reply, sessions.whyNotSignedIn(req.headers.cookie));
    }
    return fn();
  }
}

export async function file(req: FastifyRequest, reply: FastifyReply, webDir: string, rel: string): Promise<FastifyReply> {
  if (!existsSync(`${webDir}/index.html`)) return page(reply, 503, 'Not built', 'the web UI is not built (npm run build)');
  const result = await send(req.raw, encodeURI(rel), { root: webDir, dotfiles: 'deny', index: false, etag: true, lastModified: true, cacheControl: false });
  if (result.type === 'error' || result.type === 'directory') {
    result.stream.destroy();
    if (result.statusCode === 304 || result.statusCode === 412) return reply.code(result.statusCode).headers(PAGE_HEADERS).send();
    return page(reply, 404, 'Not found', 'There is no such file in the web UI.');
  }
  const ext = /\.([a-z0-9]+)$/.exec(rel)?.[1] ?? '';
  const immutable = rel.startsWith('assets/') && HASHED_NAME.test(rel);
  return reply.code(result.statusCode).headers(result.headers).headers(PAGE_HEADERS)
    .header('content-type', TYPES[ext] ?? 'application/octet-stream')
    .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .send(result.stream);
}

/** "Not signed in", and why (REASON, in the words the web app uses too; WHY: other words for it), and what to do. */
function unauthorized(reply: FastifyReply, reason: SignedOutReason, why?: string): FastifyReply {
  const said = SIGNED_OUT[reason];
  return page(reply, 401, 'Not signed in', `${withCode(why ?? said.why)}</p>\n<p>${withCode(said.next)}`, reason);
}

/**
 * The look of the pages below: a phone's width (the viewport says so), the system's font at a
 * size read without zooming, long words wrapped. Allowed by its hash alone: the policy lets no
 * other inline style in.
 */
const PAGE_STYLE = ':root{color-scheme:light dark}body{margin:0 auto;max-width:40rem;padding:1rem 1.25rem;font:17px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:anywhere}h1{font-size:1.5rem;line-height:1.25}code{font-size:.95em}';
const PAGE_CSP = APP_CSP.replace("style-src 'self'", `style-src 'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`);

/**
 * A short HTML page (no script): the UI's answer where the app cannot be shown, sized for a phone
 * as for a desktop. REASON: why the browser is not signed in, for a page that says so (`data-reason`).
 */
export function page(reply: FastifyReply, status: number, title: string, html: string, reason?: SignedOutReason): FastifyReply {
  return reply.code(status).headers(PAGE_HEADERS).header('content-security-policy', PAGE_CSP).header('cache-control', 'no-store').type('text/html; charset=utf-8')
    .send(`<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>vss: ${title}</title><style>${PAGE_STYLE}</style></head>\n<body${reason ? ` data-reason="${reason}"` : ''}><h1>${title}</h1><p>${html}</p></body></html>\n`);
}

/** TEXT escaped, its `quoted` parts (commands) as code. */
function withCode(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Which of URLS (the web app's addresses) ADDRESS names: by its host, an address or a name, with
 * or without its port. Asked before a ticket is made: an address the daemon does not serve is a
 * usage error naming those it does.
 */
function chooseAddress(urls: readonly string[], address: string): number {
  const want = address.trim().toLowerCase();
  const bare = (host: string) => host.replace(/^\[|\]$/g, '');
  const i = urls.findIndex((u) => {
    const { host, hostname } = new URL(u);
    return host === want || bare(hostname) === bare(want);
  });
  if (i < 0) throw new VssError('USAGE', `the web app is not served at ${address}: choose one of ${urls.map((u) => new URL(u).hostname).join(', ')}`);
  return i;
}
