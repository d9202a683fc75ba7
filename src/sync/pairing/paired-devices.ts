import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VssError } from '../../core/errors.js';
import { peerDeviceName } from '../../device/identity.js';
import { UUID_RE } from '../../sidecars/address.js';
import { writeFileAtomicSync } from '../../core/fs-atomic.js';
import { peerIdOfPublicKey } from '../net/device-key.js';
import { byIdOrName } from '../../core/short-id.js';

/** A device this one has paired with: its key is pinned, and the libraries it shares. */
export interface PairedDevice {
  device_uuid: string;
  name: string;
  /** Ed25519 public key, SPKI PEM (as `device.json` stores ours). */
  public_key: string;
  /** The libp2p peer id of that key: what the connection gater admits. */
  peer_id: string;
  paired_at: string;
  library_ids: string[];
  /**
   * The libraries (of `library_ids`) this device is trusted for only as a member (issue 46): known
   * through the library's membership records, never paired here. Absent: none.
   */
  member_of?: string[];
  /**
   * The libraries (of `library_ids`) whose rights say it may not be relayed (issue 46: `relay`
   * not granted): a relay here carries it only for another library that lets it. Absent: none.
   */
  no_relay?: string[];
  /** Last known multiaddrs, newest first. */
  addrs: string[];
  last_seen: string | null;
}

export const PAIRED_DEVICES_FILE = 'paired-devices.json';
export const MAX_PAIRED_DEVICES = 256;
export const MAX_ADDRS = 16;
/** Devices trusted only as members of a library (never paired here), at most: room stays for pairings by hand. */
export const MAX_MEMBERS_ONLY = 192;
/** The last places of the file are kept for devices paired by hand: members fill it up to here only. */
const KEPT_FOR_PAIRING = 32;
export const MAX_LIBRARIES_PER_DEVICE = 64;
const FILE_VERSION = 1;

/**
 * The data dir's trust store: `<dataDir>/paired-devices.json`, owner-only, replaced atomically on
 * every change. Held in memory (the gater asks it on every connection) and written through.
 * A damaged file is an error, never an empty list: an empty list would silently unpair everyone.
 */
export class PairedDevices {
  private devices: PairedDevice[];
  private batching = false;

  private constructor(readonly path: string, devices: PairedDevice[]) {
    this.devices = devices;
  }

  static load(dataDir: string): PairedDevices {
    const path = join(dataDir, PAIRED_DEVICES_FILE);
    if (!existsSync(path)) return new PairedDevices(path, []);
    return new PairedDevices(path, parseFile(path));
  }

  list(): PairedDevice[] {
    return this.devices.map(copy);
  }

  get(deviceUuid: string): PairedDevice | undefined {
    const d = this.devices.find((x) => x.device_uuid === deviceUuid);
    return d && copy(d);
  }

  /** The paired device REF names: its uuid, a start of it only one device's has, or its name (as `devices list` shows them). */
  find(ref: string): PairedDevice {
    const hit = byIdOrName(ref, this.devices, (d) => d.device_uuid, (d) => d.name, 'paired device');
    if (!hit) {
      const known = this.devices.map((d) => d.name).join(', ');
      throw new VssError('NOT_FOUND', `no paired device ${JSON.stringify(ref.trim().slice(0, 80))}${known ? ` (paired: ${known})` : ': pair one first (vss pair start / vss pair join)'}`);
    }
    return copy(hit);
  }

  byPeerId(peerId: string): PairedDevice | undefined {
    const d = this.devices.find((x) => x.peer_id === peerId);
    return d && copy(d);
  }

