import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UUID_RE, VssError, type LibraryApi } from '../../api/index.js';
import { OPERATIONS, type ErrorBody } from '../../api/remote/protocol.js';
import { DEFAULT_SHARE_MS, isLive, shareDuration, type Share, type ShareBook } from '../../device/shares.js';
import type { ShareItem, ShareMade, SharedAlbumView } from '../../wire/shares.js';
import { partyOf } from '../request-party.js';
import { answer, serveOriginal, serveSidecar } from '../routes/files.js';
import { isOwnerRequest, type UiSessions } from './session.js';
import { guestKindOf } from '../../sidecars/kinds.js';
import type { UiMe } from './static.js';
import { sharePage } from './share-page.js';

const CHECKSUM_RE = /^[0-9a-f]{1,128}$/;

export interface ShareRouteOptions {
  token: string;
  sessions: UiSessions;
  shares: () => ShareBook;
  /** The library with id ID (or the current one) as the daemon holds it open. */
  library: (id?: string) => LibraryApi;
  viaLan: (req: import('node:http').IncomingMessage) => boolean;
  /** Where the web app is served: the home network's addresses first (as pairing addresses are made). */
  base: () => { urls: string[] } | undefined;
  /** The relay box's web app this device holds a slot on, and this device's peer id (a link that works away from home). */
  away: () => { url: string; peerId: string } | undefined;
  /** A share was made or ended: the relay box is told whom to carry. */
  changed: () => void;
  /** End every connection the guest ID has open. */
  endGuest: (id: string) => void;
}

/**
 * Albums shared by a link (issue 61). This machine's user makes, lists and ends shares (the bearer
 * token or `vss ui`'s session, never a paired browser or a guest). A guest opens the link — its
 * secret in the address's fragment, which a browser never sends anywhere, posted by the app — and
 * gets a session whose requests reach that album alone, read as it is at each request: the album's
 * title and photos, their pictures, and originals when the share allows downloads. No answer holds
 * a path, a file's name, a device's or the library's name.
 */
