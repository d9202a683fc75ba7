import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VssError } from '../core/errors.js';
import { writeFileAtomicSync } from '../core/fs-atomic.js';
import type { BrowserRights } from '../api/remote/browser-operations.js';
import type { BrowserDeviceItem } from '../wire/peers.js';
import { byIdOrName } from '../core/short-id.js';
import type { ShareScope } from './shares.js';

/**
 * Browsers paired with this device (issue 44): a phone that opened `vss ui pair`'s address, kept in
 * `<dataDir>/browser-devices.json` (owner-only, replaced atomically) so it stays signed in across
 * the daemon's restarts until revoked. Its session is kept as the SHA-256 of its secret, never
 * the secret. What it may do is its own (`may`), with the folder its uploads go to. A damaged
 * file is an error, never an empty list.
 */
export interface BrowserDevice {
  id: string;
  name: string;
  paired_at: string;
  /** Its last request (kept to the minute: not a write per request). */
  last_seen: string | null;
  /** Where it was paired: the home network (`--lan`), or this machine's own address. Its session counts there only. */
  lan: boolean;
  /** The SHA-256 (hex) of its session secret. */
  session: string;
  /** What it may do (a record paired before rights existed: view only). */
  may: BrowserRights;
  /** Where its uploads land (`DIR/YYYY/MM/NAME`): an absolute folder inside a location of LIBRARY; null: it has none. */
  uploads_to: { library: string; dir: string } | null;
  /**
   * Paired to work away from home (issue 46 item 4): its libp2p peer id, from the key it keeps
   * in the browser (a non-extractable WebCrypto Ed25519 key); it reaches this device through the
   * relay box, end to end, and is who its Noise session proves it is. Absent: a browser of the
   * home network or this machine (its session cookie signs it in).
   */
  peer_id?: string;
  /** A guest of a shared album (issue 61), never a paired device: what its requests may reach. Not kept in this file (shares.json keeps guests). */
  share?: ShareScope;
}

/** What a browser device may do, as `devices list` shows it (the operations each right opens: browser-operations.ts). */
export type { BrowserRights };

export const BROWSER_DEVICES_FILE = 'browser-devices.json';
export const MAX_BROWSER_DEVICES = 64;
/** Sessions of revoked browsers remembered (the newest), so such a browser is told it was revoked rather than that its session ended. */
export const MAX_REVOKED_SESSIONS = 64;
const NAME_MAX = 64;
/** last_seen is written at most this often for one device. */
const SEEN_EVERY_MS = 60_000;
const FILE_VERSION = 1;

/** What a browser paired before rights existed may do: view. */
export const VIEW_ONLY: Readonly<BrowserRights> = Object.freeze({ view: true, upload: false, organise: false, files: false });
/** What a newly paired browser may do unless said: view, upload, organise (tags, ratings, albums); file operations stay off. */
export const DEFAULT_BROWSER_RIGHTS: Readonly<BrowserRights> = Object.freeze({ view: true, upload: true, organise: true, files: false });
export const RIGHT_NAMES = ['view', 'upload', 'organise', 'files'] as const satisfies ReadonlyArray<keyof BrowserRights>;

/** `--may view,upload`: the rights named, the rest off; a name not known is an error. */
export function rightsFrom(list: string): BrowserRights {
  const out: BrowserRights = { view: false, upload: false, organise: false, files: false };
  for (const raw of list.split(',')) {
    const name = raw.trim().toLowerCase().replace(/^organize$/, 'organise');
    if (name === '') continue;
    if (!(RIGHT_NAMES as readonly string[]).includes(name)) throw new VssError('USAGE', `a browser may ${RIGHT_NAMES.join(', ')}: not ${JSON.stringify(raw.slice(0, 40))}`);
    out[name as keyof BrowserRights] = true;
  }
  if (!Object.values(out).some(Boolean)) throw new VssError('USAGE', 'a browser device must be allowed something (view, upload, organise, files)');
  return out;
}

export class BrowserDevices {
  private readonly revoked = new Set<(id: string, device: BrowserDevice) => void>();

