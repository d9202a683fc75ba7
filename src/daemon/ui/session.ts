import { createHash, randomBytes } from 'node:crypto';
import type { SignedOutReason } from '../../api/remote/signed-out.js';
import { VssError } from '../../core/errors.js';
import { tokenMatches } from '../../api/remote/token.js';
import { browserName, type BrowserDevice, type BrowserDevices, type BrowserRights } from '../../device/browser-devices.js';
import { scopeOf, type Guest, type Share, type ShareBook } from '../../device/shares.js';

/** What a pairing address was made with (`vss ui pair --name --uploads-to --may`). */
export interface PairAsked {
  name?: string;
  may?: BrowserRights;
  uploads_to?: BrowserDevice['uploads_to'];
}

/**
 * The web UI's browser sessions (DESIGN §12, issue 11). The daemon's bearer token never reaches
 * a browser: `vss ui` asks the daemon (with the token, over its socket) for a ticket, a random
 * secret good for one sign-in within a minute, and prints `/ui/?ticket=T`. Opening it burns the
 * ticket and starts a session: another random secret, in an HttpOnly, SameSite=Strict cookie,
 * that authenticates the app's requests. Tickets and sessions live in the daemon's memory only,
 * so a restart signs every browser out (the page then says to run `vss ui` again).
 *
 * A cookie is sent by the browser on its own, and SameSite counts every 127.0.0.1 port as the
 * same site, so a request the cookie alone authenticates must also say it comes from the app's
 * own origin (`Sec-Fetch-Site: same-origin`; `none`, a typed address or a bookmark, for the app's
 * page only), and one that changes something must carry `X-VSS-UI: 1` besides.
 */
export const SESSION_COOKIE = 'vss_session';
export const UI_HEADER = 'x-vss-ui';

export const SESSION_LIMITS = {
  /** A ticket is for the browser `vss ui` is about to open: a minute is plenty. */
  ticketMs: 60_000,
  /** A pairing address (`vss ui pair`) is typed or scanned on a phone: five minutes. */
  pairMs: 5 * 60_000,
  /** Pairing addresses made in any ten minutes, at most (more is not a person pairing a phone). */
  pairsPerWindow: 10,
  pairWindowMs: 10 * 60_000,
  /** Sign-ins with a ticket that is not live, in any minute on one side, before the next dead ones are answered 429 (guessing; a live one still signs in). */
  failedPerMinute: 20,
  /** Live tickets at most; minting one more drops the oldest. */
  tickets: 64,
  /** A session ends after this long unused (each request it authenticates starts the time again), or at a restart. */
  sessionIdleMs: 12 * 60 * 60_000,
  /** Sessions at most; starting one more ends the one used longest ago. */
  sessions: 256,
} as const;

/** Tickets and session secrets: 32 random bytes, base64url. */
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface Ticket {
  ticket: string;
  /** ISO time after which the ticket no longer signs in. */
  expires_at: string;
}

/**
 * The cookie's name for the daemon holding TOKEN: `vss_session_` and 8 hex digits of the token's
 * SHA-256. Browsers share cookies across ports, so two daemons on one machine (two instances)
 * would otherwise overwrite each other's session; the token outlives restarts (unlike the port),
 * so a new sign-in replaces the old cookie rather than adding one; the digest reveals nothing.
 */
export function sessionCookieName(token: string): string {
  return `${SESSION_COOKIE}_${digest(token).slice(0, 8)}`;
}

/** The value of cookie NAME in a Cookie header, if there is one of a secret's shape. */
export function sessionCookie(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    if (SECRET_SHAPE.test(value)) return value;
  }
  return undefined;
}