  /**
   * Record a pairing. Pairing a known device again (same uuid, same key) keeps the libraries it
   * already shared. A uuid already paired under another key, or a key under another uuid, is
   * refused: a device that knows a code must not take over a paired one's name (unpair it first).
   */
  add(record: PairedDevice): PairedDevice {
    const next = checkRecord(record, 'new record');
    const old = this.devices.find((x) => x.device_uuid === next.device_uuid || x.peer_id === next.peer_id);
    if (old && (old.device_uuid !== next.device_uuid || old.public_key !== next.public_key)) {
      throw new VssError('PAIRING', `device ${next.device_uuid} claims the name or key of the paired device ${old.name} (${old.device_uuid}) with another key or name: unpair that one first`, { path: this.path });
    }
    if (old) {
      // Paired here now for these libraries: no longer only a member in them.
      const memberOf = (old.member_of ?? []).filter((l) => !next.library_ids.includes(l));
      next.library_ids = unique([...next.library_ids, ...old.library_ids]).slice(0, MAX_LIBRARIES_PER_DEVICE);
      next.addrs = unique([...next.addrs, ...old.addrs]).slice(0, MAX_ADDRS);
      if (memberOf.length > 0) next.member_of = memberOf;
      else delete next.member_of;
      if (old.no_relay) next.no_relay = [...old.no_relay];
    }
    const rest = this.devices.filter((x) => x.device_uuid !== next.device_uuid && x.peer_id !== next.peer_id);
    if (rest.length >= MAX_PAIRED_DEVICES) {
      throw new VssError('PAIRING', `too many paired devices (${MAX_PAIRED_DEVICES}): unpair one first`, { path: this.path });
    }
    this.save([...rest, next]);
    return copy(next);
  }

  /**
   * Whether DEVICEUUID may be relayed for LIBRARYID, as the library's rights say (issue 46); true
   * when that changed the record. A device it does not know, or not for that library: nothing.
   */
  setRelay(deviceUuid: string, libraryId: string, allowed: boolean): boolean {
    const d = this.devices.find((x) => x.device_uuid === deviceUuid);
    if (!d || !d.library_ids.includes(libraryId) || (d.no_relay ?? []).includes(libraryId) === !allowed) return false;
    const noRelay = allowed ? (d.no_relay ?? []).filter((l) => l !== libraryId) : [...(d.no_relay ?? []), libraryId];
    const next: PairedDevice = { ...d };
    if (noRelay.length > 0) next.no_relay = noRelay;
    else delete next.no_relay;
    this.save(this.devices.map((x) => (x === d ? next : x)));
    return true;
  }

  /** The paired devices that share a library with PEERID, seen most recently first (PEERID left out): their peer ids. */
  sharingWith(peerId: string): string[] {
    const d = this.byPeerId(peerId);
    if (!d) return [];
    return this.list()
      .filter((o) => o.peer_id !== peerId && o.library_ids.some((l) => d.library_ids.includes(l)))
      .sort((a, b) => (b.last_seen ?? '').localeCompare(a.last_seen ?? ''))
      .map((o) => o.peer_id);
  }

  /** Whether the device with PEERID may be relayed here: trusted for a library that lets it be. */
  mayRelay(peerId: string): boolean {
    const d = this.devices.find((x) => x.peer_id === peerId);
    return d !== undefined && d.library_ids.some((l) => !(d.no_relay ?? []).includes(l));
  }

  /** DEVICEUUID now goes by NAME (as it said itself, kept by peerDeviceName); true when that changed the record. */
  rename(deviceUuid: string, said: string): boolean {
    const name = peerDeviceName(said);
    const d = this.devices.find((x) => x.device_uuid === deviceUuid);
    if (!d || name === undefined || name === d.name) return false;
    this.save(this.devices.map((x) => (x === d ? { ...d, name } : x)));
    return true;
  }

