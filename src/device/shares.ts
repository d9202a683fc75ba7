import { createHash, randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VssError } from '../core/errors.js';
import { writeFileAtomicSync } from '../core/fs-atomic.js';

/**
 * Albums shared by a link (issue 61): each a scoped, expiring grant that any browser holding the
 * link may open, kept in `<dataDir>/shares.json` (owner-only, replaced atomically) so a share and
 * the browsers that opened it outlive the daemon's restarts. The link's secret and each guest's
 * session are kept as their SHA-256, never themselves; a password as a salted scrypt hash. A
 * share ends at its expiry or when revoked: from the next request on, its guests are refused.
 */
export interface Share {
  id: string;
  /** The library the album is in (its id), and the album (its uuid, and its name when shared). */
  library: string;
  album: string;
  album_name: string;
  /** The SHA-256 (hex) of the link's secret. */
  secret: string;
  created_at: string;
  expires_at: string;
  /** Guests may fetch the originals (else thumbnails and the viewer's pictures only). */
  download: boolean;
  /** Guests may add photos to the album: they land in UPLOADS_DIR (a folder named for the share, in a location), then join the album. */
  upload: boolean;
  uploads_dir?: string | null;
  /** Who shared it, as the sharer gave it (null: not said). */
  by: string | null;
  password: { salt: string; hash: string } | null;
  revoked_at: string | null;
  guests: Guest[];
}

/** A browser that opened a share. */
export interface Guest {
  id: string;
  /** The SHA-256 (hex) of its session secret. */
  session: string;
  opened_at: string;
  last_seen: string;
  /** Opened over the home network (its session counts there only), or this machine's own address. */
  lan: boolean;
  /** Opened through the relay box: its browser key's peer id. */
  peer_id?: string;
}

/** What a guest's requests may reach: its share's album, as it is at each request. */
export interface ShareScope {
  id: string;
  library: string;
  album: string;
  download: boolean;
  upload: boolean;
}

export const SHARES_FILE = 'shares.json';
export const MAX_SHARES = 256;
/** Browsers one share may be opened by: a family, a class, a wedding's guests. */
export const MAX_GUESTS = 128;
/** The longest a share may last (a year); the default is a week. */
export const MAX_SHARE_MS = 365 * 24 * 3600_000;
export const DEFAULT_SHARE_MS = 7 * 24 * 3600_000;
const SEEN_EVERY_MS = 60_000;
const FILE_VERSION = 1;
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const HEX64 = /^[0-9a-f]{64}$/;

export type Opened = { guest: Guest; share: Share; session: string } | 'unknown' | 'ended' | 'password' | 'full';

export class ShareBook {
  /** Each guest's share, by its session's digest: looked up at every request a cookie brings. */
  private sessions = new Map<string, string>();

  private constructor(readonly path: string, private shares: Share[]) {
    this.index();
  }

  private index(): void {
    this.sessions = new Map(this.shares.flatMap((s) => s.guests.map((g) => [g.session, s.id] as const)));
  }

  static load(dataDir: string): ShareBook {
    const path = join(dataDir, SHARES_FILE);
    return new ShareBook(path, existsSync(path) ? parseFile(path) : []);
  }

  list(): Share[] {
    return this.shares.map((s) => copy(s));
  }

  /** A new share of ALBUM in LIBRARY for FORMS from NOW; the link's secret (shown once, kept only as its digest). */
  create(o: { library: string; album: string; album_name: string; forMs: number; download: boolean; upload: boolean; uploads_dir?: string | null; by?: string | null; password?: string | null }, now = new Date()): { share: Share; secret: string } {
    if (!Number.isFinite(o.forMs) || o.forMs <= 0 || o.forMs > MAX_SHARE_MS) throw new VssError('USAGE', 'a share lasts up to a year (--expires 7d, 12h, 30m)');
    const live = this.shares.filter((s) => isLive(s, now.getTime()));
    if (live.length >= MAX_SHARES) throw new VssError('USAGE', `${MAX_SHARES} shares are live already: revoke one (vss shares revoke ID)`, { path: this.path });
    if (o.password !== undefined && o.password !== null && (o.password.length < 4 || o.password.length > 256)) throw new VssError('USAGE', 'a share\'s password is 4 to 256 characters');
    const secret = randomBytes(32).toString('base64url');
    const salt = randomBytes(16).toString('hex');
    const share: Share = {
      id: randomUUID(), library: o.library, album: o.album, album_name: o.album_name, secret: digest(secret),
      created_at: now.toISOString(), expires_at: new Date(now.getTime() + o.forMs).toISOString(), download: o.download, upload: o.upload, uploads_dir: o.upload ? o.uploads_dir ?? null : null,
      by: o.by ?? null, password: o.password ? { salt, hash: scrypt(o.password, salt) } : null, revoked_at: null, guests: [],
    };
    // Ended shares are kept a while for `shares list` to say so, then dropped: the file stays small.
    const kept = this.shares.filter((s) => now.getTime() - endOf(s) < 30 * 24 * 3600_000);
    this.save([...kept, share]);
    return { share: copy(share), secret };
  }