/** GET and HEAD change nothing: without X-VSS-UI the cookie may authenticate only them. */
export function needsUiHeader(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

/**
 * Why a request the cookie authenticates is refused for where it comes from, or null when it may
 * pass. SEC_FETCH_SITE: its Sec-Fetch-Site header (browsers set it; a page cannot). A navigation
 * to the app's page may also come from nowhere (`none`: typed, a bookmark, the desktop's opener).
 */
export function refusedOrigin(secFetchSite: string | string[] | undefined, page: boolean): string | null {
  if (secFetchSite === 'same-origin' || (page && secFetchSite === 'none')) return null;
  const seen = typeof secFetchSite === 'string' ? `Sec-Fetch-Site: ${secFetchSite.slice(0, 40)}` : 'no Sec-Fetch-Site';
  return `the session cookie is honoured only on requests from the web UI's own page (this one has ${seen})`;
}

/** The tickets and sessions of one daemon, in its memory. Secrets are kept as their digests. */
export class UiSessions {
  /** Ticket digest → expiry (ms), and for a pairing address the browser device it makes; in order of issue. */
  private readonly tickets = new Map<string, { expires: number; pair?: PairAsked }>();
  /** The browsers paired with this device (their sessions outlive a restart), once the daemon has them. */
  private browsers: BrowserDevices | undefined;
  /** This machine's sessions (`vss ui`'s tickets sign in on loopback only): digest → last use (ms), least recently used first. */
  private readonly sessions = new Map<string, number>();
  readonly cookieName: string;

  constructor(token: string, private readonly now: () => number = Date.now) {
    this.cookieName = sessionCookieName(token);
  }

  /** When pairing addresses were made (ms), in the last window. */
  private pairs: number[] = [];
  /** When a sign-in with a ticket that was not live was tried (ms), in the last minute, on each side. */
  private failed = { lan: [] as number[], here: [] as number[] };

  /** Pairing addresses make browser devices, kept in BROWSERS from now on. */
  keepBrowsers(browsers: BrowserDevices): void {
    this.browsers = browsers;
  }

  /** The albums shared by a link (issue 61), whose guests' sessions sign them in to their album only. */
  private shares: ShareBook | undefined;
  keepShares(shares: ShareBook): void {
    this.shares = shares;
  }

  /**
   * A browser opens a share's link (SECRET, with PASSWORD where it has one), on the home network
   * (LAN) or this machine's address, or through the relay box with the key PEERID: its session's
   * secret (none for one through the box: its key signs it in) and the share, or why not. Links
   * that open nothing are counted as dead tickets are: past a few a minute, 'limited'.
   */
  openShare(secret: string, password: string | undefined, lan: boolean, peerId?: string): { session: string; share: Share; guest: Guest } | 'unknown' | 'ended' | 'password' | 'full' | 'limited' {
    if (!this.shares) return 'unknown';
    const t = this.now();
    // A live link always opens (as a live ticket signs in): guessing cannot lock a guest out.
    const opened = this.shares.open(secret, password, lan, peerId, new Date(t));
    if (typeof opened !== 'string') return opened;
    return this.failedNow(lan || peerId !== undefined ? 'lan' : 'here', t) ?? opened;
  }

  /** A credential that was not live was tried on SIDE at T: 'limited' past a few a minute (answered 429), else counted. */
  private failedNow(side: 'lan' | 'here', t: number): 'limited' | null {
    this.failed[side] = this.failed[side].filter((at) => t - at < 60_000);
    if (this.failed[side].length >= SESSION_LIMITS.failedPerMinute) return 'limited';
    this.failed[side].push(t);
    return null;
  }

  /** The guest of a live share with ID (a bridged request's, through the relay box). */
  guestById(id: string): BrowserDevice | undefined {
    const g = this.shares?.byGuestId(id, new Date(this.now()));
    return g && guestDevice(g.share, g.guest);
  }

  /** A new single-use ticket; PAIR: a pairing address's, making a browser device (five minutes, a bounded number of them). */
  issueTicket(pair?: PairAsked): Ticket {
    if (pair && !this.browsers) throw new VssError('UNAVAILABLE', 'this daemon cannot pair a browser yet (it is starting)');
    if (pair?.name !== undefined) browserName(pair.name);
    const t = this.now();
    if (pair) {
      this.pairs = this.pairs.filter((at) => t - at < SESSION_LIMITS.pairWindowMs);
      if (this.pairs.length >= SESSION_LIMITS.pairsPerWindow) {
        throw new VssError('UNAVAILABLE', `${SESSION_LIMITS.pairsPerWindow} pairing addresses were made in the last ${SESSION_LIMITS.pairWindowMs / 60_000} minutes: wait, then make another`);
      }
      this.pairs.push(t);
    }
    for (const [k, { expires }] of this.tickets) if (expires <= t) this.tickets.delete(k);
    while (this.tickets.size >= SESSION_LIMITS.tickets) this.tickets.delete(this.tickets.keys().next().value!);
    const ticket = randomBytes(32).toString('base64url');
    const expires = t + (pair ? SESSION_LIMITS.pairMs : SESSION_LIMITS.ticketMs);
    this.tickets.set(digest(ticket), { expires, ...(pair ? { pair } : {}) });
    return { ticket, expires_at: new Date(expires).toISOString() };
  }

  /**
   * Burn TICKET: a new session's secret if it was live, else null (unknown, used, expired, or a
   * desktop's ticket opened from the network: those sign in this machine's browser only, and stay
   * live for it). 'limited' answers a dead ticket while more than a few failed on this side in
   * the last minute: a live ticket always signs in, so guessing cannot lock the user out.
   */
  redeem(ticket: string, lan = false): string | null | 'limited' {
    const t = this.now();
    const key = SECRET_SHAPE.test(ticket) ? digest(ticket) : undefined;
    const live = key === undefined ? undefined : this.tickets.get(key);
    if (live === undefined || live.expires <= t || (lan && !live.pair)) {
      if (key !== undefined && live !== undefined && live.expires <= t) this.tickets.delete(key);
      return this.failedNow(lan ? 'lan' : 'here', t);
    }
    this.tickets.delete(key!);
    const secret = randomBytes(32).toString('base64url');
    if (live.pair) {
      // A browser device: its session is kept with it, so it outlives a restart until revoked.
      this.browsers!.add({ ...live.pair, lan, session: digest(secret) }, new Date(t));
      return secret;
    }
    while (this.sessions.size >= SESSION_LIMITS.sessions) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(digest(secret), t);
    return secret;
  }

  /**
   * Burn TICKET for the browser whose key has PEERID (paired away from home, through the relay
   * box: issue 46 item 4): the browser device made, or null / 'limited' as `redeem`. Only a
   * pairing address's ticket pairs so; no cookie comes of it (the key signs the browser in).
   */
  redeemAway(ticket: string, peerId: string): BrowserDevice | null | 'limited' {
    const t = this.now();
    const key = SECRET_SHAPE.test(ticket) ? digest(ticket) : undefined;
    const live = key === undefined ? undefined : this.tickets.get(key);
    if (live === undefined || live.expires <= t || !live.pair) {
      return this.failedNow('lan', t);
    }
    this.tickets.delete(key!);
    // No cookie signs it in: its session is a secret no one holds.
    return this.browsers!.add({ ...live.pair, lan: false, session: digest(randomBytes(32).toString('base64url')), peer_id: peerId }, new Date(t));
  }

  /** The paired browser with ID (a bridged request's, p2p-http.ts): undefined once revoked. */
  browserById(id: string): BrowserDevice | undefined {
    const d = this.browsers?.find(id);
    return d?.id === id ? d : undefined;
  }

  /** Whether a pairing address is live now: a browser not paired yet may then come in through the relay box to pair. */
  pairingOpen(): boolean {
    const t = this.now();
    for (const { expires, pair } of this.tickets.values()) if (pair && expires > t) return true;
    return false;
  }

  /** Whether SECRET (just redeemed) is a paired browser's: its cookie is then kept by the browser. */
  isBrowserDevice(secret: string): boolean {
    return this.browsers?.bySession(digest(secret)) !== undefined;
  }

  /** Whether the Cookie header holds a value for this daemon's session cookie (live or not). */
  presented(cookieHeader: string | undefined): boolean {
    return sessionCookie(cookieHeader, this.cookieName) !== undefined;
  }

  /**
   * Whether the Cookie header holds a live session of this daemon begun on the same side (LAN: the
   * home network; a session begun there never counts on this machine's own address, nor the other
   * way); using it keeps it alive.
   */
  authenticates(cookieHeader: string | undefined, lan = false): boolean {
    return this.signedIn(cookieHeader, lan) !== undefined;
  }

  /**
   * Who the Cookie header signs in, as `authenticates` judges it: this machine's user (a session of
   * `vss ui`'s: BROWSER null), or a paired browser device (which may do what its rights say).
   */
  signedIn(cookieHeader: string | undefined, lan = false): { browser: BrowserDevice | null } | undefined {
    const secret = sessionCookie(cookieHeader, this.cookieName);
    if (secret === undefined) return undefined;
    const key = digest(secret);
    const device = this.browsers?.bySession(key);
    if (device) {
      if (device.lan !== lan) return undefined;
      this.browsers!.noteSeen(device.id, new Date(this.now()));
      return { browser: device };
    }
    if (this.ownerSession(key, lan)) return { browser: null };
    // A guest of a shared album, while its share lives (revoked or expired: from this request on, no one).
    const guest = this.shares?.bySession(key, new Date(this.now()));
    return guest && guest.guest.lan === lan ? { browser: guestDevice(guest.share, guest.guest) } : undefined;
  }

  /**
   * Why the Cookie header signs no one in (asked once `signedIn` said so): no session cookie
   * ('none'), the session of a browser revoked here ('revoked'), or one that ended ('expired').
   * Read from the cookie the request brought alone: it tells that party nothing more.
   */
  whyNotSignedIn(cookieHeader: string | undefined): Exclude<SignedOutReason, 'ticket'> {
    const secret = sessionCookie(cookieHeader, this.cookieName);
    if (secret === undefined) return 'none';
    return this.browsers?.wasRevoked(digest(secret)) ? 'revoked' : this.shares?.ended(digest(secret), this.now()) ?? 'expired';
  }

  /** Whether the Cookie header holds the session of a guest whose shared album is no longer shared (expired or revoked). */
  endedShare(cookieHeader: string | undefined): boolean {
    const secret = sessionCookie(cookieHeader, this.cookieName);
    return secret !== undefined && this.shares?.ended(digest(secret), this.now()) !== undefined;
  }

  /** Whether KEY is a live session of `vss ui`'s, asked on this machine's side (never the network's); using it keeps it alive. */
  private ownerSession(key: string, lan: boolean): boolean {
    const used = lan ? undefined : this.sessions.get(key);
    if (used === undefined) return false;
    this.sessions.delete(key);
    const t = this.now();
    if (t - used >= SESSION_LIMITS.sessionIdleMs) return false;
    this.sessions.set(key, t);
    return true;
  }

  /**
   * The Set-Cookie value for SECRET: this origin's every path, never to scripts or other sites;
   * SECURE: sent over HTTPS only; KEPT: a paired browser's, kept by the browser across its restarts
   * (400 days, the most browsers keep one) where it is SECURE; else gone when the browser closes.
   */
  setCookie(secret: string, secure = false, kept = false): string {
    // Over plain HTTP (`--lan-http`) a paired browser's cookie is not kept past the browser's session: it crosses the network in the clear.
    return `${this.cookieName}=${secret}; HttpOnly;${secure ? ' Secure;' : ''} SameSite=Strict; Path=/${kept && secure ? `; Max-Age=${400 * 86_400}` : ''}`;
  }

  /** Live counts (tests, bounds). */
  counts(): { tickets: number; sessions: number } {
    return { tickets: this.tickets.size, sessions: this.sessions.size };
  }
}

/**
 * Whether a request is this machine's user's: the daemon's TOKEN (its Authorization), or a session of
 * `vss ui`'s on this machine's own address (never the network's, never a paired browser or a guest).
 */
export function isOwnerRequest(headers: { authorization?: string; cookie?: string }, token: string, sessions: UiSessions, lan: boolean): boolean {
  const m = /^Bearer +(\S+) *$/i.exec(headers.authorization ?? '');
  if (m) return tokenMatches(m[1]!, token);
  return !lan && sessions.signedIn(headers.cookie, false)?.browser === null;
}

/** A guest of SHARE as the server's checks take a browser: no right of a paired browser's, its share's scope instead. */
function guestDevice(share: Share, g: Guest): BrowserDevice {
  return {
    id: g.id, name: 'a guest of a shared album', paired_at: g.opened_at, last_seen: g.last_seen, lan: g.lan, session: g.session,
    may: { view: false, upload: false, organise: false, files: false }, uploads_to: null, share: scopeOf(share), ...(g.peer_id !== undefined ? { peer_id: g.peer_id } : {}),
  };
}

/** Map lookups by the digest of a presented secret: the comparison never runs on the secret itself. */
function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