export function registerShareRoutes(app: FastifyInstance, o: ShareRouteOptions): void {
  const owner = (req: FastifyRequest): boolean => isOwnerRequest(req.headers, o.token, o.sessions, o.viaLan(req.raw));
  const refuse = (reply: FastifyReply) => reply.code(403).send({ error: { code: 'FORBIDDEN', message: 'albums are shared from this machine only: `vss album share`, or Albums in the web app opened by `vss ui`' } } satisfies ErrorBody);

  app.post(OPERATIONS.sharesCreate.path, (req, reply) => {
    if (!owner(req)) return refuse(reply);
    const b = (req.body ?? {}) as Record<string, unknown>;
    for (const k of ['album', 'library', 'expires', 'password', 'by'] as const) if (b[k] !== undefined && typeof b[k] !== 'string') throw new VssError('USAGE', `${k} must be a string`);
    for (const k of ['download', 'upload', 'make_password'] as const) if (b[k] !== undefined && typeof b[k] !== 'boolean') throw new VssError('USAGE', `${k} must be true or false`);
    if (typeof b.album !== 'string' || b.album === '') throw new VssError('USAGE', 'name the album to share');
    const lib = o.library(b.library as string | undefined);
    const album = lib.albums.resolve(b.album);
    const made = b.make_password === true ? madePassword() : undefined;
    const password = (b.password as string | undefined) ?? made;
    const by = b.by as string | undefined;
    if (by !== undefined && (by.trim() === '' || by.length > 64 || /\p{Cc}/u.test(by))) throw new VssError('USAGE', 'who shares it (--by) is 1 to 64 characters');
    // Guests' photos land in a folder named for the share, in this device's first location, then join the album.
    let uploadsDir: string | null = null;
    if (b.upload === true) {
      try {
        uploadsDir = lib.uploads.defaultFolder(`Shared - ${album.name}`);
      } catch (err) {
        throw new VssError('USAGE', `--upload needs a folder for the guests' photos: ${(err as Error).message}`);
      }
    }
    const { share, secret } = o.shares().create({
      library: lib.id, album: album.uuid, album_name: album.name, forMs: b.expires !== undefined ? shareDuration(b.expires as string) : DEFAULT_SHARE_MS,
      download: b.download === true, upload: b.upload === true, uploads_dir: uploadsDir, by: by?.trim() ?? null, password: password ?? null,
    });
    o.changed();
    // The secret travels in the fragment: never sent to a server by a browser, never in a log or a Referer.
    // Here, the link's own page (`/ui/shared`); on the relay box, the app itself, which opens it through the box (web/src/away/away-page.ts).
    const fragment = `#share=${encodeURIComponent(secret)}`;
    const away = o.away();
    const urls = [...(o.base()?.urls ?? []).map((u) => `${u}shared${fragment}`), ...(away ? [`${away.url}${fragment}&home=${encodeURIComponent(away.peerId)}`] : [])];
    const answer: ShareMade = { share_id: share.id, url: urls[0] ?? '', urls, expires_at: share.expires_at, ...(made !== undefined ? { password: made } : {}) };
    return reply.header('cache-control', 'no-store').send(answer);
  });

  app.get(OPERATIONS.sharesList.path, (req, reply) => {
    if (!owner(req)) return refuse(reply);
    return reply.header('cache-control', 'no-store').send(o.shares().list().map(itemOf));
  });

  app.post(OPERATIONS.sharesRevoke.path, (req, reply) => {
    if (!owner(req)) return refuse(reply);
    const b = (req.body ?? {}) as { id?: unknown; album?: unknown; library?: unknown };
    const book = o.shares();
    let ended: Share[];
    if (typeof b.id === 'string') {
      const s = book.find(b.id);
      if (!s) throw new VssError('NOT_FOUND', `no share ${JSON.stringify(b.id.slice(0, 80))} (vss shares list)`);
      ended = [s];
    } else if (typeof b.album === 'string') {
      const album = o.library(typeof b.library === 'string' ? b.library : undefined).albums.resolve(b.album);
      ended = book.list().filter((s) => s.album === album.uuid && isLive(s));
      if (ended.length === 0) throw new VssError('NOT_FOUND', `album ${album.name} is not shared`);
    } else throw new VssError('USAGE', 'name a share (id) or an album');
    for (const s of ended) {
      book.revoke(s.id);
      for (const g of s.guests) o.endGuest(g.id);
    }
    o.changed();
    return reply.send(ended.map((s) => itemOf(book.find(s.id) ?? s)));
  });

  // The link's page: no session needed (the secret, in the fragment, is posted by its script).
  app.get('/ui/shared', (_req, reply) => sharePage(reply));

  app.post(OPERATIONS.shareOpen.path, (req, reply) => {
    const b = (req.body ?? {}) as { secret?: unknown; password?: unknown };
    if (typeof b.secret !== 'string' || (b.password !== undefined && typeof b.password !== 'string')) throw new VssError('USAGE', 'a shared album is opened with its link\'s secret (and its password, where it has one)');
    const peer = req.headers['x-vss-bridge-peer'];
    const lan = o.viaLan(req.raw);
    const opened = o.sessions.openShare(b.secret, b.password as string | undefined, lan, typeof peer === 'string' ? peer : undefined);
    const no = (status: number, code: string, message: string, reason?: string) => reply.code(status).header('cache-control', 'no-store').send({ error: { code, message, ...(reason ? { reason } : {}) } });
    if (opened === 'limited') return no(429, 'UNAVAILABLE', 'too many links that open nothing were tried in the last minute: wait a minute');
    if (opened === 'unknown') return no(401, 'UNAUTHORIZED', 'this link opens nothing here: ask for a new one', 'expired');
    if (opened === 'ended') return no(401, 'UNAUTHORIZED', 'this album is no longer shared: the link expired or was revoked', 'revoked');
    if (opened === 'password') return no(401, 'UNAUTHORIZED', 'this album is shared with a password: type the one you were given', 'password');
    if (opened === 'full') return no(409, 'PAIRING', 'this link was opened by as many browsers as a share allows: ask for a new one');
    o.changed();
    const me: UiMe = { view_only: true, browser: null };
    const secure = (req.raw.socket as { encrypted?: boolean }).encrypted === true;
    if (opened.session !== '') void reply.header('set-cookie', o.sessions.setCookie(opened.session, secure, true));
    return reply.header('cache-control', 'no-store').send({ ...me, share_id: opened.share.id });
  });

  // The guest's own: the server's hook let only a guest's session (or this machine's user) in.
  const scope = (req: FastifyRequest) => {
    const s = partyOf(req.raw).browser?.share;
    if (!s) throw new VssError('USAGE', 'this is a shared album\'s page: open its link');
    return { s, lib: () => o.library(s.library) };
  };

  app.get(OPERATIONS.shareView.path, (req, reply) => {
    const { s, lib } = scope(req);
    const share = o.shares().find(s.id)!;
    const { title, items } = lib().albums.shared(s.album);
    const view: SharedAlbumView = { share_id: s.id, title, by: share.by, expires_at: share.expires_at, download: s.download, upload: s.upload, items };
    return reply.header('cache-control', 'no-store').send(view);
  });

  app.get(OPERATIONS.shareThumb.path, (req, reply) => answer(reply, async () => {
    const { s, lib } = scope(req);
    const { uuid, variant } = req.params as { uuid: string; variant: string };
    const v = (req.query as { v?: unknown }).v;
    // What a guest may look at of a photo (the kinds' specs say: thumbnails, the viewer's picture, a video's proxy).
    const kind = guestKindOf(variant);
    if (!UUID_RE.test(uuid) || kind === undefined || (v !== undefined && (typeof v !== 'string' || !CHECKSUM_RE.test(v)))) throw new VssError('USAGE', 'not a picture of this album');
    if (!lib().albums.sharedHolds(s.album, uuid)) return notShared(reply);
    return serveSidecar(req, reply, lib, uuid, kind, variant, v as string | undefined);
  }));

  app.get(OPERATIONS.shareOriginal.path, (req, reply) => answer(reply, async () => {
    const { s, lib } = scope(req);
    const { uuid } = req.params as { uuid: string };
    if (!UUID_RE.test(uuid)) throw new VssError('USAGE', 'not a photo of this album');
    if (!s.download) return reply.code(403).send({ error: { code: 'FORBIDDEN', message: 'this album is shared to be looked at: its originals are not for download' } } satisfies ErrorBody);
    if (!lib().albums.sharedHolds(s.album, uuid)) return notShared(reply);
    return serveOriginal(req, reply, lib, uuid, undefined);
  }));
}

/** Not in the album (any more): 403, the same whether such a content exists or not. */
function notShared(reply: FastifyReply): FastifyReply {
  return reply.code(403).send({ error: { code: 'FORBIDDEN', message: 'not a photo of this album' } } satisfies ErrorBody);
}

function itemOf(s: Share): ShareItem {
  const seen = s.guests.map((g) => g.last_seen).sort();
  return {
    share_id: s.id, album: s.album_name, album_id: s.album, created_at: s.created_at, expires_at: s.expires_at,
    state: s.revoked_at !== null ? 'revoked' : isLive(s) ? 'live' : 'expired', download: s.download, upload: s.upload, password: s.password !== null,
    browsers: s.guests.length, last_opened: seen.at(-1) ?? null,
  };
}

/** A password for a share, when asked for one without giving it: four short words' worth of randomness. */
function madePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('').replace(/(.{4})(?!$)/g, '$1-');
}
