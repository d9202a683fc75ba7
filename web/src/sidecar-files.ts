/** Which of a content's sidecars the detail view shows, and their addresses. */
import { API } from './api-paths.js';
import type { DetailSidecar } from './types.js';

/** A sidecar whose file can be had: ready here, or held by a paired device (the file route fetches it). */
export function obtainable(s: DetailSidecar | undefined): s is DetailSidecar {
  return s !== undefined && (s.status === 'ready' || s.devices.length > 0);
}

export function findSidecar(sidecars: readonly DetailSidecar[], kind: string, variants: readonly string[]): DetailSidecar | undefined {
  for (const v of variants) {
    const s = sidecars.find((x) => x.kind === kind && x.variant === v);
    if (s) return s;
  }
  return undefined;
}

export function sidecarUrl(libId: string, uuid: string, s: Pick<DetailSidecar, 'kind' | 'variant' | 'checksum'>): string {
  return API.sidecar(libId, uuid, s.kind, s.variant, s.checksum);
}