  /** The share REF names (its id or the start of it only one has). */
  find(ref: string): Share | undefined {
    const hits = this.shares.filter((s) => s.id === ref || (ref.length >= 4 && s.id.startsWith(ref)));
    return hits.length === 1 ? copy(hits[0]!) : undefined;
  }

  /** End share ID now: its guests are refused from their next request on. The share as it was, or undefined. */
  revoke(id: string, now = new Date()): Share | undefined {
    const s = this.shares.find((x) => x.id === id);
    if (!s) return undefined;
    if (s.revoked_at === null) this.save(this.shares.map((x) => (x === s ? { ...s, revoked_at: now.toISOString() } : x)));
    return copy(s);
  }

  /** A browser opens the link whose secret is SECRET (with PASSWORD where the share has one): its guest and session secret, or why not. */
  open(secret: string, password: string | undefined, lan: boolean, peerId?: string, now = new Date()): Opened {
    if (!SECRET_SHAPE.test(secret)) return 'unknown';
    const key = digest(secret);
    const s = this.shares.find((x) => timingSafeEqual(Buffer.from(x.secret), Buffer.from(key)));
    if (!s) return 'unknown';
    if (!isLive(s, now.getTime())) return 'ended';
    if (s.password && (password === undefined || password.length > 256 || !timingSafeEqual(Buffer.from(scrypt(password, s.password.salt), 'hex'), Buffer.from(s.password.hash, 'hex')))) return 'password';
    if (peerId !== undefined) {
      const again = s.guests.find((g) => g.peer_id === peerId);
      if (again) return { guest: { ...again }, share: copy(s), session: '' };
    }
    if (s.guests.length >= MAX_GUESTS) return 'full';
    const session = randomBytes(32).toString('base64url');
    const guest: Guest = { id: randomUUID(), session: digest(session), opened_at: now.toISOString(), last_seen: now.toISOString(), lan, ...(peerId !== undefined ? { peer_id: peerId } : {}) };
    this.save(this.shares.map((x) => (x === s ? { ...s, guests: [...s.guests, guest] } : x)));
    return { guest, share: copy({ ...s, guests: [...s.guests, guest] }), session };
  }

  /** The live share and guest whose session's digest is SESSIONDIGEST (a request's cookie), seen now. */
  bySession(sessionDigest: string, now = new Date()): { share: Share; guest: Guest } | undefined {
    if (!this.sessions.has(sessionDigest)) return undefined;
    return this.seen((g) => g.session === sessionDigest, now);
  }

  /** The live share and guest with guest id ID (a bridged request's, through the relay box). */
  byGuestId(id: string, now = new Date()): { share: Share; guest: Guest } | undefined {
    return this.seen((g) => g.id === id, now);
  }

  /** The guest that opened a share through the relay box with the key PEERID, while its share is live. */
  byPeerId(peerId: string, now = new Date()): { share: Share; guest: Guest } | undefined {
    return this.seen((g) => g.peer_id === peerId, now);
  }

  /** The peer ids of live shares' guests away from home (the relay box carries them to this device). */
  peerIds(now = Date.now()): string[] {
    return this.shares.filter((s) => isLive(s, now)).flatMap((s) => s.guests.flatMap((g) => (g.peer_id !== undefined ? [g.peer_id] : [])));
  }

  /** Whether any share is live now (a stranger holding a link may then come in through the relay box to open it). */
  anyLive(now = Date.now()): boolean {
    return this.shares.some((s) => isLive(s, now));
  }

  /** Whether the digest is of a guest's session whose share ended (said to the browser: it was not merely signed out). */
  ended(sessionDigest: string, now = Date.now()): 'revoked' | 'expired' | undefined {
    const s = this.shares.find((x) => x.guests.some((g) => g.session === sessionDigest));
    if (!s || isLive(s, now)) return undefined;
    return s.revoked_at !== null ? 'revoked' : 'expired';
  }

