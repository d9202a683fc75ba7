import { basename, join } from 'node:path';
import { VssError } from '../core/errors.js';
import type { BrowseStore } from '../store/browse.js';
import { parseMetadata } from '../media/media-metadata.js';
import type { ContentDetail, DetailCopy, DetailDevice, DetailPath, DetailSidecar, DetailUser } from '../wire/browse.js';
import type { ContentSafety } from '../wire/guardian.js';
import type { DetailStack } from '../wire/stacks.js';
import { peerMetadata } from './grid-page.js';

export type { ContentDetail, DetailCopy, DetailDevice, DetailPath, DetailSidecar };

export interface DetailContext {
  store: BrowseStore;
  content: (uuid: string) => { id: number; uuid: string; kind: string; mime: string; size: number; media_metadata: string | null } | undefined;
  /** This device. */
  device: { uuid: string; name: string };
  /** Names of other devices by uuid (the paired devices, and those that opened this library). */
  deviceNames: () => Promise<ReadonlyMap<string, string>>;
  /** The paired devices connected now. */
  online: () => ReadonlySet<string>;
  /** Its user metadata and tags (DESIGN §16). */
  user: (uuid: string) => DetailUser;
  /** Its copies against its policy (the Guardian's). */
  safety: (uuid: string) => ContentSafety | null;
  /** Words search indexes of the text read from it; null: none was read. */
  textWords: (uuid: string) => number | null;
  /** Why it will never have a picture (its thumbnail's maker said so), else undefined. */
  noPicture: (uuid: string) => string | undefined;
  /** The stack it is in, with its members (issue 45), else null. */
  stack: (uuid: string) => DetailStack | null;
}

/**
 * One content's detail: held here, or only by paired devices (DESIGN §15: then what they say
 * it is, and where they hold it). Its copies on every device are listed by address.
 */
export async function readContentDetail(ctx: DetailContext, contentUuid: string): Promise<ContentDetail> {
  const { store } = ctx;
  const c = ctx.content(contentUuid);
  const local = c ? store.copiesOf(c.id) : [];
  const peerCopies = store.peerCopiesOf(contentUuid);
  const facts = c ?? (peerCopies.length > 0 ? store.peerFacts(contentUuid) : undefined);
  if (!facts) throw new VssError('NOT_FOUND', `no content ${contentUuid} in this library`);
  const paths: DetailPath[] = local.map((p) => ({ location_id: p.location_id, location_name: p.location_name, path: join(p.root, p.rel_path) }));
  // What this device read itself is trusted as it is; a peer's metadata only field by field.
  const meta = c ? parseMetadata(c.media_metadata) : parseMetadata(facts.media_metadata);
  const shown = c
    ? { captured_at: meta?.captured_at ?? null, width: meta?.width ?? null, height: meta?.height ?? null, duration_s: meta?.duration_s ?? null }
    : peerMetadata(facts.media_metadata);

  const sidecarsHere = store.localSidecars(contentUuid);
  const elsewhere = store.remoteSidecars(contentUuid, ctx.device.uuid);
  const names = elsewhere.length > 0 || peerCopies.length > 0 ? await ctx.deviceNames() : new Map<string, string>();
  const nameOf = (uuid: string) => names.get(uuid) ?? uuid.slice(0, 8);

  const online = peerCopies.length > 0 ? ctx.online() : new Set<string>();
  const copies: DetailCopy[] = [
    ...local.map((p) => ({ device_id: ctx.device.uuid, device: ctx.device.name, address: `${ctx.device.name}:/${p.location_name}/${p.rel_path}`, local: true, online: true })),
    ...peerCopies.map((p) => {
      const device = nameOf(p.device_uuid);
      return { device_id: p.device_uuid, device, address: `${device}:/${p.location_name}/${p.dir_path === '' ? p.name : `${p.dir_path}/${p.name}`}`, local: false, online: online.has(p.device_uuid) };
    }),
  ];

  const byAddress = new Map<string, DetailSidecar>();
  for (const s of sidecarsHere) {
    byAddress.set(`${s.kind}/${s.variant}`, {
      kind: s.kind, variant: s.variant, format: s.format, status: s.status, checksum: s.checksum, size: s.size,
      devices: s.status === 'ready' ? [{ device_id: ctx.device.uuid, name: ctx.device.name, local: true }] : [],
    });
  }
  for (const a of elsewhere) {
    const key = `${a.kind}/${a.variant}`;
    let s = byAddress.get(key);
    if (!s) {
      s = { kind: a.kind, variant: a.variant, format: a.format, status: 'remote', checksum: a.checksum, size: a.size, devices: [] };
      byAddress.set(key, s);
    }
    s.devices.push({ device_id: a.device_uuid, name: nameOf(a.device_uuid), local: false });
  }
  const sidecars = [...byAddress.values()].sort((x, y) => (x.kind === y.kind ? cmp(x.variant, y.variant) : cmp(x.kind, y.kind)));

  const name = paths[0] ? basename(paths[0].path) : peerCopies[0]?.name ?? '';
  return {
    content_uuid: c?.uuid ?? contentUuid, name, kind: facts.kind, mime: facts.mime, size: facts.size, ...shown,
    paths, copies, local: paths.length > 0, metadata: meta ?? {}, sidecars, user: ctx.user(contentUuid), safety: ctx.safety(contentUuid), text_words: ctx.textWords(contentUuid),
    no_picture: ctx.noPicture(contentUuid) ?? null, stack: ctx.stack(contentUuid),
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