  /**
   * DEVICE is a member of LIBRARYID, as the library's records say (issue 46): trusted for it from
   * now on. 'conflict' when its uuid or key is another device's here (it is left out).
   */
  addMember(libraryId: string, device: { uuid: string; name: string; key: string; at: string }): 'added' | 'known' | 'conflict' {
    let peerId: string;
    try {
      peerId = peerIdOfPublicKey(device.key);
    } catch {
      return 'conflict';
    }
    const old = this.devices.find((x) => x.device_uuid === device.uuid || x.peer_id === peerId);
    if (old && (old.device_uuid !== device.uuid || old.peer_id !== peerId)) return 'conflict';
    if (old?.library_ids.includes(libraryId)) return 'known';
    if (old) {
      if (old.library_ids.length >= MAX_LIBRARIES_PER_DEVICE) return 'conflict';
      const next = { ...old, library_ids: [...old.library_ids, libraryId], member_of: unique([...(old.member_of ?? []), libraryId]) };
      this.save(this.devices.map((x) => (x === old ? next : x)));
      return 'added';
    }
    // Members known only through a library's records have a bound of their own, below the file's:
    // a member minting keys cannot fill the file so that a pairing by hand is refused.
    if (this.devices.length >= MAX_PAIRED_DEVICES - KEPT_FOR_PAIRING || this.devices.filter((x) => x.library_ids.every((l) => x.member_of?.includes(l))).length >= MAX_MEMBERS_ONLY) return 'conflict';
    const record = checkRecord({
      device_uuid: device.uuid, name: peerDeviceName(device.name) ?? device.uuid.slice(0, 8), public_key: device.key, peer_id: peerId,
      paired_at: device.at, library_ids: [libraryId], member_of: [libraryId], addrs: [], last_seen: null,
    }, 'member');
    this.save([...this.devices, record]);
    return 'added';
  }

  /**
   * DEVICEUUID is no longer trusted for LIBRARYID (removed from it): 'gone' when that was its last
   * library (it is forgotten), 'dropped' when others remain, 'none' when it was not trusted for it.
   */
  dropLibrary(deviceUuid: string, libraryId: string): 'gone' | 'dropped' | 'none' {
    const d = this.devices.find((x) => x.device_uuid === deviceUuid);
    if (!d || !d.library_ids.includes(libraryId)) return 'none';
    const libraryIds = d.library_ids.filter((l) => l !== libraryId);
    if (libraryIds.length === 0) {
      this.save(this.devices.filter((x) => x !== d));
      return 'gone';
    }
    const memberOf = (d.member_of ?? []).filter((l) => l !== libraryId);
    const noRelay = (d.no_relay ?? []).filter((l) => l !== libraryId);
    const next: PairedDevice = { ...d, library_ids: libraryIds };
    if (memberOf.length > 0) next.member_of = memberOf;
    else delete next.member_of;
    if (noRelay.length > 0) next.no_relay = noRelay;
    else delete next.no_relay;
    this.save(this.devices.map((x) => (x === d ? next : x)));
    return 'dropped';
  }

  /** Forget a device; false when it was not paired. */
  remove(deviceUuid: string): boolean {
    const rest = this.devices.filter((x) => x.device_uuid !== deviceUuid);
    if (rest.length === this.devices.length) return false;
    this.save(rest);
    return true;
  }

  /** A paired device was connected at `at` from `addrs` (kept newest first, bounded). */
  noteSeen(deviceUuid: string, addrs: string[], at: string | Date = new Date()): void {
    const d = this.devices.find((x) => x.device_uuid === deviceUuid);
    if (!d) return;
    const next = { ...d, last_seen: at instanceof Date ? at.toISOString() : at, addrs: unique([...addrs.filter(isAddr), ...d.addrs]).slice(0, MAX_ADDRS) };
    // The same addresses heard again (identify, mDNS and members' records all tell them): no write.
    if (next.last_seen === d.last_seen && next.addrs.join(' ') === d.addrs.join(' ')) return;
    this.save(this.devices.map((x) => (x === d ? next : x)));
  }

  /** Run FN with the file written once at its end (a membership update changes many records). */
  batch(fn: () => void): void {
    if (this.batching) return fn();
    this.batching = true;
    const before = this.devices;
    try {
      fn();
    } finally {
      this.batching = false;
      if (this.devices !== before) this.save(this.devices);
    }
  }

  private save(devices: PairedDevice[]): void {
    this.devices = devices;
    if (this.batching) return;
    const body = JSON.stringify({ version: FILE_VERSION, devices }, null, 2) + '\n';
    writeFileAtomicSync(this.path, body, 0o600);
  }
}