  /**
   * DEVICES: those paired now. REVOKED: the session digests of browsers revoked, the newest last:
   * digests of secrets that no longer sign in, kept only to say why (never to sign anything in).
   */
  private constructor(readonly path: string, private devices: BrowserDevice[], private revokedSessions: string[]) {}

  /** Hear of each browser revoked through this store (its open connections are then ended). Returns the unsubscribe. */
  onRevoked(fn: (id: string, device: BrowserDevice) => void): () => void {
    this.revoked.add(fn);
    return () => this.revoked.delete(fn);
  }

  static load(dataDir: string): BrowserDevices {
    const path = join(dataDir, BROWSER_DEVICES_FILE);
    const read = existsSync(path) ? parseFile(path) : { devices: [], revoked: [] };
    return new BrowserDevices(path, read.devices, read.revoked);
  }

  list(): BrowserDevice[] {
    return this.devices.map((d) => ({ ...d }));
  }

  /** The device whose session's digest is DIGEST. */
  bySession(digest: string): BrowserDevice | undefined {
    const d = this.devices.find((x) => x.session === digest);
    return d && { ...d };
  }

  /** Whether DIGEST is the session of a browser revoked here (one of the last MAX_REVOKED_SESSIONS). */
  wasRevoked(digest: string): boolean {
    return this.revokedSessions.includes(digest);
  }

  /** The browser paired away from home whose key has PEERID. */
  byPeerId(peerId: string): BrowserDevice | undefined {
    const d = this.devices.find((x) => x.peer_id === peerId);
    return d && { ...d };
  }

  /** The peer ids of the browsers paired away from home. */
  peerIds(): string[] {
    return this.devices.flatMap((d) => (d.peer_id !== undefined ? [d.peer_id] : []));
  }

  /** Record a newly paired browser (NAME as the user gave it, else one made from when); PEER_ID: one paired away from home. */
  add(o: { name?: string; lan: boolean; session: string; may?: BrowserRights; uploads_to?: BrowserDevice['uploads_to']; peer_id?: string }, now = new Date()): BrowserDevice {
    if (o.peer_id !== undefined && this.devices.some((d) => d.peer_id === o.peer_id)) throw new VssError('PAIRING', 'this browser is paired already', { path: this.path });
    if (this.devices.length >= MAX_BROWSER_DEVICES) throw new VssError('PAIRING', `${MAX_BROWSER_DEVICES} browsers are paired already: revoke one (vss devices revoke ID)`, { path: this.path });
    const name = o.name !== undefined ? browserName(o.name) : `Browser paired ${now.toISOString().slice(0, 16).replace('T', ' ')}`;
    const uploadsTo = o.uploads_to ?? null;
    const may = { ...(o.may ?? DEFAULT_BROWSER_RIGHTS) };
    // Uploads need a folder to land in: without one the right means nothing, and is shown off.
    if (uploadsTo === null) may.upload = false;
    const d: BrowserDevice = { id: randomUUID(), name, paired_at: now.toISOString(), last_seen: now.toISOString(), lan: o.lan, session: o.session, may, uploads_to: uploadsTo, ...(o.peer_id !== undefined ? { peer_id: o.peer_id } : {}) };
    this.save([...this.devices, d]);
    return { ...d };
  }

  /** ID (or the start of it only one has) made a request at NOW: kept to the minute. */
  noteSeen(id: string, now = new Date()): void {
    const d = this.devices.find((x) => x.id === id);
    if (!d || (d.last_seen !== null && now.getTime() - Date.parse(d.last_seen) < SEEN_EVERY_MS)) return;
    this.save(this.devices.map((x) => (x === d ? { ...d, last_seen: now.toISOString() } : x)));
  }

  /** The browser device REF names: its uuid, a start of it that only one has, or its name ("Ann's phone"). */
  find(ref: string): BrowserDevice | undefined {
    const hit = byIdOrName(ref, this.devices, (d) => d.id, (d) => d.name, 'browser device');
    return hit && { ...hit };
  }

  /** Forget ID: its session no longer signs in, from its next request on. */
  revoke(id: string): BrowserDevice | undefined {
    const d = this.find(id);
    if (!d) return undefined;
    this.save(this.devices.filter((x) => x.id !== d.id), [...this.revokedSessions, d.session].slice(-MAX_REVOKED_SESSIONS));
    for (const fn of [...this.revoked]) fn(d.id, d);
    return d;
  }

