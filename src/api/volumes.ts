import { VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { VolumeRecord } from '../store/volumes.js';
import type { VolumeAdded, VolumeInfo, VolumeSpeed } from '../wire/volumes.js';
import type { MountedNow } from '../volumes/location-online.js';

export type { VolumeAdded, VolumeInfo, VolumeSpeed };

const MAX_NAME = 255;

/** The mount reader, loaded by the calls that use it: opening a library stays light. */
async function mounts(lib: Library, fresh: boolean): Promise<MountedNow> {
  const { mountedNow } = await import('../volumes/location-online.js');
  return mountedNow(lib, undefined, { fresh });
}

/**
 * This device's volumes (`vss volumes`, DESIGN §17): the drives mounted now and the tracked ones
 * that are not. A volume is named by its id or its fingerprint (the filesystem UUID).
 */
export class VolumesApi {
  constructor(private readonly lib: Library) {}

  /** The volumes mounted now, the tracked ones that are not (online false), and the buckets (online when they answer now). */
  async list(): Promise<VolumeInfo[]> {
    const now = await mounts(this.lib, true);
    const reached = await this.bucketsReached();
    return this.lib.store.volumes.ofDevice(this.lib.deviceId)
      .filter((r) => r.tracked === 1 || now.rows.has(r.fingerprint))
      .map((r) => toInfo(r, now, reached, this.sealed()));
  }

  async get(ref: string): Promise<VolumeInfo> {
    const now = await mounts(this.lib, true);
    const v = this.find(ref);
    return toInfo(v, now, await this.bucketsReached(v.id), this.sealed());
  }

  /**
   * The recovery phrase of the library's bucket key (`vss library key phrase`, issue 60), shown
   * again on this device: refused when the library has no key (no encrypted bucket was added).
   */
  async keyPhrase(): Promise<{ key_id: string; phrase: string; age_identity: string }> {
    const { phraseOf } = await import('../volumes/bucket-phrase.js');
    const { ageIdentity, bucketKeys } = await import('../storage/bucket/age-object.js');
    const k = this.lib.store.libraryKeys.first();
    if (!k) throw new VssError('NOT_FOUND', 'this library has no bucket key: one is made when an encrypted bucket is added (vss volumes add s3://BUCKET/PREFIX --encrypt)');
    return { key_id: k.id, phrase: phraseOf(k.secret), age_identity: await ageIdentity(bucketKeys(k.secret)) };
  }

  /** The bucket volumes of this device that are encrypted. */
  private sealed(): Set<number> {
    return new Set(this.lib.store.buckets.ofDevice(this.lib.deviceId).filter((b) => b.key_id !== null).map((b) => b.volume_id));
  }

  /**
   * A bucket as a volume of this device (`vss volumes add s3://BUCKET/PREFIX`, issue 30): reached
   * with the credentials of the SDK's standard chain (never kept), refused when it does not answer.
   */
  async add(url: string, opts: { endpoint?: string; region?: string; path_style?: boolean; name?: string; encrypt?: boolean } = {}): Promise<VolumeAdded> {
    const { addBucket } = await import('../volumes/buckets.js');
    const { libraryBucketKey } = await import('../tags/bucket-key.js');
    const { phraseOf } = await import('../volumes/bucket-phrase.js');
    // The library's key, made with the first encrypted bucket: its phrase is shown this once.
    let phrase: string | null = null;
    const sealWith = () => {
      const k = libraryBucketKey(this.lib, true)!;
      if (k.made) phrase = phraseOf(k.key.secret);
      return k.key.id;
    };
    const { encrypt, path_style, ...rest } = opts;
    const b = await addBucket(this.lib, url, { ...rest, ...(path_style !== undefined ? { pathStyle: path_style } : {}), ...(encrypt === true ? { sealWith } : {}) });
    const now = await mounts(this.lib, false);
    return { ...toInfo(this.find(String(b.volume_id)), now, new Set([b.volume_id]), this.sealed()), phrase };
  }

  /** The bucket volumes (of ONLY, if given) that answer now, each asked at once (bounded). */
  private async bucketsReached(only?: number): Promise<Set<number>> {
    const buckets = this.lib.store.buckets.ofDevice(this.lib.deviceId).filter((b) => only === undefined || b.volume_id === only);
    if (buckets.length === 0) return new Set();
    const { probeBucket } = await import('../volumes/buckets.js');
    const answers = await Promise.all(buckets.map(async (b) => [b.volume_id, await probeBucket(this.lib, b)] as const));
    return new Set(answers.filter(([, why]) => why === undefined).map(([id]) => id));
  }

  /** Keep a volume listed while it is unplugged, under NAME if given. */
  async track(ref: string, opts: { name?: string } = {}): Promise<VolumeInfo> {
    if (opts.name !== undefined && (opts.name.trim() === '' || opts.name.length > MAX_NAME)) throw new VssError('USAGE', `a volume name is 1 to ${MAX_NAME} characters`);
    const now = await mounts(this.lib, false);
    const v = this.find(ref);
    this.lib.store.volumes.setTracked(v.id, true, opts.name?.trim());
    return toInfo(this.find(String(v.id)), now);
  }

  /** Stop tracking a volume: it is listed only while mounted (its locations keep it). */
  async untrack(ref: string): Promise<VolumeInfo> {
    const now = await mounts(this.lib, false);
    const v = this.find(ref);
    this.lib.store.volumes.setTracked(v.id, false, undefined);
    return toInfo(this.find(String(v.id)), now);
  }

  /** Measure the volume's write and read speed (a temporary file, removed after) and keep the figures with it. */
  async speed(ref: string): Promise<VolumeSpeed> {
    const now = await mounts(this.lib, true);
    const v = this.find(ref);
    if (v.fs === 's3') throw new VssError('USAGE', `volume ${v.id} is a bucket: its speed is that of the link to it, not tested here`);
    const mounted = now.volumes.find((m) => m.fingerprint === v.fingerprint);
    if (!mounted) throw new VssError('UNAVAILABLE', `volume ${v.id} is not mounted now, so its speed cannot be tested`);
    if (mounted.readOnly) throw new VssError('WRONG_STATE', `volume ${v.id} (${mounted.mountPoint}) is mounted read-only: a speed test must write a file`, { path: mounted.mountPoint });
    const { speedTest } = await import('../volumes/speed.js');
    const r = await speedTest(mounted.mountPoint, mounted.free);
    this.lib.store.volumes.setSpeed(v.id, r.read_mbps, r.write_mbps);
    return { read_mbps: r.read_mbps, write_mbps: r.write_mbps };
  }

  /** A volume of this device by its id or fingerprint. */
  private find(ref: string): VolumeRecord {
    const s = String(ref).trim();
    const byId = /^\d{1,15}$/.test(s) ? this.lib.store.volumes.byId(Number(s), this.lib.deviceId) : undefined;
    const v = byId ?? this.lib.store.volumes.byFingerprint(s.toLowerCase(), this.lib.deviceId) ?? this.lib.store.volumes.byFingerprint(s, this.lib.deviceId);
    if (!v) throw new VssError('NOT_FOUND', `no volume ${JSON.stringify(s).slice(0, 80)} on this device (see \`vss volumes list\`: its id or fingerprint)`);
    return v;
  }
}

function toInfo(r: VolumeRecord, now: MountedNow, bucketsReached: ReadonlySet<number> = new Set(), sealed: ReadonlySet<number> = new Set()): VolumeInfo {
  const online = r.fs === 's3' ? bucketsReached.has(r.id) : now.rows.get(r.fingerprint)?.id === r.id;
  return {
    id: r.id, name: r.name, mount_point: r.mount_point, fs: r.fs, capacity: r.capacity, free: r.free,
    removable: r.removable === 1, read_only: r.read_only === 1, tracked: r.tracked === 1, fingerprint: r.fingerprint,
    online, read_mbps: r.read_mbps, write_mbps: r.write_mbps, encrypted: sealed.has(r.id),
  };
}
