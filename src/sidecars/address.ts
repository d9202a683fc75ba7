import { join, sep } from 'node:path';
import { VssError } from '../core/errors.js';
import { checkFormat, checkVariant, kindForDir, sidecarKind, SIDECAR_KINDS, type SidecarKind } from './kinds.js';

/** What a sidecar is, independent of where any device keeps it. */
export interface SidecarAddress {
  contentUuid: string;
  kind: SidecarKind;
  variant: string;
  format: string;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const URI_RE = /^sidecar:\/\/([^/]+)\/([^/]+)\/([^/]+)$/;

/** Validate every part of an address against the kinds table; the result is safe to turn into a path. */
export function sidecarAddress(contentUuid: string, kind: string, variant: string, format?: string): SidecarAddress {
  if (!UUID_RE.test(contentUuid)) throw new VssError('USAGE', `invalid content uuid ${JSON.stringify(contentUuid)}`);
  const k = sidecarKind(kind);
  checkVariant(k, variant);
  const fmt = format ?? SIDECAR_KINDS[k].formats[0]!;
  checkFormat(k, fmt);
  return { contentUuid, kind: k, variant, format: fmt };
}

/** sidecars/content/{h0}/{h1}/{uuid}/{dir}/{variant}.{ext}, relative to the library folder. */
export function sidecarRelPath(a: SidecarAddress): string {
  const hex = a.contentUuid.replace(/-/g, '');
  return ['sidecars', 'content', hex.slice(0, 2), hex.slice(2, 4), a.contentUuid, SIDECAR_KINDS[a.kind].dir, `${a.variant}.${a.format}`].join('/');
}

export function sidecarAbsPath(libraryRoot: string, a: SidecarAddress): string {
  return join(libraryRoot, ...sidecarRelPath(a).split('/'));
}

/**
 * For many addresses of one kind whose parts were already checked (presence answers thousands at
 * once): the folder of a content's sidecars of KIND, ending in a separator, so that adding
 * `${variant}.${format}` gives the path `sidecarAbsPath` builds. Plain concatenation.
 */
export function sidecarFoldersOf(libraryRoot: string, kind: SidecarKind): (contentUuid: string) => string {
  const root = join(libraryRoot, 'sidecars', 'content') + sep;
  const dir = sep + SIDECAR_KINDS[kind].dir + sep;
  // The first four characters of a uuid come before its first dash: the same two folder names sidecarRelPath takes from the hex.
  return (c) => `${root}${c.slice(0, 2)}${sep}${c.slice(2, 4)}${sep}${c}${dir}`;
}

export function sidecarUri(a: SidecarAddress): string {
  return `sidecar://${a.contentUuid}/${SIDECAR_KINDS[a.kind].dir}/${a.variant}.${a.format}`;
}

/** Parse a sidecar:// URI. Anything outside the table or the allowed alphabet is refused, never decoded. */
export function parseSidecarUri(uri: string): SidecarAddress {
  const m = URI_RE.exec(uri);
  if (!m) throw new VssError('USAGE', `not a sidecar URI: ${JSON.stringify(uri)}`);
  const [, uuid, dir, file] = m as unknown as [string, string, string, string];
  const kind = kindForDir(dir);
  if (!kind) throw new VssError('USAGE', `unknown sidecar folder ${JSON.stringify(dir)} in ${JSON.stringify(uri)}`);
  const dot = file.lastIndexOf('.');
  if (dot <= 0) throw new VssError('USAGE', `sidecar URI has no format: ${JSON.stringify(uri)}`);
  return sidecarAddress(uuid, kind, file.slice(0, dot), file.slice(dot + 1));
}

/** Parse a path relative to the library folder back into an address (for reconcile's scan of sidecars/). */
export function parseSidecarRelPath(rel: string): SidecarAddress | null {
  const parts = rel.split('/');
  if (parts.length !== 7 || parts[0] !== 'sidecars' || parts[1] !== 'content') return null;
  const [, , h0, h1, uuid, dir, file] = parts as [string, string, string, string, string, string, string];
  try {
    const kind = kindForDir(dir);
    if (!kind) return null;
    const dot = file.lastIndexOf('.');
    if (dot <= 0) return null;
    const a = sidecarAddress(uuid, kind, file.slice(0, dot), file.slice(dot + 1));
    const hex = uuid.replace(/-/g, '');
    return hex.slice(0, 2) === h0 && hex.slice(2, 4) === h1 ? a : null;
  } catch {
    return null;
  }
}