  private save(devices: BrowserDevice[], revoked = this.revokedSessions): void {
    writeFileAtomicSync(this.path, JSON.stringify({ version: FILE_VERSION, devices, revoked }, null, 2) + '\n', 0o600);
    this.devices = devices;
    this.revokedSessions = revoked;
  }
}

/** A browser's name as the user gave it: trimmed, no control characters, at most 64 characters. */
export function browserName(given: string): string {
  const name = given.trim();
  if (name === '' || name.length > NAME_MAX || /\p{Cc}/u.test(name)) throw new VssError('USAGE', `a browser's name is 1 to ${NAME_MAX} characters, no control characters: not ${JSON.stringify(given.slice(0, 80))}`);
  return name;
}

function parseFile(path: string): { devices: BrowserDevice[]; revoked: string[] } {
  const bad = (why: string) => new VssError('IO', `${path} is damaged (${why}): fix or remove it (removing it signs every paired browser out)`, { path });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw bad((err as Error).message);
  }
  const o = raw as { version?: unknown; devices?: unknown; revoked?: unknown };
  if (o?.version !== FILE_VERSION || !Array.isArray(o.devices) || o.devices.length > MAX_BROWSER_DEVICES) throw bad('not a list of browser devices');
  // Written since issue 58 (a file from before has none): digests, at most MAX_REVOKED_SESSIONS.
  const revoked = o.revoked ?? [];
  if (!Array.isArray(revoked) || revoked.length > MAX_REVOKED_SESSIONS || !revoked.every((x) => typeof x === 'string' && /^[0-9a-f]{64}$/.test(x))) throw bad('its revoked sessions are not a list of digests');
  const devices = o.devices.map((d: Record<string, unknown>) => {
    if (typeof d.id !== 'string' || typeof d.name !== 'string' || typeof d.paired_at !== 'string' || typeof d.lan !== 'boolean'
      || typeof d.session !== 'string' || !/^[0-9a-f]{64}$/.test(d.session) || (d.last_seen !== null && typeof d.last_seen !== 'string')) throw bad('a record is not a browser device');
    if (d.peer_id !== undefined && (typeof d.peer_id !== 'string' || !/^[1-9A-HJ-NP-Za-km-z]{40,60}$/.test(d.peer_id))) throw bad('a record\'s peer id is not one');
    return { id: d.id, name: d.name, paired_at: d.paired_at, last_seen: d.last_seen as string | null, lan: d.lan, session: d.session, may: parseRights(d.may, bad), uploads_to: parseUploadsTo(d.uploads_to, bad), ...(d.peer_id !== undefined ? { peer_id: d.peer_id as string } : {}) };
  });
  return { devices, revoked: revoked as string[] };
}

function parseRights(v: unknown, bad: (why: string) => Error): BrowserRights {
  if (v === undefined) return { ...VIEW_ONLY };
  const o = v as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || !RIGHT_NAMES.every((k) => typeof o[k] === 'boolean')) throw bad('a record\'s rights are not a set of switches');
  return { view: o.view as boolean, upload: o.upload as boolean, organise: o.organise as boolean, files: o.files as boolean };
}

function parseUploadsTo(v: unknown, bad: (why: string) => Error): BrowserDevice['uploads_to'] {
  if (v === undefined || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.library !== 'string' || typeof o.dir !== 'string' || !o.dir.startsWith('/')) throw bad('a record\'s uploads folder is not a library and an absolute folder');
  return { library: o.library, dir: o.dir };
}

/** D as `devices list` shows it, at NOW. */
export function browserDeviceItem(d: BrowserDevice, now = Date.now()): BrowserDeviceItem {
  return {
    kind: 'browser', id: d.id, name: d.name, paired_at: d.paired_at, last_seen: d.last_seen,
    online: d.last_seen !== null && now - Date.parse(d.last_seen) < 2 * SEEN_EVERY_MS + 1_000,
    reached: d.peer_id !== undefined ? 'relay' : d.lan ? 'lan' : 'local', may: { ...d.may }, uploads_to: d.uploads_to?.dir ?? null,
  };
}
