/**
 * Every daemon address the app uses, in one place (the operations of src/api/remote/protocol.ts and
 * the UI contract). Each part taken from data is encoded as one path segment.
 */
/** One path segment, encoded; `@` is left as it is (it may stand in a path: `grid@1x`). */
const seg = (s: string) => encodeURIComponent(s).replace(/%40/g, '@');
const lib = (id: string) => `/api/libraries/${seg(id)}`;

function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

export const API = {
  librariesCurrent: () => '/api/libraries/current',
  gridDays: (libId: string) => `${lib(libId)}/grid/days`,
  grid: (libId: string, offset: number, limit: number) => `${lib(libId)}/grid${query({ offset, limit })}`,
  detail: (libId: string, uuid: string) => `${lib(libId)}/content/${seg(uuid)}/detail`,
  search: (libId: string, q: string, limit: number) => `${lib(libId)}/search${query({ q, limit })}`,
  jobs: (libId: string, p: { status?: string; after?: string | null; limit: number }) => `${lib(libId)}/jobs${query(p)}`,
  jobAct: (libId: string, id: number, action: 'retry' | 'cancel') => `${lib(libId)}/jobs/${id}/${action}`,
  locations: (libId: string) => `${lib(libId)}/locations`,
  locationAct: (libId: string, id: number, action: 'rescan' | 'pause' | 'resume') => `${lib(libId)}/locations/${id}/${action}`,
  devices: () => '/api/devices',
  device: (id: string) => `/api/devices/${seg(id)}`,
  pairingStart: () => '/api/pairing/start',
  pairingJoin: () => '/api/pairing/join',
  /** Server-Sent Events; past events are not replayed (the views load the current state themselves). */
  events: () => '/api/events?recent=false',
  /** A sidecar's file; with its checksum the browser may cache it for good. */
  sidecar: (libId: string, uuid: string, kind: string, variant: string, checksum?: string | null) =>
    `${lib(libId)}/sidecars/${seg(uuid)}/${seg(kind)}/${seg(variant)}${query({ v: checksum })}`,
  original: (libId: string, uuid: string) => `${lib(libId)}/content/${seg(uuid)}`,
} as const;
