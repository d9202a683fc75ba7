/**
 * The library's near-duplicates (issue 45): every content with a ready fingerprint (`phash`
 * sidecar, made here or fetched from a paired device) grouped with the pictures it matches
 * (`group-similar.ts`), photos with photos and videos with videos; each group's contents side by
 * side (paths, size, dimensions, format, bits per pixel) and the one to keep suggested.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Library } from '../library/library.js';
import { parseMetadata, type MediaMetadata } from '../media/media-metadata.js';
import { RAW_MIMES } from '../content/raw-formats.js';
import type { SimilarContent, SimilarGroup } from '../wire/similar.js';
import { decodeFingerprint, ENCODED_BYTES, type Fingerprint } from './perceptual-hash.js';
import { groupSimilar, type GroupItem } from './group-similar.js';

/** Most fingerprints read in one look (a library of this many pictures takes seconds to group). */
export const MAX_FINGERPRINTS = 500_000;

interface Known {
  uuid: string;
  kind: string;
  mime: string;
  size: number;
  meta: MediaMetadata | null;
  paths: string[];
}

/** Every group of near-duplicates in LIB, largest group first. */
export function findSimilar(lib: Library, opts: { leaveOut?: ReadonlySet<string> } = {}): SimilarGroup[] {
  const { store } = lib;
  const byKind = new Map<string, GroupItem[]>();
  const facts = new Map<string, Known>();
  for (const r of store.sidecars.ofKindWithStatus('phash', 'ready').slice(0, MAX_FINGERPRINTS)) {
    if (r.variant !== 'default' || (r.size !== null && r.size !== ENCODED_BYTES) || opts.leaveOut?.has(r.content_uuid)) continue;
    const known = factsOf(lib, r.content_uuid);
    // A content only the trash holds has no file to show or keep (its fingerprint stays for a restore).
    if (!known || known.paths.length === 0 || (known.kind !== 'image' && known.kind !== 'video')) continue;
    const fp = readFingerprint(lib, r.rel_path);
    if (!fp) continue;
    facts.set(known.uuid, known);
    let list = byKind.get(known.kind);
    if (!list) byKind.set(known.kind, (list = []));
    list.push({ id: known.uuid, fp });
  }
  const groups: SimilarGroup[] = [];
  for (const items of byKind.values()) {
    for (const ids of groupSimilar(items)) {
      if (ids.length < 2) continue;
      const contents = ids.map((id) => shown(facts.get(id)!));
      groups.push({ group_id: groupIdOf(ids), contents, keep: suggestKeep(contents, facts) });
    }
  }
  return groups.sort((a, b) => b.contents.length - a.contents.length || (a.group_id < b.group_id ? -1 : 1));
}

/** A group's id: the same members, the same id, on every call and every device. */
function groupIdOf(ids: readonly string[]): string {
  const h = createHash('sha256').update([...ids].sort().join(',')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function readFingerprint(lib: Library, rel: string): Fingerprint | undefined {
  try {
    const path = lib.roots.library.regularFileAt(join(lib.root, rel));
    const bytes = readFileSync(path);
    return bytes.length === ENCODED_BYTES ? decodeFingerprint(bytes) : undefined;
  } catch {
    // Gone, refused or of another version: left out (reconcile and the jobs remake what is owed).
    return undefined;
  }
}

function factsOf(lib: Library, uuid: string): Known | undefined {
  const { store } = lib;
  const c = store.contents.byUuid(uuid);
  if (c) {
    const paths = store.browse.copiesOf(c.id).map((p) => join(p.root, ...p.rel_path.split('/')));
    const peers = store.browse.peerCopiesOf(uuid).map(peerAddress(lib));
    return { uuid, kind: c.kind, mime: c.mime, size: c.size, meta: parseMetadata(c.media_metadata), paths: [...paths, ...peers] };
  }
  const p = store.browse.peerFacts(uuid);
  if (!p) return undefined;
  return { uuid, kind: p.kind, mime: p.mime, size: p.size, meta: parseMetadata(p.media_metadata), paths: store.browse.peerCopiesOf(uuid).map(peerAddress(lib)) };
}

function peerAddress(lib: Library): (p: { device_uuid: string; location_name: string; dir_path: string; name: string }) => string {
  const names = new Map<string, string>();
  return (p) => {
    let name = names.get(p.device_uuid);
    if (name === undefined) names.set(p.device_uuid, (name = lib.store.devices.byUuid(p.device_uuid)?.name ?? p.device_uuid.slice(0, 8)));
    return `${name}:/${p.location_name}/${p.dir_path === '' ? p.name : `${p.dir_path}/${p.name}`}`;
  };
}

function shown(k: Known): SimilarContent {
  const width = k.meta?.width ?? null;
  const height = k.meta?.height ?? null;
  const turned = (k.meta?.orientation ?? 1) >= 5;
  const [w, h] = turned ? [height, width] : [width, height];
  return {
    content_uuid: k.uuid, paths: k.paths, width: w, height: h, size: k.size, format: formatOf(k.mime), mime: k.mime,
    bits_per_pixel: w && h ? Math.round(((k.size * 8) / (w * h)) * 100) / 100 : null,
  };
}

/** A MIME as people name the format: image/jpeg → JPEG, image/x-nikon-nef → NEF. */
export function formatOf(mime: string): string {
  const sub = mime.split('/')[1] ?? mime;
  const last = sub.startsWith('x-') ? sub.split('-').at(-1)! : sub;
  return last.replace(/^svg\+xml$/, 'svg').toUpperCase();
}

/**
 * The one to keep: the most pixels; then a camera's own format (RAW, then a photo that carries
 * the camera's metadata, before a PNG or a WebP someone exported); then the most metadata (when,
 * where, which camera, how exposed); then the largest file (the least compressed); then the uuid,
 * so the answer never depends on the order read.
 */
export function suggestKeep(contents: readonly SimilarContent[], facts: ReadonlyMap<string, Pick<Known, 'meta' | 'mime'>>): string {
  const score = (c: SimilarContent) => {
    const f = facts.get(c.content_uuid);
    const m = f?.meta ?? null;
    const original = RAW_MIMES.has(c.mime) ? 2 : m?.camera ? 1 : 0;
    const metadata = [m?.captured_at, m?.gps, m?.camera, m?.exposure, m?.place].filter((x) => x !== undefined).length;
    return [(c.width ?? 0) * (c.height ?? 0), original, metadata, c.size] as const;
  };
  const best = [...contents].sort((a, b) => {
    const sa = score(a);
    const sb = score(b);
    for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return sb[i]! - sa[i]!;
    return a.content_uuid < b.content_uuid ? -1 : 1;
  });
  return best[0]!.content_uuid;
}