  private seen(match: (g: Guest) => boolean, now: Date): { share: Share; guest: Guest } | undefined {
    for (const s of this.shares) {
      const g = s.guests.find(match);
      if (!g) continue;
      if (!isLive(s, now.getTime())) return undefined;
      if (now.getTime() - Date.parse(g.last_seen) >= SEEN_EVERY_MS) {
        const seen = { ...g, last_seen: now.toISOString() };
        this.save(this.shares.map((x) => (x === s ? { ...s, guests: s.guests.map((y) => (y === g ? seen : y)) } : x)));
        return { share: copy(s), guest: seen };
      }
      return { share: copy(s), guest: { ...g } };
    }
    return undefined;
  }

  private save(shares: Share[]): void {
    writeFileAtomicSync(this.path, JSON.stringify({ version: FILE_VERSION, shares }, null, 2) + '\n', 0o600);
    this.shares = shares;
    this.index();
  }
}

/** Whether S is live at NOW: not revoked, not expired. */
export function isLive(s: Share, now = Date.now()): boolean {
  return s.revoked_at === null && Date.parse(s.expires_at) > now;
}

/** What a guest of S may reach. */
export function scopeOf(s: Share): ShareScope {
  return { id: s.id, library: s.library, album: s.album, download: s.download, upload: s.upload };
}

/** `--expires 7d` (also 12h, 30m, 2w; 45s for a moment's look): milliseconds. */
export function shareDuration(text: string): number {
  const m = /^(\d{1,5})\s*(s|m|min|h|d|w)$/i.exec(text.trim());
  if (!m) throw new VssError('USAGE', `--expires takes a number and s, m, h, d or w (30m, 12h, 7d, 2w): not ${JSON.stringify(text.slice(0, 40))}`);
  const unit = { s: 1000, m: 60_000, min: 60_000, h: 3600_000, d: 86_400_000, w: 7 * 86_400_000 }[m[2]!.toLowerCase() as 's' | 'm' | 'min' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}

function endOf(s: Share): number {
  return s.revoked_at !== null ? Date.parse(s.revoked_at) : Date.parse(s.expires_at);
}

function copy(s: Share): Share {
  return { ...s, password: s.password && { ...s.password }, guests: s.guests.map((g) => ({ ...g })) };
}

function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function scrypt(password: string, salt: string): string {
  return scryptSync(password.normalize('NFC'), salt, 32).toString('hex');
}

function parseFile(path: string): Share[] {
  const bad = (why: string) => new VssError('IO', `${path} is damaged (${why}): fix or remove it (removing it ends every share)`, { path });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw bad((err as Error).message);
  }
  const o = raw as { version?: unknown; shares?: unknown };
  if (o?.version !== FILE_VERSION || !Array.isArray(o.shares) || o.shares.length > MAX_SHARES * 4) throw bad('not a list of shares');
  for (const s of o.shares as Array<Record<string, unknown>>) {
    const strings = ['id', 'library', 'album', 'album_name', 'secret', 'created_at', 'expires_at'] as const;
    if (!strings.every((k) => typeof s[k] === 'string') || !HEX64.test(s.secret as string) || typeof s.download !== 'boolean' || typeof s.upload !== 'boolean'
      || !(s.revoked_at === null || typeof s.revoked_at === 'string') || !(s.by === null || typeof s.by === 'string') || !Array.isArray(s.guests) || s.guests.length > MAX_GUESTS) throw bad('a record is not a share');
    if (s.uploads_dir !== undefined && s.uploads_dir !== null && (typeof s.uploads_dir !== 'string' || !s.uploads_dir.startsWith('/'))) throw bad('a share\'s uploads folder is not an absolute folder');
    const pw = s.password as { salt?: unknown; hash?: unknown } | null;
    if (pw !== null && (typeof pw?.salt !== 'string' || typeof pw.hash !== 'string')) throw bad('a share\'s password is not a salted hash');
    for (const g of s.guests as Array<Record<string, unknown>>) {
      if (typeof g.id !== 'string' || typeof g.session !== 'string' || !HEX64.test(g.session) || typeof g.opened_at !== 'string' || typeof g.last_seen !== 'string' || typeof g.lan !== 'boolean'
        || (g.peer_id !== undefined && typeof g.peer_id !== 'string')) throw bad('a guest of a share is not one');
    }
  }
  return o.shares as Share[];
}
