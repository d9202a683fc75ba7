import { basename, join } from 'node:path';
import { VssError } from '../core/errors.js';
import type { BrowseStore } from '../store/browse.js';
import { parseMetadata } from '../media/media-metadata.js';
import type { ContentDetail, DetailDevice, DetailPath, DetailSidecar } from '../wire/browse.js';

export type { ContentDetail, DetailDevice, DetailPath, DetailSidecar };

export interface DetailContext {
  store: BrowseStore;
  content: (uuid: string) => { id: number; uuid: string; kind: string; mime: string; size: number; media_metadata: string | null } | undefined;
  /** This device. */
  device: { uuid: string; name: string };
  /** Names of other devices by uuid (the paired devices, and those that opened this library). */
  deviceNames: () => Promise<ReadonlyMap<string, string>>;
}

export async function readContentDetail(ctx: DetailContext, contentUuid: string): Promise<ContentDetail> {
  const { store } = ctx;
  const c = ctx.content(contentUuid);
  if (!c) throw new VssError('NOT_FOUND', `no content ${contentUuid} in this library`);
  const paths = store.copiesOf(c.id).map((p) => ({ location_id: p.location_id, location_name: p.location_name, path: join(p.root, p.rel_path) }));
  const meta = parseMetadata(c.media_metadata);

  const local = store.localSidecars(c.uuid);
  const elsewhere = store.remoteSidecars(c.uuid, ctx.device.uuid);
  const names = elsewhere.length > 0 ? await ctx.deviceNames() : new Map<string, string>();

  const byAddress = new Map<string, DetailSidecar>();
  for (const s of local) {
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
    s.devices.push({ device_id: a.device_uuid, name: names.get(a.device_uuid) ?? a.device_uuid.slice(0, 8), local: false });
  }
  const sidecars = [...byAddress.values()].sort((x, y) => (x.kind === y.kind ? cmp(x.variant, y.variant) : cmp(x.kind, y.kind)));

  return {
    content_uuid: c.uuid, name: paths[0] ? basename(paths[0].path) : '', kind: c.kind, mime: c.mime, size: c.size,
    captured_at: meta?.captured_at ?? null, width: meta?.width ?? null, height: meta?.height ?? null, duration_s: meta?.duration_s ?? null,
    paths, metadata: meta ?? {}, sidecars,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