function parseFile(path: string): PairedDevice[] {
  const damaged = (reason: string, cause?: unknown): VssError =>
    new VssError('PAIRING', `the paired devices file is damaged (${reason}); move it aside and pair again`, { path, cause });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw damaged((err as Error).message, err);
  }
  if (typeof raw !== 'object' || raw === null || (raw as { version?: unknown }).version !== FILE_VERSION) throw damaged(`not a version ${FILE_VERSION} file`);
  const list = (raw as { devices?: unknown }).devices;
  if (!Array.isArray(list)) throw damaged('no device list');
  if (list.length > MAX_PAIRED_DEVICES) throw damaged(`more than ${MAX_PAIRED_DEVICES} devices`);
  const devices = list.map((r, i) => {
    try {
      return checkRecord(r, `device ${i + 1}`);
    } catch (err) {
      throw damaged((err as Error).message, err);
    }
  });
  if (new Set(devices.map((d) => d.device_uuid)).size !== devices.length || new Set(devices.map((d) => d.peer_id)).size !== devices.length) {
    throw damaged('a device is listed twice');
  }
  return devices;
}

function checkRecord(r: unknown, where: string): PairedDevice {
  const bad = (what: string): VssError => new VssError('PAIRING', `${where}: ${what}`);
  if (typeof r !== 'object' || r === null) throw bad('not an object');
  const d = r as Record<string, unknown>;
  if (typeof d.device_uuid !== 'string' || !UUID_RE.test(d.device_uuid)) throw bad('device_uuid is not a uuid');
  if (typeof d.name !== 'string' || d.name.length === 0 || d.name.length > 200) throw bad('name is missing or too long');
  if (typeof d.public_key !== 'string') throw bad('public_key is missing');
  let peerId: string;
  try {
    peerId = peerIdOfPublicKey(d.public_key);
  } catch {
    throw bad('public_key is not an Ed25519 public key');
  }
  if (d.peer_id !== peerId) throw bad('peer_id is not the peer id of public_key');
  if (typeof d.paired_at !== 'string' || Number.isNaN(Date.parse(d.paired_at))) throw bad('paired_at is not a time');
  if (!Array.isArray(d.library_ids) || d.library_ids.length > MAX_LIBRARIES_PER_DEVICE || !d.library_ids.every((x) => typeof x === 'string' && UUID_RE.test(x))) {
    throw bad(`library_ids must be at most ${MAX_LIBRARIES_PER_DEVICE} uuids`);
  }
  if (!Array.isArray(d.addrs) || d.addrs.length > MAX_ADDRS || !d.addrs.every(isAddr)) throw bad(`addrs must be at most ${MAX_ADDRS} multiaddrs`);
  if (d.last_seen !== null && (typeof d.last_seen !== 'string' || Number.isNaN(Date.parse(d.last_seen)))) throw bad('last_seen is not a time or null');
  if (d.member_of !== undefined && (!Array.isArray(d.member_of) || !d.member_of.every((x) => typeof x === 'string' && (d.library_ids as string[]).includes(x)))) {
    throw bad('member_of must name libraries of library_ids');
  }
  if (d.no_relay !== undefined && (!Array.isArray(d.no_relay) || !d.no_relay.every((x) => typeof x === 'string' && (d.library_ids as string[]).includes(x)))) {
    throw bad('no_relay must name libraries of library_ids');
  }
  return {
    device_uuid: d.device_uuid,
    name: d.name,
    public_key: d.public_key,
    peer_id: peerId,
    paired_at: d.paired_at,
    library_ids: unique(d.library_ids as string[]),
    addrs: unique(d.addrs as string[]),
    last_seen: d.last_seen as string | null,
    ...(Array.isArray(d.member_of) && d.member_of.length > 0 ? { member_of: unique(d.member_of as string[]) } : {}),
    ...(Array.isArray(d.no_relay) && d.no_relay.length > 0 ? { no_relay: unique(d.no_relay as string[]) } : {}),
  };
}

function isAddr(a: unknown): a is string {
  return typeof a === 'string' && a.startsWith('/') && a.length <= 300;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function copy(d: PairedDevice): PairedDevice {
  return { ...d, library_ids: [...d.library_ids], addrs: [...d.addrs], ...(d.member_of ? { member_of: [...d.member_of] } : {}), ...(d.no_relay ? { no_relay: [...d.no_relay] } : {}) };
}
